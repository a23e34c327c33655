"""Tokenizer, sentence splitting and normalisation."""
from kechuang.search.text import ChineseTokenizer, normalize, split_sentences


def test_split_sentences_on_csl_punctuation():
    text = "建立了数学模型；利用动力学方程建立了模型,提出了新方法.仿真结果表明,方法有效.精度为0.5 mm"
    assert split_sentences(text) == ["建立了数学模型", "利用动力学方程建立了模型,提出了新方法",
                                     "仿真结果表明,方法有效", "精度为0.5 mm"]


def test_split_sentences_cuts_long_pieces():
    parts = split_sentences("甲" * 350, max_chars=160)
    assert [len(p) for p in parts] == [160, 160, 30]


def test_normalize_full_width():
    assert normalize("ＬＥＤ芯片１２３") == "led芯片123"


def test_domain_dictionary_keeps_domain_terms():
    plain = ChineseTokenizer(use_domain_dict=False)
    domain = ChineseTokenizer()
    text = "双官能团活性染料的匀染性"
    assert "匀染性" in domain.tokens(text)
    assert "匀染性" not in plain.tokens(text)
    assert plain.fingerprint != domain.fingerprint


def test_stopwords_removed_but_query_never_emptied():
    tok = ChineseTokenizer()
    assert "的" not in tok.tokens("石材的加工")
    assert tok.tokens("的") == []
    assert tok.query_tokens("的") == ["的"]
