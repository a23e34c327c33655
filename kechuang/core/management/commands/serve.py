"""`kechuang serve [--demo] [--addr HOST:PORT]`: migrate, load reference data, create the
first administrators, optionally demo data, and serve the web app with waitress."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.accounts import ensure_administrators, ensure_demo_users


class Command(BaseCommand):
    help = "迁移数据库、加载基础数据、创建首个管理员，并启动 Web 服务（--demo 加载演示数据）"

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="加载演示企业与演示账户")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据库，不启动服务")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="不在本进程内启动后台任务工作进程（另行运行 kechuang worker 时使用）")

    def handle(self, *args, demo=False, addr="127.0.0.1:8000", no_serve=False, threads=8, no_worker=False,
               **options):
        host, _sep, port = addr.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--addr 格式应为 主机:端口，例如 127.0.0.1:8000（收到 {addr!r}）")
        self.stdout.write("正在迁移数据库并加载基础数据……")
        call_command("migrate", interactive=False, verbosity=0)
        for username, role, password in ensure_administrators():
            self.stdout.write(self.style.WARNING(
                f"已创建{role}账户 {username}，初始密码：{password}（仅显示这一次，请妥善保存）"))
        if demo:
            self._load_demo()
        from kechuang.techmarket.catalogue import ensure_index

        ensure_index()   # the first search index is built by a worker, not by the first search
        if no_serve:
            return
        from waitress import serve

        from kechuang.wsgi import application

        if not no_worker:   # one worker in this process, so the first command runs everything
            from kechuang.jobs.tasks import new_worker_id
            from kechuang.jobs.worker import start_in_thread

            start_in_thread(worker_id=new_worker_id())
            self.stdout.write("后台任务工作进程已在本进程内启动（多机部署时用 --no-worker，另行运行 kechuang worker）")
        self.stdout.write(self.style.SUCCESS(f"科创平台已启动：http://{addr}/ （Ctrl+C 停止）"))
        try:
            serve(application, host=host.strip("[]"), port=int(port), threads=threads, ident="kechuang")
        except OSError as exc:
            raise CommandError(f"无法在 {addr} 上启动服务 / cannot listen on {addr}: {exc.strerror or exc}") from exc

    def _load_demo(self):
        self.stdout.write("正在加载演示数据……")
        modules = _demo_modules()
        enterprise = None
        for dotted, module in modules:
            loader = getattr(module, "load_demo", None)
            if loader is not None:
                result = loader(stdout=self.stdout)
                if dotted == "kechuang.enterprises" and result is not None:
                    enterprise = result
        for username, role, password in ensure_demo_users(enterprise):
            self.stdout.write(f"  演示账户 {username}（{role}）密码：{password}")
        # demo records that need the demo accounts (a broker's workbench, an enterprise's needs)
        for _dotted, module in modules:
            after_users = getattr(module, "load_demo_activity", None)
            if after_users is not None:
                after_users(stdout=self.stdout)


def _demo_modules() -> list[tuple[str, object]]:
    """(app, its demo module) for the project apps that have ``demo.py``, in settings order."""
    return [(dotted, import_module(f"{dotted}.demo")) for dotted in settings.PROJECT_APPS
            if find_spec(f"{dotted}.demo") is not None]
