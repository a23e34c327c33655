"""`kechuang worker [--batch] [--no-schedule] [--interval S] [--worker-id ID]`: run a background
worker (jobs, the daily schedule, recovery of jobs whose worker died). Run as many as you like,
on as many machines as share the PostgreSQL database."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "运行后台任务工作进程（任务队列、每日提醒、中断任务的恢复）；可在多台机器上各运行多个"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="运行完队列中的任务后退出")
        parser.add_argument("--no-schedule", action="store_true", help="不负责定时提醒（其他工作进程负责）")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒），默认 1")
        parser.add_argument("--worker-id", default="", help="工作进程编号（默认：主机名:进程号:随机串）")
        parser.add_argument("--nice", type=int, default=10,
                            help="工作进程的调度优先级降低多少（0–19，默认 10）：与 Web 进程同机时网页请求优先得到 CPU")

    def handle(self, *args, batch=False, no_schedule=False, interval=1.0, worker_id="", nice=10, **options):
        from kechuang.jobs.tasks import new_worker_id
        from kechuang.jobs.worker import KechuangWorker

        if interval <= 0 or interval > 3600:
            raise CommandError("--interval：应在 0 到 3600 秒之间")
        if not 0 <= nice <= 19:
            raise CommandError("--nice：应在 0 到 19 之间")
        if nice:
            import os

            os.nice(nice)   # a long job must not starve the pages served from the same machine
        worker_id = (worker_id or new_worker_id())[:64]
        logging.getLogger("kechuang.jobs").setLevel(logging.INFO)
        if not logging.getLogger("kechuang.jobs").handlers:
            logging.getLogger("kechuang.jobs").addHandler(logging.StreamHandler(self.stdout))
        connection.ensure_connection()
        worker = KechuangWorker(worker_id=worker_id, interval=interval, schedule=not no_schedule, batch=batch)
        if batch:
            worker.run()
            self.stdout.write(f"已运行 {worker._run_tasks} 个任务")
            return
        self.stdout.write(f"后台任务工作进程 {worker_id} 已启动（Ctrl+C 停止；正在运行的任务会先完成）")
        worker.configure_signals()
        worker.run()
