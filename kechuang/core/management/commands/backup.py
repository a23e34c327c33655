"""`kechuang backup FILE.json.gz`: write every table of the product (business data, accounts,
change and audit logs) and every uploaded file under MEDIA_ROOT (evidence, attachments) to one
compressed JSON file that `kechuang restore` loads again. An uploaded file is one record
``{"model": "kechuang.mediafile", "path": …, "sha256": …, "base64": …}`` after the rows.
The audit chain's key (var/audit_key or KECHUANG_AUDIT_KEY) is deliberately not in the file:
keep it with the backups, separately (docs/security.md)."""

import base64
import gzip
import hashlib
import json
from pathlib import Path

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


MEDIA_MODEL = "kechuang.mediafile"


def media_files() -> list[Path]:
    """Every uploaded file under MEDIA_ROOT, sorted."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


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
            files = 0
            for path in media_files():
                data = path.read_bytes()
                record = {"model": MEDIA_MODEL, "path": path.relative_to(settings.MEDIA_ROOT).as_posix(),
                          "sha256": hashlib.sha256(data).hexdigest(), "base64": base64.b64encode(data).decode()}
                fh.write(("" if first else ",\n") + json.dumps(record))
                first = False
                files += 1
            fh.write("]")
        audit.record(AuditEvent.Kind.EXPORT, object_ref=f"backup:{file}",
                     detail={"rows": sum(counts.values()), "files": files})
        self.stdout.write(f"已备份 {sum(counts.values())} 行、{files} 个上传文件到 {file}")
        for label, n in counts.items():
            if n:
                self.stdout.write(f"  {label}: {n}")
