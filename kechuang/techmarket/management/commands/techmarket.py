"""`kechuang techmarket …` — technology-market commands.

Subcommands:
  search --query TEXT | --queries FILE [--corpus FILE] [--k 10] [--mode hybrid] [--json]
      ranked research achievements for a need (contract section 6). Without --corpus the
      achievements loaded in the product are searched (published achievements in the
      database; when none are loaded yet, the shipped CSL catalogue).
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kechuang.search.documents import CorpusError, read_tsv_rows
from kechuang.search.embedders import EmbedderError
from kechuang.search.engine import MODES, IndexMismatch, SearchError


def _result_json(hit) -> dict:
    return {"id": hit.id, "title": hit.title, "score": hit.score, "why": hit.why,
            "lexical_rank": hit.lexical_rank, "semantic_rank": hit.semantic_rank}


class Command(BaseCommand):
    help = "技术市场：search 为技术需求检索科技成果（关键词 + 语义混合检索）；index 建立或更新成果检索索引"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        s = sub.add_parser("search", help="检索科技成果")
        group = s.add_mutually_exclusive_group(required=True)
        group.add_argument("--query", help="检索词或需求描述")
        group.add_argument("--queries", help="批量检索的 TSV 文件（列 qid, query），- 表示标准输入")
        s.add_argument("--corpus", help="成果 TSV 文件（列 id, title, abstract, keywords），先索引再检索")
        s.add_argument("--k", default="10", help="返回条数（默认 10）")
        s.add_argument("--mode", default="hybrid", choices=MODES, help="hybrid 混合（默认）/ lexical 关键词 / semantic 语义")
        s.add_argument("--json", action="store_true", help="输出 JSON")

        ix = sub.add_parser("index", help="建立或更新成果检索索引（与后台任务 techmarket.search_index 相同）")
        ix.add_argument("--rebuild", action="store_true", help="从头重建，而不是增量更新")
        ix.add_argument("--background", action="store_true", help="交给后台任务（工作进程）运行，命令立即返回")

    def handle(self, *args, **options):
        if options["action"] == "index":
            return self._index(options)
        return self._search(options)

    def _index(self, options):
        from kechuang.core.permissions import system_actor
        from kechuang.jobs.cli_progress import cli_progress
        from kechuang.techmarket.catalogue import INDEX_JOB, catalogue_sync

        if options["background"]:
            from kechuang.jobs.services import job_start

            job = job_start(actor=system_actor("command:techmarket index"), kind=INDEX_JOB,
                            args={"rebuild": True} if options["rebuild"] else {})
            self.stdout.write(f"已交给后台任务 #{job.pk}（由 kechuang worker 或 kechuang serve 的工作进程运行）")
            return
        with cli_progress(self.stderr, "成果检索索引") as progress:
            out = catalogue_sync(progress=progress, rebuild=options["rebuild"])
        self.stdout.write(f"成果检索索引：{out['documents']} 项成果（新增或更新 {out['added']}，移除 {out['removed']}），"
                          f"版本 {out['version']}")

    def _search(self, options):
        try:
            k = int(options["k"])
        except ValueError:
            raise CommandError(f"--k：应为正整数，实际为“{options['k']}”", returncode=2) from None
        if k < 1:
            raise CommandError(f"--k：应为正整数，实际为“{options['k']}”", returncode=2)
        if options["query"] is not None:
            if not options["query"].strip():
                raise CommandError("--query：查询不能为空", returncode=2)
            batch = None
        else:
            try:
                rows = read_tsv_rows(options["queries"], ("qid", "query"))
            except CorpusError as exc:
                raise CommandError(f"--queries {exc}", returncode=2) from None
            if not rows:
                raise CommandError(f"--queries {options['queries']}: 没有任何查询", returncode=2)
            batch = []
            for i, row in enumerate(rows, start=2):
                qid, q = (row.get("qid") or "").strip(), (row.get("query") or "").strip()
                if not qid:
                    raise CommandError(f"--queries 第{i}行 qid: 不能为空", returncode=2)
                if not q:
                    raise CommandError(f"--queries 第{i}行 query: 不能为空（qid={qid}）", returncode=2)
                batch.append((qid, q))
        try:
            from kechuang.techmarket.catalogue import engine_for
            engine, label = engine_for(options.get("corpus"), progress=True)
        except CorpusError as exc:
            raise CommandError(f"--corpus {exc}", returncode=2) from None
        except (EmbedderError, IndexMismatch) as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            if batch is None:
                hits = engine.search(options["query"], k=k, mode=options["mode"])
                out = {"query": options["query"], "corpus": label, "mode": options["mode"],
                       "results": [_result_json(h) for h in hits]}
            else:
                runs = []
                for qid, q in batch:
                    try:
                        hits = engine.search(q, k=k, mode=options["mode"])
                    except SearchError as exc:
                        raise CommandError(f"--queries qid={qid}: {exc}", returncode=2) from None
                    runs.append({"qid": qid, "query": q, "results": [_result_json(h) for h in hits]})
                out = {"corpus": label, "mode": options["mode"], "runs": runs}
        except SearchError as exc:
            raise CommandError(f"--query：{exc}", returncode=2) from None
        except EmbedderError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self._print_human(out)

    def _print_human(self, out: dict) -> None:
        runs = out.get("runs") or [{"qid": "", "query": out["query"], "results": out["results"]}]
        self.stdout.write(f"检索范围：{out['corpus']}（{ {'hybrid': '混合', 'lexical': '关键词', 'semantic': '语义'}[out['mode']] }检索）")
        for run in runs:
            head = f"[{run['qid']}] " if run["qid"] else ""
            self.stdout.write(f"\n{head}查询：{run['query']}")
            if not run["results"]:
                self.stdout.write("  （无结果）")
            for n, r in enumerate(run["results"], start=1):
                self.stdout.write(f"  {n:>2}. {r['title']}  [{r['id']}]  得分 {r['score']:.3f}")
                for w in r["why"]:
                    self.stdout.write(f"      · {w}")
