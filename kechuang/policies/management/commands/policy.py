"""`kechuang policy …` — the policy calculator (contract section 4) and policy data checks.

Subcommands:
  calc --facts FILE [--year Y] [--json] [--all]
      which measures the enterprise qualifies for and how much; no database needed;
  list [--json]
      the shipped policies, their measures and the open assumptions (parameters not yet verified);
  screen --year Y [--json]
      免申即享 screening of every enterprise in the database for a year (stores the candidates).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.policies.engine import PolicyDataError, PolicyInputError, calculate, load_policies
from kechuang.policies.engine.calculator import STATUS_LABELS


def read_facts(path: str) -> dict:
    """Read the facts JSON from ``path`` (``-`` = standard input) or raise CommandError in Chinese."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"--facts：无法读取文件“{path}”（{exc.strerror or exc}）", returncode=2) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--facts：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）", returncode=2) from None
    if not isinstance(data, dict):
        raise CommandError("--facts：企业数据应为 JSON 对象 {...}", returncode=2)
    return data


def published_policies():
    """The shipped policies in force as data (status published); CommandError when the YAML is bad."""
    try:
        return [p for p in load_policies() if p.status == "published"]
    except PolicyDataError as exc:
        raise CommandError(f"政策数据有错误：{exc}", returncode=2) from None


class Command(BaseCommand):
    help = "政策计算器与免申即享：calc 计算企业可享受的政策及金额；list 列出内置政策与待确认的假设；screen 对全部企业筛查某年度的免申即享候选"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        calc = sub.add_parser("calc", help="按企业数据计算可享受的政策措施与金额（万元）")
        calc.add_argument("--facts", required=True, help="企业数据 JSON 文件（- 表示标准输入）")
        calc.add_argument("--year", help="计算年度（默认今年）")
        calc.add_argument("--json", action="store_true", help="输出 JSON")
        calc.add_argument("--all", action="store_true", help="同时列出不符合的措施")
        lst = sub.add_parser("list", help="列出内置政策、措施与待确认的假设")
        lst.add_argument("--json", action="store_true", help="输出 JSON")
        scr = sub.add_parser("screen", help="免申即享：对数据库中全部企业筛查某年度的候选（需要数据库）")
        scr.add_argument("--year", required=True, help="筛查年度")
        scr.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        if options["action"] == "calc":
            return self._calc(options)
        if options["action"] == "screen":
            return self._screen(options)
        return self._list(options)

    def _screen(self, options):
        from django.core.exceptions import ValidationError

        from kechuang.core.permissions import system_actor
        from kechuang.policies.services import screening_run

        try:
            year = int(options["year"])
        except ValueError:
            raise CommandError(f"--year：应为四位年份，实际为“{options['year']}”", returncode=2) from None
        from kechuang.jobs.cli_progress import cli_progress

        try:
            with cli_progress(self.stderr, f"{year}年免申即享筛查") as progress:
                run = screening_run(user=system_actor("command:policy screen"), year=year, progress=progress,
                                    reason="年度筛查（命令行 kechuang policy screen）")
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from None
        doc = {"run": run.pk, "year": year, "enterprises": run.enterprise_count, "candidates": run.candidate_count,
               "new": run.new_count, "changed": run.changed_count, "seconds": run.seconds}
        if options["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
        else:
            self.stdout.write(f"{year}年免申即享筛查：{run.enterprise_count} 家企业，候选 {run.candidate_count} 项"
                              f"（新增 {run.new_count}，证据变化 {run.changed_count}），用时 {run.seconds} 秒")

    def _calc(self, options):
        year_text = options.get("year")
        if year_text is None:
            year = dt.date.today().year
        else:
            try:
                year = int(year_text)
            except ValueError:
                raise CommandError(f"--year：应为四位年份，实际为“{year_text}”", returncode=2) from None
            if not 1900 <= year <= 2200:
                raise CommandError(f"--year：应为四位年份，实际为“{year_text}”", returncode=2)
        facts = read_facts(options["facts"])
        policies = published_policies()
        try:
            result = calculate(facts, year, policies)
        except PolicyInputError as exc:
            raise CommandError(f"企业数据有误：{exc.key}：{exc.message}", returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(include_all=options["all"]), ensure_ascii=False))
            return
        self.stdout.write(f"{year}年政策测算（{result.region or '未填所属乡镇'}）")
        for o in result.listed(options["all"]):
            item = o.to_json()
            if item["amount_max"] is None:
                money = "金额待核定"
            elif item["amount"] == item["amount_max"]:
                money = f"{item['amount']:g}万元"
            else:
                money = f"{item['amount']:g}~{item['amount_max']:g}万元"
            if o.measure.benefit.kind in ("non_monetary", "mechanism"):
                money = item["benefit"]
            self.stdout.write(f"[{STATUS_LABELS[o.status]}] {o.policy.doc_no}{o.measure.article} {o.measure.title}：{money}")
            self.stdout.write(f"    依据：{o.basis}")
            if o.stacking:
                self.stdout.write(f"    叠加：{o.stacking}")
        self.stdout.write(f"合计：{float(result.total):g}万元（最高{float(result.total_max):g}万元）")
        for line in result.trace:
            self.stdout.write(f"  · {line}")

    def _list(self, options):
        policies = published_policies()
        if options["json"]:
            self.stdout.write(json.dumps([{
                "id": p.id, "doc_no": p.doc_no, "title": p.title, "level": p.level,
                "effective": p.effective.isoformat(), "expiry": p.expiry.isoformat() if p.expiry else None,
                "measures": [{"id": m.id, "article": m.article, "title": m.title, "kind": m.kind,
                              "benefit_kind": m.benefit.kind} for m in p.measures],
                "assumptions": [{"id": x.id, "verified": x.verified, "note": x.note} for x in p.parameters],
            } for p in policies], ensure_ascii=False, default=str))
            return
        for p in policies:
            self.stdout.write(f"{p.doc_no}《{p.title}》（{p.level}级，{p.window_text()}）：{len(p.measures)} 项措施")
            for x in p.parameters:
                if not x.verified:
                    self.stdout.write(f"  [待确认] {x.id}：{x.note}")
