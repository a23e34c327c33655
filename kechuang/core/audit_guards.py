"""Database-level protection of the audit table: UPDATE is refused, DELETE is refused for rows
younger than the retention period (so only the purge job can remove old rows). The production
database role should additionally lack UPDATE/DELETE grants (see docs/operations.md)."""

from django.conf import settings
from django.db import connections

from kechuang.core.models import AuditEvent


def install_audit_guards(using: str = "default") -> None:
    connection = connections[using]
    table = AuditEvent._meta.db_table
    days = int(settings.KECHUANG_AUDIT_RETENTION_DAYS)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_early_delete")
            cursor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )
            cursor.execute(
                f"CREATE TRIGGER {table}_no_early_delete BEFORE DELETE ON {table} "
                f"WHEN OLD.at >= datetime('now', '-{days} days') "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are kept {days} days'); END"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'audit log is append-only';
                  END IF;
                  IF OLD.at >= now() - interval '{days} days' THEN
                    RAISE EXCEPTION 'audit rows are kept {days} days';
                  END IF;
                  RETURN OLD;
                END $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS {table}_guard ON {table};
                CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table}
                  FOR EACH ROW EXECUTE FUNCTION {table}_guard();
                """
            )


def remove_audit_guards(using: str = "default") -> None:
    """For tests only: drop the triggers again."""
    connection = connections[using]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_early_delete")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
