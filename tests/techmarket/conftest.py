"""Technology-market fixtures: the fast hashing embedder and one search directory for the session.

The CSL catalogue (2,000 published achievements) is loaded into the test database by the
reference-data step after migrate; a shared search directory lets the catalogue index be
built once and then kept in step incrementally, test after test.
"""
import pytest


@pytest.fixture(scope="session")
def search_var(tmp_path_factory):
    """A VAR_DIR shared by the session."""
    return tmp_path_factory.mktemp("techmarket-var")


@pytest.fixture
def hashing_search(settings, monkeypatch, search_var):
    """Use the hashing embedder and the shared search directory."""
    settings.VAR_DIR = search_var
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
