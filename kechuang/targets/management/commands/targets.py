"""`kechuang targets …` — target plans of the seed documents.

Subcommands:
  generate --base B --growth R --from Y0 --to Y1 [--decimals N] [--json]
      compound-growth series (contract section 5), no database needed;
  check [--file F] [--json]
      validate the shipped plan files (or F) and report declared totals that do not match their rows;
      exit 1 listing every bad row when a file cannot be loaded.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from kechuang.targets.numbers import TargetDataError
from kechuang.targets.plans import PlanImportError, load_plan_file, load_reference_plans
from kechuang.targets.series import generate_series


def series_json(series, decimals: int) -> str:
    """The contract's JSON form: ``{"2020": 22000, …}``; numbers, integers when decimals = 0."""
    return json.dumps({str(y): (int(v) if decimals == 0 else float(v)) for y, v in series.items()},
                      ensure_ascii=False)


class Command(BaseCommand):
    help = "目标任务：generate 生成复合增长目标序列；check 校验内置任务分解表"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        gen = sub.add_parser("generate", help="按 基数×(1+增长率)^(年份−起始年) 四舍五入生成目标序列")
        gen.add_argument("--base", required=True, help="基数（起始年的值）")
        gen.add_argument("--growth", required=True, help="年增长率，小数，如 0.2 表示 20%%；大于 1 的值须加 --percent")
        gen.add_argument("--percent", action="store_true", help="--growth 以百分数给出（20 表示 20%%）")
        gen.add_argument("--from", dest="year_from", required=True, help="起始年")
        gen.add_argument("--to", dest="year_to", required=True, help="终止年")
        gen.add_argument("--decimals", default="0", help="保留小数位数（默认 0）")
        gen.add_argument("--json", action="store_true", help="输出 JSON")
        chk = sub.add_parser("check", help="校验任务分解表（默认为内置的两份文件）：逐行数据与源表合计")
        chk.add_argument("--file", help="要校验的任务分解表 YAML（格式同 data/targets/nanan_2021_67.yaml）")
        chk.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        if options["action"] == "generate":
            return self._generate(options)
        return self._check(options)

    def _generate(self, options):
        try:
            decimals = int(options["decimals"])
        except ValueError:
            raise CommandError(f"--decimals：应为整数，实际为“{options['decimals']}”", returncode=2) from None
        growth = options["growth"]
        try:
            rate = Decimal(str(growth).strip().rstrip("%"))
        except InvalidOperation:
            rate = None  # generate_series names the problem
        if rate is not None and rate.is_finite():
            if options["percent"] or str(growth).strip().endswith("%"):
                growth = str(rate / 100)
            elif rate > 1:
                raise CommandError(
                    f"--growth：年增长率 {growth} 大于 1（即 {rate * 100:f}%），多半是把百分数当成了小数。"
                    f"20% 请写 --growth 0.2，或写 --growth {growth} --percent", returncode=2)
        try:
            series = generate_series(options["base"], growth, options["year_from"],
                                     options["year_to"], decimals)
        except TargetDataError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(series_json(series, decimals))
            return
        for year, value in series.items():
            self.stdout.write(f"{year}年：{value}")

    def _check(self, options):
        try:
            plans = [load_plan_file(options["file"])] if options.get("file") else load_reference_plans()
        except FileNotFoundError:
            raise CommandError(f"--file：找不到文件“{options['file']}”", returncode=2) from None
        except PlanImportError as exc:
            raise CommandError("任务分解表有错误：\n" + "\n".join(exc.errors), returncode=1) from None
        if options["json"]:
            self.stdout.write(json.dumps({"documents": [
                {"document": p.document, "entries": len(p.entries), "findings": [
                    {"table": f.table, "code": f.code, "message": f.message,
                     "declared": None if f.declared is None else str(f.declared),
                     "computed": None if f.computed is None else str(f.computed)} for f in p.findings]}
                for p in plans]}, ensure_ascii=False))
            return
        for p in plans:
            self.stdout.write(f"{p.document}《{p.title}》：{len(p.entries)} 条目标规则")
            for f in p.findings:
                self.stdout.write(f"  [合计不符] {f.message}")
