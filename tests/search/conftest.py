"""Fixtures for the pure search tests: a small slice of the shipped CSL corpus."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kechuang.search.documents import load_corpus

ROOT = Path(__file__).resolve().parents[2]
CSL = ROOT / "data" / "techmarket" / "csl_papers.tsv"


@pytest.fixture(scope="session")
def csl_docs():
    """All 2,000 CSL records as Documents."""
    return load_corpus(CSL)


@pytest.fixture(scope="session")
def small_docs(csl_docs):
    """The first 60 CSL records."""
    return csl_docs[:60]


def write_tsv(path: Path, rows: list[dict], columns=("id", "title", "abstract", "keywords")) -> Path:
    """Write rows to a TSV with the given header."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), delimiter="\t", quoting=csv.QUOTE_NONE,
                           escapechar="\\", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path
