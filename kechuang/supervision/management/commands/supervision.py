"""`kechuang supervision …` — 双随机一公开 draws anyone can re-run (contract section 7).

Subcommands:
  draw   --objects F --inspectors F --ratio R --per-object K --seed S [--conflicts F] [--json]
  verify --draw F --objects F --inspectors F [--conflicts F]

Files are UTF-8 CSV with a header row (``-`` = standard input). Exit status: 0 done / matches;
1 a drawn object cannot be staffed (draw) or the published draw differs (verify), the message
naming the object or the first difference; 2 malformed input, naming the file, row and field.
No database is needed. The algorithm is in :mod:`kechuang.supervision.draw` and, for citizens,
in docs/supervision.md.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kechuang.supervision.draw import CannotStaff, DrawInputError, draw, rosters_from_csv, verify


def _read(path: str | None, label: str, stdin_used: list) -> str | None:
    if path is None:
        return None
    if path == "-":
        if stdin_used:
            raise CommandError(f"{label}: 只能有一个文件来自标准输入", returncode=2)
        stdin_used.append(label)
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"{label} {path}: 无法读取（{exc.strerror}）", returncode=2) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{label} {path}: 不是 UTF-8 编码（第 {exc.start} 字节）", returncode=2) from None


class Command(BaseCommand):
    help = "双随机一公开：draw 按公布的种子抽取检查对象和检查人员；verify 用公布的名录重算并核对一次抽取"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        d = sub.add_parser("draw", help="抽取")
        d.add_argument("--objects", required=True, help="检查对象名录 CSV（列 id,name,unit）")
        d.add_argument("--inspectors", required=True, help="检查人员名录 CSV（列 id,name,unit）")
        d.add_argument("--conflicts", help="回避声明 CSV（列 inspector_id,object_id,reason）")
        d.add_argument("--ratio", required=True, help="抽查比例，如 0.05")
        d.add_argument("--per-object", required=True, dest="per_object", help="每个对象的检查人员数，如 2")
        d.add_argument("--seed", required=True, help="事先公布的随机种子，如 20261204-上证收盘3421.55")
        d.add_argument("--json", action="store_true", help="输出 JSON")
        v = sub.add_parser("verify", help="核对")
        v.add_argument("--draw", required=True, help="公布的抽取结果 JSON")
        v.add_argument("--objects", required=True)
        v.add_argument("--inspectors", required=True)
        v.add_argument("--conflicts")

    def handle(self, *args, **options):
        stdin_used: list = []
        texts = {k: _read(options.get(k), f"--{k}", stdin_used) for k in ("objects", "inspectors", "conflicts")}
        try:
            rosters = rosters_from_csv(texts["objects"], texts["inspectors"], texts["conflicts"])
            if options["action"] == "draw":
                return self._draw(rosters, options)
            return self._verify(rosters, _read(options["draw"], "--draw", stdin_used))
        except DrawInputError as exc:
            raise CommandError(str(exc), returncode=2) from None

    def _draw(self, rosters, options):
        try:
            result = draw(rosters, seed=options["seed"], ratio=options["ratio"], per_object=options["per_object"])
        except CannotStaff as exc:
            raise CommandError(str(exc), returncode=1) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
            return
        names = {o.id: o.name for o in rosters.objects}
        people = {i.id: i.name for i in rosters.inspectors}
        self.stdout.write(f"随机种子：{result.seed}")
        self.stdout.write(f"名录摘要（input_digest）：{result.input_digest}")
        self.stdout.write(f"检查对象 {result.population} 个，抽查比例 {result.ratio}，抽中 {len(result.drawn)} 个，"
                          f"每个对象 {result.per_object} 名检查人员")
        for n, (obj, insp) in enumerate(result.drawn, start=1):
            who = "、".join(f"{people.get(i, '')}（{i}）" for i in insp)
            self.stdout.write(f"{n}. {names.get(obj, '')}（{obj}）：{who}")

    def _verify(self, rosters, text):
        try:
            published = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--draw: 不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）", returncode=2) from None
        if not isinstance(published, dict):
            raise CommandError("--draw: 应为抽取结果 JSON 对象", returncode=2)
        diff = verify(published, rosters)
        if diff:
            raise CommandError(f"核对不一致：{diff}", returncode=1)
        self.stdout.write(f"核对一致：种子 {published['seed']}，名录摘要 {published['input_digest']}，"
                          f"抽中 {len(published['drawn'])} 个对象，检查人员全部相符")
