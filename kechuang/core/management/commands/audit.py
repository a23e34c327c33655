"""`kechuang audit verify` checks the tamper-evident chain; `kechuang audit purge --days N`
removes rows older than N days (N ≥ 180, the legal minimum retention)."""

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import purge_older_than, verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验防篡改链；purge --days N 清理 N 天前的记录（N ≥ 180）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify")
        purge = sub.add_parser("purge")
        purge.add_argument("--days", type=int, required=True)

    def handle(self, *args, action, days=None, **options):
        if action == "verify":
            problems = verify_chain()
            if problems:
                for p in problems:
                    self.stderr.write(p)
                raise CommandError(f"审计日志校验失败：{len(problems)} 处问题")
            self.stdout.write("审计日志完整 / audit chain intact")
        else:
            try:
                removed = purge_older_than(days)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已清理 {removed} 条 {days} 天前的审计记录")
