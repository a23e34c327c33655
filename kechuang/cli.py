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


#: The product's commands, grouped as people look for them (others' new commands are listed too).
HELP_GROUPS = (
    ("启动与运维", ("serve", "worker", "backup", "restore", "audit")),
    ("企业库与资格预诊断", ("enterprises", "diagnose", "pipeline")),
    ("政策兑现", ("policy",)),
    ("目标考核", ("targets",)),
    ("技术市场", ("techmarket",)),
)


def product_help() -> str:
    """`kechuang help`: the product's commands first, grouped and in Chinese; Django's own
    maintenance commands after them."""
    from django.conf import settings
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    project = {name: app for name, app in commands.items() if app in settings.PROJECT_APPS}
    lines = ["科创平台命令行：kechuang <命令> [参数]；kechuang help <命令> 查看某个命令的参数。", ""]

    def describe(name: str) -> str:
        try:
            text = load_command_class(commands[name], name).help or ""
        except Exception:  # noqa: BLE001 - a broken command must not break the list
            text = ""
        return f"  {name:<14}{text.splitlines()[0] if text else ''}"

    listed: set[str] = set()
    for title, names in HELP_GROUPS:
        present = [n for n in names if n in project]
        if present:
            lines.append(f"【{title}】")
            lines += [describe(n) for n in present]
            listed.update(present)
    others = sorted(n for n in project if n not in listed)
    if others:
        lines.append("【其他业务命令】")
        lines += [describe(n) for n in others]
    lines += ["", "文档：docs/commands.md（每个命令的参数、输入输出 JSON 格式）。", "",
              "【Django 框架命令（开发与维护用）】",
              "  " + " ".join(sorted(n for n in commands if n not in project))]
    return "\n".join(lines) + "\n"


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

    if argv[1:] in ([], ["help"], ["--help"], ["-h"]):
        sys.stdout.write(product_help())
        return
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
