"""`kechuang restore FILE.json.gz`: load a backup into an empty, migrated database, in one
transaction; prints the row count of every table so it can be compared with the source."""

import gzip

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from kechuang.core.management.commands.backup import backed_up_models
from kechuang.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "从 kechuang backup 生成的文件恢复到一个空数据库（已执行 migrate）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="目标库已有业务数据时仍然恢复（先清空业务表）")

    def handle(self, *args, file, force=False, **options):
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                objects = list(serializers.deserialize("json", fh.read(), handle_forward_references=True))
        except (OSError, ValueError, serializers.base.DeserializationError) as exc:
            raise CommandError(f"备份文件无法读取：{exc}") from exc
        if Enterprise.objects.exists() and not force:
            raise CommandError("目标数据库已有企业数据；恢复只能在空数据库上进行（或使用 --force）")
        with transaction.atomic():
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
        counts = {m._meta.label: m._default_manager.count() for m in models}
        self.stdout.write(f"已恢复 {len(objects)} 行")
        for label, n in counts.items():
            if n:
                self.stdout.write(f"  {label}: {n}")
