"""`kechuang pipeline run [--on DATE] [--json] [--background]`: the 培育库 batch diagnosis (全市 refresh)
of every enterprise, as the pipeline page's button does (progress bar on a terminal, plain lines
when piped); ``--background`` queues it for a worker instead."""
from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "培育库批量诊断：对全部企业运行预诊断并记录一次运行（全市刷新）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        r = sub.add_parser("run", help="对全部企业运行一次")
        r.add_argument("--on", help="评价日期 YYYY-MM-DD，默认今天")
        r.add_argument("--json", action="store_true", help="输出一个 JSON 文档")
        r.add_argument("--background", action="store_true", help="交给后台任务（工作进程）运行，命令立即返回")

    def handle(self, *args, **options):
        from kechuang.core.permissions import system_actor

        on = dt.date.today()
        if options.get("on"):
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(f"--on：日期格式错误“{options['on']}”，应为 YYYY-MM-DD", returncode=2) from None
        actor = system_actor("command:pipeline run")
        if options["background"]:
            from kechuang.jobs.services import job_start

            job = job_start(actor=actor, kind="diagnosis.run", args={"on": on.isoformat()})
            self.stdout.write(f"已交给后台任务 #{job.pk}（由 kechuang worker 或 kechuang serve 的工作进程运行）")
            return
        from kechuang.diagnosis.services import diagnosis_run_create
        from kechuang.enterprises.models import Enterprise
        from kechuang.jobs.cli_progress import cli_progress

        with cli_progress(self.stderr, "培育库批量诊断") as progress:
            run = diagnosis_run_create(user=actor, on=on, queryset=Enterprise.objects.all(), note="命令行",
                                       progress=progress)
        doc = {"run": run.pk, "on": on.isoformat(), "enterprises": run.enterprise_count,
               "seconds": round(run.duration_ms / 1000, 2)}
        if options["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
        else:
            self.stdout.write(f"培育库运行 #{run.pk}：{run.enterprise_count} 家企业，评价日期 {on}，"
                              f"用时 {doc['seconds']} 秒")
