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


#: argparse's own words (usage, section titles, errors), in Chinese
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可以是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同用",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
}
#: Django's options common to every command, in Chinese
DJANGO_OPTIONS_ZH = {
    "--version": "显示版本号并退出",
    "--verbosity": "输出详细程度：0 最少，1 正常，2 详细，3 非常详细",
    "--settings": "设置模块的 Python 路径（默认读环境变量 DJANGO_SETTINGS_MODULE；本平台已设为 kechuang.settings）",
    "--pythonpath": "加入 Python 路径的目录",
    "--traceback": "命令出错时显示完整的调用栈",
    "--no-color": "输出不加颜色",
    "--force-color": "强制彩色输出",
    "--skip-checks": "跳过系统检查",
}


def chinese_command_line() -> None:
    """`kechuang <命令> --help` and argument errors in Chinese: argparse's own words and Django's
    common options (the commands' own help texts are written in Chinese)."""
    import argparse

    from django.core.management.base import BaseCommand

    if getattr(argparse, "_kechuang_zh", False):
        return
    gettext = argparse._

    def translated(text):
        return ARGPARSE_ZH.get(text) or gettext(text)

    argparse._ = translated
    create_parser = BaseCommand.create_parser

    def create_chinese_parser(self, prog_name, subcommand, **kwargs):
        parser = create_parser(self, prog_name, subcommand, **kwargs)
        for action in parser._actions:
            for option in action.option_strings:
                if option in DJANGO_OPTIONS_ZH:
                    action.help = DJANGO_OPTIONS_ZH[option]
        return parser

    BaseCommand.create_parser = create_chinese_parser
    argparse._kechuang_zh = True


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

    chinese_command_line()
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
