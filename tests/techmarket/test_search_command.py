"""`kechuang techmarket search` (contract section 6) with the fast hashing embedder."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.search.conftest import write_tsv


@pytest.fixture
def corpus(tmp_path, settings, monkeypatch):
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
    rows = [
        {"id": "a1", "title": "双官能团活性染料的匀染性", "abstract": "研究了活性染料在棉织物上的匀染性和固色率。", "keywords": "活性染料；匀染性"},
        {"id": "a2", "title": "石材荒料智能切割", "abstract": "提出石材荒料切割路径优化方法。", "keywords": "石材；切割"},
        {"id": "a3", "title": "水暖阀门无铅铜合金", "abstract": "开发了无铅铜合金阀门铸造工艺。", "keywords": "无铅铜；阀门"},
    ]
    return write_tsv(tmp_path / "corpus.tsv", rows)


def run(*args):
    out = StringIO()
    call_command("techmarket", "search", *args, stdout=out)
    return out.getvalue()


def test_single_query_json(corpus):
    doc = json.loads(run("--query", "活性染料 匀染性", "--corpus", str(corpus), "--json"))
    assert doc["query"] == "活性染料 匀染性"
    top = doc["results"][0]
    assert (top["id"], top["title"]) == ("a1", "双官能团活性染料的匀染性")
    assert set(top) >= {"id", "title", "score", "why"}
    assert "匹配关键词：活性染料、匀染性" in top["why"]
    assert 0 < top["score"] <= 1


def test_k_limits_results(corpus):
    doc = json.loads(run("--query", "石材", "--corpus", str(corpus), "--k", "1", "--json"))
    assert [r["id"] for r in doc["results"]] == ["a2"]


def test_batch_queries(corpus, tmp_path):
    q = tmp_path / "q.tsv"
    q.write_text("qid\tquery\nq01\t无铅铜 阀门\nq02\t石材切割\n", encoding="utf-8")
    doc = json.loads(run("--queries", str(q), "--corpus", str(corpus), "--json"))
    assert [(r["qid"], r["results"][0]["id"]) for r in doc["runs"]] == [("q01", "a3"), ("q02", "a2")]


def test_index_is_reused(corpus, settings):
    run("--query", "石材", "--corpus", str(corpus), "--json")
    metas = list((settings.VAR_DIR / "search").glob("corpus-*/meta.json"))
    assert len(metas) == 1
    stamp = metas[0].stat().st_mtime_ns
    run("--query", "阀门", "--corpus", str(corpus), "--json")
    assert metas[0].stat().st_mtime_ns == stamp


def test_human_output_in_chinese(corpus):
    text = run("--query", "石材", "--corpus", str(corpus))
    assert "查询：石材" in text and "石材荒料智能切割" in text and "得分" in text


@pytest.mark.parametrize("args,message", [
    (["--query", " "], "查询不能为空"),
    (["--query", "石材", "--k", "0"], "--k：应为正整数"),
    (["--query", "石材", "--k", "x"], "--k：应为正整数"),
    (["--query", "石" * 3000], "查询过长"),
])
def test_bad_input(corpus, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--corpus", str(corpus))


def test_bad_files(corpus, tmp_path):
    bad = write_tsv(tmp_path / "bad.tsv", [{"id": "x", "title": "t"}], columns=("id", "title"))
    with pytest.raises(CommandError, match="缺少列 abstract, keywords"):
        run("--query", "石材", "--corpus", str(bad))
    q = tmp_path / "q.tsv"
    q.write_text("qid\tquery\nq01\t\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行 query: 不能为空"):
        run("--queries", str(q), "--corpus", str(corpus))
    with pytest.raises(CommandError, match="文件不存在"):
        run("--query", "石材", "--corpus", str(tmp_path / "none.tsv"))
