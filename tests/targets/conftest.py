"""Targets tests: start every test with an empty cache (derived figures and dashboards are cached)."""
import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.conf import settings

    if not settings.configured:  # pure tests run with `-p no:django`
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
