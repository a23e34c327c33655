"""`kechuang restore FILE.json.gz`: load a backup into an empty, migrated database, in one
transaction, and write its uploaded files back under MEDIA_ROOT; prints the row count of every
table so it can be compared with the source.

Works right after the first-deploy step (`kechuang serve --no-serve`, which migrates, loads the
reference data and creates the 三员 accounts: those rows are replaced by the backup's), and with
``--force`` over a database that already holds business data. The audit table's database
triggers (which refuse DELETE) are lifted for the restore's own transaction and put back."""

import base64
import gzip
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from kechuang.core.audit_guards import install_audit_guards, remove_audit_guards
from kechuang.core.management.commands.backup import MEDIA_MODEL, backed_up_models
from kechuang.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "从 kechuang backup 生成的文件恢复到一个空数据库（已执行 migrate）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="目标库已有业务数据时仍然恢复（先清空业务表）")

    def handle(self, *args, file, force=False, **options):
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                records = json.load(fh)
            media = [r for r in records if r.get("model") == MEDIA_MODEL]
            rows = [r for r in records if r.get("model") != MEDIA_MODEL]
            del records
            objects = list(serializers.deserialize("python", rows, handle_forward_references=True))
            for r in media:
                r["content"] = base64.b64decode(r.pop("base64"))
                if hashlib.sha256(r["content"]).hexdigest() != r["sha256"]:
                    raise ValueError(f"上传文件 {r['path']} 校验和不符")
        except (OSError, ValueError, TypeError, KeyError, AttributeError,
                serializers.base.DeserializationError) as exc:
            raise CommandError(f"备份文件无法读取：{exc}") from exc
        if Enterprise.objects.exists() and not force:
            raise CommandError("目标数据库已有企业数据；恢复只能在空数据库上进行（或使用 --force）")
        guarded = _audit_guards_present()
        with transaction.atomic():
            if guarded:
                remove_audit_guards()
            models = backed_up_models()
            for model in reversed(models):  # reference data loaded by migrate is replaced by the backup's
                model._base_manager.all()._raw_delete(model._base_manager.db)
            for obj in objects:
                obj.save()
            for obj in objects:
                if obj.deferred_fields:
                    obj.save_deferred_fields()
            statements = connection.ops.sequence_reset_sql(no_style(), models)
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
            if guarded:
                install_audit_guards()
        from kechuang.core.audit import checkpoint

        checkpoint("restore")  # a new anchoring epoch: the restored chain's head
        root = Path(settings.MEDIA_ROOT).resolve()
        for r in media:
            target = (root / r["path"]).resolve()
            if root not in target.parents:
                raise CommandError(f"备份中的文件路径不安全：{r['path']}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(r["content"])
        counts = {m._meta.label: m._default_manager.count() for m in models}
        self.stdout.write(f"已恢复 {len(objects)} 行、{len(media)} 个上传文件")
        for label, n in counts.items():
            if n:
                self.stdout.write(f"  {label}: {n}")


def _audit_guards_present() -> bool:
    from kechuang.core.models import AuditEvent

    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND tbl_name=%s", [table])
        else:
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname=%s", [f"{table}_guard"])
        return cursor.fetchone()[0] > 0
