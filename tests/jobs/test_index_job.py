"""The catalogue's search index is built and updated by its job (on publish / unpublish / edit),
never by a search: a search reads the CURRENT pointer and the version it names, no database rows."""

from __future__ import annotations

import pytest

from kechuang.jobs.models import Job
from kechuang.jobs.worker import run_pending
from kechuang.techmarket import services
from kechuang.techmarket.catalogue import catalogue_engine, catalogue_sync, current_version
from kechuang.techmarket.models import Achievement

pytestmark = pytest.mark.django_db


@pytest.fixture
def index_by_job(settings, monkeypatch, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.KECHUANG_SEARCH_INDEX_INLINE = False
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")


def _titles(query: str) -> list[str]:
    engine = catalogue_engine()
    return [h.title for h in engine.search(query, k=5)] if engine else []


def test_publish_and_unpublish_update_the_index_through_the_job(world, index_by_job,
                                                               django_capture_on_commit_callbacks,
                                                               django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        a = Achievement.objects.create(title="玄武岩纤维增强石材复合板", abstract="玄武岩纤维 石材 复合板 增强",
                                       keywords=["玄武岩纤维"], status="review")
    assert catalogue_engine() is None                       # nothing built yet: a search builds nothing
    job = Job.objects.get(kind="techmarket.search_index")
    run_pending()
    job.refresh_from_db()
    assert job.state == "done" and job.result["added"] > 0 and "索引" in job.result_label
    first = current_version()
    assert "玄武岩纤维增强石材复合板" not in _titles("玄武岩纤维 复合板")   # not published yet
    with django_capture_on_commit_callbacks(execute=True):
        services.achievement_publish(user=world.staff, achievement=a)
    with django_capture_on_commit_callbacks(execute=True):   # a second change while one job is queued
        Achievement.objects.filter(pk=a.pk).first().save()
    assert Job.objects.filter(kind="techmarket.search_index", state="queued").count() == 1
    assert "玄武岩纤维增强石材复合板" not in _titles("玄武岩纤维 复合板")   # the search waits for the job
    run_pending()
    assert current_version() != first
    with django_assert_num_queries(0):                      # a search never reads the achievements
        assert "玄武岩纤维增强石材复合板" in _titles("玄武岩纤维 复合板")
    with django_capture_on_commit_callbacks(execute=True):   # 下架
        a.status = Achievement.Status.EXPIRED
        a.save(update_fields=["status"])
    run_pending()
    assert "玄武岩纤维增强石材复合板" not in _titles("玄武岩纤维 复合板")
    job = Job.objects.filter(kind="techmarket.search_index").latest("id")
    assert job.result["removed"] == 1 and job.result["added"] == 0


def test_index_job_is_idempotent_and_a_cancelled_run_swaps_nothing_in(world, index_by_job):
    out = catalogue_sync()
    version = current_version()
    assert out["added"] == out["documents"] > 0 and version == out["version"]
    again = catalogue_sync()                                 # a retry: nothing changed, nothing written
    assert again == {"version": version, "added": 0, "removed": 0, "documents": out["documents"]}
    Achievement.objects.create(title="新能源汽车电池回收", abstract="电池 回收 梯次利用", status="published")
    from kechuang.core.permissions import system_actor
    from kechuang.jobs.services import job_start

    job = job_start(actor=system_actor("test"), kind="techmarket.search_index", args={})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)   # the officer cancels as it starts
    run_pending()
    job.refresh_from_db()
    assert job.state == "cancelled" and current_version() == version
    from kechuang.jobs.services import job_retry

    job_retry(actor=world.staff, job=job)
    run_pending()
    job.refresh_from_db()
    assert job.state == "done" and job.result["added"] == 1 and current_version() != version


def test_bureau_rebuilds_the_index_from_the_moderation_page_and_sees_its_bar(world, client_for, index_by_job):
    from django.urls import reverse

    staff = client_for(world.staff)
    r = staff.post(reverse("techmarket:moderation"), {"action": "reindex"})
    assert r.status_code == 302
    job = Job.objects.get(kind="techmarket.search_index")
    assert job.args == {"rebuild": True} and job.started_by == world.staff
    page = staff.get(reverse("techmarket:moderation")).content.decode()
    assert f'id="job-progress-{job.pk}"' in page and "排队" in page
    run_pending()
    page = staff.get(reverse("techmarket:moderation")).content.decode()
    job.refresh_from_db()
    assert job.state == "done" and job.result_url in page and "索引" in job.result_label
    assert client_for(world.clerk_a).post(reverse("techmarket:moderation"), {"action": "reindex"}).status_code == 403


def test_the_job_persists_the_coarse_projection_so_no_search_computes_it(world, index_by_job, monkeypatch):
    import numpy as np

    from kechuang.search import engine as search_engine
    from kechuang.techmarket import catalogue

    monkeypatch.setattr(search_engine, "EXACT_SCAN_LIMIT", 100)   # the 2,000 CSL records count as large
    catalogue_sync()
    catalogue._MEMO.clear()                                      # a fresh web process

    def no_svd(*a, **k):
        raise AssertionError("a search computed the projection")

    monkeypatch.setattr(np.linalg, "svd", no_svd)
    engine = catalogue_engine()
    assert engine._coarse is not None and isinstance(engine._coarse[1], np.memmap)
    assert engine.search("活性染料", k=3)
    Achievement.objects.create(title="新能源汽车电池回收", abstract="电池 回收 梯次利用", status="published")
    assert catalogue_sync()["added"] == 1                        # an update reuses the projection too
    catalogue._MEMO.clear()
    assert catalogue_engine().search("电池 回收", k=3)[0].title == "新能源汽车电池回收"


def test_a_process_serving_a_large_index_loads_the_new_version_in_the_background(world, index_by_job, monkeypatch):
    from kechuang.techmarket import catalogue

    monkeypatch.setattr(catalogue, "BACKGROUND_LOAD_DOCS", 100)   # the 2,000 CSL records count as large
    catalogue_sync()
    catalogue._MEMO.clear()
    old = catalogue_engine()                                      # the first load is in the request
    Achievement.objects.create(title="新能源汽车电池回收", abstract="电池 回收 梯次利用", status="published")
    catalogue_sync()                                              # the index job swaps a new version in
    assert catalogue_engine() is old                              # answered at once from the old version
    loader = next(iter(catalogue._LOADING.values()))
    loader.join(timeout=120)
    assert not loader.is_alive()
    new = catalogue_engine()
    assert new is not old and new.search("电池 回收", k=3)[0].title == "新能源汽车电池回收"


def test_the_web_opens_the_catalogue_index_memory_mapped(world, index_by_job, django_capture_on_commit_callbacks):
    import numpy as np

    from kechuang.search.engine import DocumentFile

    with django_capture_on_commit_callbacks(execute=True):
        a = Achievement.objects.create(title="玄武岩纤维增强石材复合板", abstract="玄武岩纤维 石材 复合板 增强",
                                       keywords=["玄武岩纤维"], status="review")
        services.achievement_publish(user=world.staff, achievement=a)
    run_pending()
    engine = catalogue_engine()
    assert engine.shared and isinstance(engine.vectors, np.memmap) and isinstance(engine.docs, DocumentFile)
    assert engine.cache.shared and engine.cache._rows == {}     # the segment-vector cache is mapped, not loaded
    assert "玄武岩纤维增强石材复合板" in _titles("玄武岩纤维 复合板")
