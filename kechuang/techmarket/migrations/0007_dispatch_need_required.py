# The dispatch's need is required; its match, when it has one, must be a suggestion for that need;
# a need has at most one open dispatch without a match; a deal has an achievement or a solution.
#
# "The match belongs to the need" spans two tables, so it is not a CHECK: on PostgreSQL it is a
# composite foreign key (match_id, need_id) → techmarket_match (id, need_id) (the unique
# constraint match_id_need is its target); on SQLite, which cannot add a foreign key to an existing
# table, triggers on both tables refuse a dispatch whose match names another need and a match
# whose need changes under its dispatch. Caution: a later migration that rebuilds one of these
# SQLite tables drops its triggers — tests/techmarket/test_dispatch_need.py fails then; recreate
# them with ``create_match_of_need``.

import django.db.models.deletion
from django.db import migrations, models

SQLITE_TRIGGERS = {
    "dispatch_match_of_its_need_insert": """
        CREATE TRIGGER dispatch_match_of_its_need_insert BEFORE INSERT ON techmarket_dispatch
        FOR EACH ROW WHEN NEW.match_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM techmarket_match m WHERE m.id = NEW.match_id AND m.need_id <> NEW.need_id)
        BEGIN SELECT RAISE(ABORT, 'dispatch_match_of_its_need: the match is a suggestion for another need'); END""",
    "dispatch_match_of_its_need_update": """
        CREATE TRIGGER dispatch_match_of_its_need_update BEFORE UPDATE OF match_id, need_id ON techmarket_dispatch
        FOR EACH ROW WHEN NEW.match_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM techmarket_match m WHERE m.id = NEW.match_id AND m.need_id <> NEW.need_id)
        BEGIN SELECT RAISE(ABORT, 'dispatch_match_of_its_need: the match is a suggestion for another need'); END""",
    "match_need_of_its_dispatch_update": """
        CREATE TRIGGER match_need_of_its_dispatch_update BEFORE UPDATE OF need_id ON techmarket_match
        FOR EACH ROW WHEN EXISTS (
            SELECT 1 FROM techmarket_dispatch d WHERE d.match_id = NEW.id AND d.need_id <> NEW.need_id)
        BEGIN SELECT RAISE(ABORT, 'dispatch_match_of_its_need: the match is dispatched for its need'); END""",
}
POSTGRES_FK = ("ALTER TABLE techmarket_dispatch ADD CONSTRAINT dispatch_match_of_its_need "
               "FOREIGN KEY (match_id, need_id) REFERENCES techmarket_match (id, need_id)")


def create_match_of_need(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FK)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"dispatch_match_of_its_need: no rule for {vendor}")


def drop_match_of_need(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE techmarket_dispatch DROP CONSTRAINT IF EXISTS dispatch_match_of_its_need")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('techmarket', '0006_dispatch_need_fill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='dispatch',
            name='need',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dispatches', to='techmarket.need', verbose_name='需求'),
        ),
        migrations.AddConstraint(
            model_name='match',
            constraint=models.UniqueConstraint(fields=('id', 'need'), name='match_id_need'),
        ),
        migrations.AddConstraint(
            model_name='dispatch',
            constraint=models.UniqueConstraint(condition=models.Q(('match__isnull', True), models.Q(('stage__in', ['done', 'dropped']), _negated=True)), fields=('need',), name='dispatch_one_open_unmatched_per_need'),
        ),
        migrations.AddConstraint(
            model_name='deal',
            constraint=models.CheckConstraint(condition=models.Q(('achievement__isnull', False), models.Q(models.Q(('solution', ''), _negated=True), models.Q(('provider', ''), _negated=True)), _connector='OR'), name='deal_achievement_or_solution'),
        ),
        migrations.RunPython(create_match_of_need, drop_match_of_need),
    ]
