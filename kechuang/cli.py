"""The `kechuang` console script: Django's management entry with the project's settings preset.

Configuration errors (a malformed or unreachable database, a missing secret in production mode)
end with a short bilingual message and exit status 2 instead of a traceback.
"""

from __future__ import annotations

import os
import sys
import uuid


def _fail(message: str) -> None:
    sys.stderr.write(f"kechuang: {message}\n")
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `kechuang serve --demo` or `kechuang help`."""
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "kechuang"
    if argv[1:2] == ["createsuperuser"]:
        _fail("本平台不设超级用户：系统管理员、安全管理员、审计管理员（三员）账户由 `kechuang serve` 首次启动时创建，"
              "其他账户由系统管理员在后台创建 / there is no superuser here: the three administrators are created "
              "by the first `kechuang serve`, other accounts by the system administrator")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        _fail(f"配置错误 / configuration error: {exc}")

    from django.core.management import execute_from_command_line
    from django.db import DatabaseError
    from django.db.utils import OperationalError

    from kechuang.core.changes import change_context

    source = "command:" + " ".join(argv[1:3])
    try:
        with change_context(source=source, request_id=f"cmd-{uuid.uuid4().hex[:12]}"):
            execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        _fail(f"配置错误 / configuration error: {exc}")
    except OperationalError as exc:
        _fail(
            "无法连接数据库，请检查 KECHUANG_DATABASE_URL / cannot reach the database, "
            f"check KECHUANG_DATABASE_URL: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}"
        )
    except DatabaseError as exc:
        _fail(f"数据库错误 / database error: {exc}")


if __name__ == "__main__":
    main()
