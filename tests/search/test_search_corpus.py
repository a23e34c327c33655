"""Corpus loading: clear errors naming the row and field."""
import pytest

from kechuang.search.documents import CorpusError, load_corpus, make_document, split_keywords

from .conftest import write_tsv


def row(i, **kw):
    base = {"id": f"d{i}", "title": f"标题{i}", "abstract": "摘要", "keywords": "石材；激光"}
    base.update(kw)
    return base


def test_loads_csl_copy(csl_docs):
    assert len(csl_docs) == 2000
    assert csl_docs[0].id == "csl-dev-0000"
    assert csl_docs[0].keywords[:2] == ("修正Rodrigues参数模型", "平方和优化")


def test_split_keywords_separators():
    assert split_keywords("石材；激光;雕刻，石材、 ") == ("石材", "激光", "雕刻")


def test_missing_column(tmp_path):
    p = write_tsv(tmp_path / "c.tsv", [row(1)], columns=("id", "title", "abstract"))
    with pytest.raises(CorpusError, match="缺少列 keywords"):
        load_corpus(p)


def test_duplicate_id_names_rows(tmp_path):
    p = write_tsv(tmp_path / "c.tsv", [row(1), row(2), row(1)])
    with pytest.raises(CorpusError, match="第4行 id: 与第2行重复"):
        load_corpus(p)


def test_empty_title_names_row(tmp_path):
    p = write_tsv(tmp_path / "c.tsv", [row(1), row(2, title="")])
    with pytest.raises(CorpusError, match="第3行 title: 不能为空"):
        load_corpus(p)


def test_oversized_field_rejected():
    with pytest.raises(CorpusError, match="abstract: 超过 100000 字"):
        make_document(row(1, abstract="甲" * 100_001))
    assert make_document(row(1, abstract="甲" * 100_000)).abstract.startswith("甲")


def test_not_utf8_and_missing_file(tmp_path):
    p = tmp_path / "gbk.tsv"
    p.write_bytes("id\ttitle\tabstract\tkeywords\n1\t石材\t摘要\t词\n".encode("gbk"))
    with pytest.raises(CorpusError, match="不是 UTF-8"):
        load_corpus(p)
    with pytest.raises(CorpusError, match="文件不存在"):
        load_corpus(tmp_path / "none.tsv")


def test_empty_corpus(tmp_path):
    p = write_tsv(tmp_path / "c.tsv", [])
    with pytest.raises(CorpusError, match="没有任何记录"):
        load_corpus(p)
