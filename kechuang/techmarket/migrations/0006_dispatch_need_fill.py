# Every existing dispatch came from a match: its need is the match's need (one UPDATE).

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Dispatch = apps.get_model("techmarket", "Dispatch")
    Match = apps.get_model("techmarket", "Match")
    Dispatch.objects.filter(need__isnull=True, match__isnull=False).update(
        need_id=Subquery(Match.objects.filter(pk=OuterRef("match_id")).values("need_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('techmarket', '0005_dispatch_need_deal_solution'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
