"""Overlapping active bookings of one instrument are refused by the database itself.

PostgreSQL: an exclusion constraint over (instrument, tstzrange(start, end)) with btree_gist.
SQLite: BEFORE INSERT/UPDATE triggers that abort when an active booking of the same instrument
overlaps; SQLite has one writer at a time, so the trigger's check and the write are serialised.
Active = requested, approved, checked_in, completed (cancelled, rejected and no-show free the slot).
"""
from django.db import migrations

ACTIVE = "('requested','approved','checked_in','completed')"

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE resources_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
    "(instrument_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    f"WHERE (status IN {ACTIVE})",
]
PG_BACKWARD = ["ALTER TABLE resources_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"]


def _sqlite_trigger(event: str) -> str:
    self_clause = "" if event == "INSERT" else " AND b.id <> NEW.id"
    return (
        f"CREATE TRIGGER booking_no_overlap_{event.lower()} BEFORE {event} ON resources_booking "
        f"WHEN NEW.status IN {ACTIVE} BEGIN "
        "SELECT RAISE(ABORT, 'booking_no_overlap: 该时段已被预约') FROM resources_booking b "
        f"WHERE b.instrument_id = NEW.instrument_id AND b.status IN {ACTIVE}{self_clause} "
        "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at; END"
    )


SQLITE_FORWARD = [_sqlite_trigger("INSERT"), _sqlite_trigger("UPDATE")]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS booking_no_overlap_insert",
                   "DROP TRIGGER IF EXISTS booking_no_overlap_update"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG_FORWARD if vendor == "postgresql" else SQLITE_FORWARD if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD if vendor == "sqlite" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
