"""`kechuang backup FILE.json.gz`: write every table of the product (business data, accounts,
change and audit logs) to one compressed JSON file that `kechuang restore` loads again."""

import gzip
import json

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand

from kechuang.core import audit
from kechuang.core.models import AuditEvent


def backed_up_models():
    """Every concrete model of the product apps plus sessions-free auth data, in dependency order."""
    labels = [name.rsplit(".", 1)[-1] for name in settings.PROJECT_APPS]
    from django.core.serializers import sort_dependencies

    app_list = {apps.get_app_config(label): None for label in labels}
    return [m for m in sort_dependencies(app_list.items(), allow_cycles=True) if not m._meta.proxy]


class Command(BaseCommand):
    help = "备份全部业务数据、账户和日志到一个 .json.gz 文件"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        counts = {}
        with gzip.open(file, "wt", encoding="utf-8") as fh:
            fh.write("[")
            first = True
            for model in backed_up_models():
                qs = model._default_manager.order_by("pk")
                counts[model._meta.label] = qs.count()
                for obj in qs.iterator(chunk_size=2000):
                    data = serializers.serialize("python", [obj])[0]
                    fh.write(("" if first else ",\n") + json.dumps(data, ensure_ascii=False, default=str))
                    first = False
            fh.write("]")
        audit.record(AuditEvent.Kind.EXPORT, object_ref=f"backup:{file}", detail={"rows": sum(counts.values())})
        self.stdout.write(f"已备份 {sum(counts.values())} 行到 {file}")
        for label, n in counts.items():
            if n:
                self.stdout.write(f"  {label}: {n}")
