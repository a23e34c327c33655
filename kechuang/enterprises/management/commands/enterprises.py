"""`kechuang enterprises …` — the enterprise registry on the command line (contract section 1).

Subcommands:
  template FILE.xlsx            write the empty import template
  import FILE.xlsx [--dry-run]  validate the whole workbook; commit it in one transaction unless
                                --dry-run; exit 1 and list `第N行 字段: 原因` when any row is bad
  facts USCC [--json]           the enterprise in the facts format of contract section 2
  export FILE.xlsx [--township T]  every (or one township's) enterprise in the template layout
  demo [--count N] [--seed S]   generate demo enterprises (marked 演示数据)
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import ValidationError as StdnumError

from kechuang.core import audit
from kechuang.core.changes import current_context
from kechuang.core.models import AuditEvent, Region
from kechuang.enterprises.excel_io import WorkbookError, write_template
from kechuang.enterprises.facts import enterprise_facts, facts_json
from kechuang.enterprises.models import Enterprise, uscc_reason


class Command(BaseCommand):
    help = "企业库：template 生成导入模板；import 导入工作簿；facts 输出企业数据（facts 格式）；export 导出；demo 生成演示数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        t = sub.add_parser("template", help="生成空白导入模板（.xlsx）")
        t.add_argument("file", help="输出文件，如 企业导入模板.xlsx（- 表示标准输出）")
        i = sub.add_parser("import", help="导入企业、年度数据、知识产权与资质")
        i.add_argument("file", help="要导入的 .xlsx 文件（- 表示标准输入）")
        i.add_argument("--dry-run", action="store_true", help="只校验，不保存")
        i.add_argument("--report", help="有错误时把带“错误说明”列的工作簿写到此文件")
        f = sub.add_parser("facts", help="以 facts JSON 格式输出企业数据（格式见 docs/commands.md 的“企业数据 facts JSON”）")
        f.add_argument("uscc", help="统一社会信用代码")
        f.add_argument("--json", action="store_true", help="输出 JSON")
        e = sub.add_parser("export", help="导出企业（与模板同样的表头）")
        e.add_argument("file", help="输出 .xlsx 文件")
        e.add_argument("--township", help="只导出此乡镇的企业")
        d = sub.add_parser("demo", help="生成演示企业（标记为演示数据）")
        d.add_argument("--count", type=int, default=300, help="企业数量，默认 300")
        d.add_argument("--seed", type=int, default=2026, help="随机种子，默认 2026")
        d.add_argument("--background", action="store_true", help="交给后台任务（工作进程）生成，命令立即返回")

    def handle(self, *args, **options):
        return getattr(self, "_" + options["action"])(options)

    # template ------------------------------------------------------------------------
    def _template(self, options):
        names = list(Region.townships().values_list("name", flat=True))
        target = options["file"]
        if target == "-":
            write_template(sys.stdout.buffer, names)
            return
        try:
            write_template(target, names)
        except OSError as exc:
            raise CommandError(f"无法写入文件“{target}”（{exc.strerror or exc}）", returncode=2) from None
        self.stdout.write(f"已生成导入模板：{target}（工作表：企业、年度数据、知识产权、资质、填写说明）")

    # import --------------------------------------------------------------------------
    def _import(self, options):
        from kechuang.core.permissions import system_actor
        from kechuang.enterprises.excel_io import error_report
        from kechuang.enterprises.imports import import_workbook

        source = options["file"]
        try:
            data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{source}”（{exc.strerror or exc}）", returncode=1) from None
        name = "stdin.xlsx" if source == "-" else Path(source).name
        from kechuang.jobs.cli_progress import cli_progress

        try:
            with cli_progress(self.stderr, f"导入 {name}") as progress:
                result = import_workbook(data, filename=name, dry_run=options["dry_run"],
                                         user=system_actor(f"command:enterprises import {name}"), progress=progress)
        except WorkbookError as exc:
            raise CommandError(f"{name}：{exc}", returncode=1) from None
        audit.record(AuditEvent.Kind.IMPORT, username=current_context().actor, outcome="success" if result.ok else "failure",
                     object_ref=f"enterprises:{name}",
                     detail={"file": name, "dry_run": result.dry_run, "problems": len(result.problems),
                             "counts": result.counts})
        if not result.ok:
            for problem in result.problems:
                self.stdout.write(str(problem))
            if options.get("report"):
                Path(options["report"]).write_bytes(error_report(data, result.problems))
                self.stdout.write(f"错误报告已写入：{options['report']}")
            raise CommandError(f"导入失败：共 {len(result.problems)} 处错误，未保存任何数据。", returncode=1)
        if result.dry_run:
            self.stdout.write(f"试运行（未保存）：全部数据行有效。将会：{result.summary()}")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{result.summary()}"))
        if result.skipped_examples:
            self.stdout.write(f"已忽略示例行 {result.skipped_examples} 行")

    # facts ---------------------------------------------------------------------------
    def _facts(self, options):
        code = (options["uscc"] or "").strip().upper()
        try:
            uscc_check.validate(code)
        except StdnumError as exc:
            raise CommandError(f"统一社会信用代码“{code}”无效：{uscc_reason(code, exc)}", returncode=2) from None
        enterprise = Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            raise CommandError(f"企业库中没有统一社会信用代码为“{code}”的企业", returncode=1)
        facts = enterprise_facts(enterprise)
        if options["json"]:
            self.stdout.write(facts_json(facts))
            return
        self.stdout.write(_human(facts))

    # export --------------------------------------------------------------------------
    def _export(self, options):
        from kechuang.enterprises.exports import export_workbook

        qs = Enterprise.objects.all()
        if options.get("township"):
            region = Region.resolve(options["township"])
            if region is None:
                raise CommandError(f"--township：未知的乡镇“{options['township']}”", returncode=2)
            qs = qs.filter(township=region)
        data = export_workbook(qs)
        Path(options["file"]).write_bytes(data)
        count = qs.count()
        audit.record(AuditEvent.Kind.EXPORT, username=current_context().actor, object_ref="enterprises:export",
                     detail={"file": Path(options["file"]).name, "enterprises": count})
        self.stdout.write(f"已导出 {count} 家企业：{options['file']}")

    # demo ----------------------------------------------------------------------------
    def _demo(self, options):
        from kechuang.enterprises.demo import generate

        if options["count"] < 1:
            raise CommandError("--count：应为正整数", returncode=2)
        if options.get("background"):
            from kechuang.core.permissions import system_actor
            from kechuang.jobs.services import job_start

            job = job_start(actor=system_actor("command:enterprises demo"), kind="enterprises.demo",
                            args={"count": options["count"], "seed": options["seed"]})
            self.stdout.write(f"已交给后台任务 #{job.pk}（由 kechuang worker 或 kechuang serve 的工作进程运行）")
            return
        from kechuang.jobs.cli_progress import cli_progress

        with cli_progress(self.stderr, f"生成演示企业 {options['count']} 家") as progress:
            stats = generate(options["count"], seed=options["seed"], progress=progress)
        self.stdout.write(f"演示数据：新建企业 {stats['created']} 家（已存在 {stats['existing']} 家），"
                          f"年度数据 {stats['years']} 条，知识产权 {stats['ip']} 条，资质 {stats['qualifications']} 条")


def _human(facts: dict) -> str:
    """The facts in Chinese labels for reading on a terminal."""
    from kechuang.enterprises import vocab

    lines = [f"企业名称：{facts.get('name')}", f"统一社会信用代码：{facts.get('uscc')}",
             f"所属乡镇：{facts.get('region')}", f"成立日期：{facts.get('established_on', '未填')}"]
    for key, label in (("employees", "职工总数"), ("tech_staff", "科技人员数"), ("rd_staff", "研发人员数")):
        lines.append(f"{label}：{facts.get(key, '未填')}")
    if "high_tech_field" in facts:
        lines.append(f"高新技术领域：{facts['high_tech_field'] or '不属于'}")
    for y in facts.get("years", []):
        figures = "，".join(f"{vocab.YEAR_MONEY_FIELDS[k][0]} {v}" for k, v in y.items() if k != "year")
        lines.append(f"{y['year']} 年度（万元）：{figures or '无数据'}")
    for ip in facts.get("ip_rights", []):
        lines.append(f"知识产权：{vocab.IP_KINDS[ip['kind']]} 授权 {ip.get('granted_on', '未知')}"
                     f"{' 核心' if ip.get('core') else ''}")
    for q in facts.get("qualifications", []):
        lines.append(f"资质：{vocab.QUALIFICATION_KINDS[q['kind']]} 有效期 {q.get('valid_from', '?')} 至 {q.get('valid_until', '?')}")
    flags = [label for key, label in (("serious_dishonesty", "科研严重失信"), ("abnormal_operation_listed", "经营异常/严重违法失信"),
                                      ("incident_last_year", "近一年重大事故")) if facts.get(key)]
    lines.append("信用：" + ("、".join(flags) if flags else "无不良记录"))
    return "\n".join(lines)
