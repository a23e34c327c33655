"""`kechuang diagnose --scheme S --facts FILE [--on DATE] [--json] [--docx REPORT.docx]` (contract section 3).

Pre-diagnoses one enterprise for a qualification scheme with the rules in force on ``--on``
(default today). ``--scheme all`` gives every scheme side by side (JSON:
``{"verdicts": [...]}``). No database is touched. Bad input exits with code 2 and a Chinese
message naming the key, e.g. ``years[2].rd_expense``. ``--docx`` also writes the Word report,
the same document the enterprise's 预诊断 page downloads (:func:`kechuang.rules.docx_report.build_docx`).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.rules.engine import SCHEMES, evaluate
from kechuang.rules.facts import FactsError, parse_facts
from kechuang.rules.params import ParameterError
from kechuang.rules.report import render_text


def read_facts_file(path: str) -> dict:
    """Read the facts JSON from ``path`` (``-`` = standard input) or raise CommandError(2)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"--facts：无法读取文件“{path}”（{exc.strerror or exc}）", returncode=2) from None
    except UnicodeDecodeError:
        raise CommandError(f"--facts：文件“{path}”不是 UTF-8 编码的文本", returncode=2) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--facts：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）",
                           returncode=2) from None
    if not isinstance(data, dict):
        raise CommandError("--facts：企业数据应为 JSON 对象 {...}", returncode=2)
    return data


def _json_default(o):
    from decimal import Decimal
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, dt.date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


class Command(BaseCommand):
    help = "资格预诊断：高企、科技型中小企业、创新型、专精特新、小巨人（不需要数据库）"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True,
                            help="认定类型：" + "、".join(SCHEMES) + "，或 all（全部）")
        parser.add_argument("--facts", required=True, help="企业数据 JSON 文件（- 表示标准输入）")
        parser.add_argument("--on", help="评价（申报）日期 YYYY-MM-DD，默认今天；适用该日有效的认定办法")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 文档")
        parser.add_argument("--docx", metavar="REPORT.docx", help="同时写出 Word 预诊断报告（与网页下载的相同）")

    def handle(self, *args, **options):
        scheme = options["scheme"]
        if scheme != "all" and scheme not in SCHEMES:
            raise CommandError(f"--scheme：未知的认定类型“{scheme}”，可选：{'、'.join(SCHEMES)}、all",
                               returncode=2)
        on = dt.date.today()
        if options.get("on"):
            try:
                on = dt.date.fromisoformat(options["on"])
                if len(options["on"]) != 10:
                    raise ValueError
            except ValueError:
                raise CommandError(f"--on：日期格式错误“{options['on']}”，应为 YYYY-MM-DD", returncode=2) from None
        raw = read_facts_file(options["facts"])
        try:
            facts = parse_facts(raw)
        except FactsError as exc:
            raise CommandError(f"企业数据错误：{exc.key}：{exc.message}", returncode=2) from None
        schemes = SCHEMES if scheme == "all" else (scheme,)
        try:
            verdicts = [evaluate(s, facts, on) for s in schemes]
        except ParameterError as exc:
            raise CommandError(f"规则参数错误：{exc}", returncode=2) from None
        if options.get("docx"):
            from kechuang.rules.docx_report import build_docx

            target = Path(options["docx"])
            try:
                target.write_bytes(build_docx(verdicts, facts))
            except OSError as exc:
                raise CommandError(f"--docx：无法写入文件“{target}”（{exc.strerror or exc}）", returncode=2) from None
        if options["json"]:
            doc = verdicts[0].to_json() if scheme != "all" else {"verdicts": [v.to_json() for v in verdicts]}
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default))
        else:
            self.stdout.write(render_text(verdicts, facts))
