"""Browser test: a bureau officer starts a 免申即享 screening of demo-like data, watches the progress
bar move on the job page and the result link appear; the enterprise user then finds a message about
the new candidate in the message centre (header count, then the message, then the case)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.techmarket.test_catalogue_browser import _signed_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def slow_steps(monkeypatch):
    """Each phase of the screening takes a visible moment (demo-sized data finishes in well under a
    second, faster than the page polls)."""
    from kechuang.policies import services

    for name in ("load_population", "screen"):
        original = getattr(services, name)

        def slowed(*args, _original=original, **kwargs):
            time.sleep(2.0)
            return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, slowed)


def test_officer_watches_the_screening_and_the_enterprise_gets_a_message(
        transactional_db, world, client_for, browser, live_server, screenshot, slow_steps):
    from kechuang.enterprises.demo import generate
    from kechuang.jobs.worker import start_in_thread
    from kechuang.policies import services as ps
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    generate(200, seed=11, today=dt.date(2026, 6, 30), log=False)
    ps.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                           date="2026-03-01", fields={"first_time": True}, source="省科技厅认定名单")

    staff = _signed_in_page(browser, client_for, world.staff, live_server)
    staff.goto("/policies/screening/")
    staff.fill("input[name=year]", "2026")
    staff.click("button:has-text('对全部企业筛查')")
    staff.wait_for_selector(".job-progress")
    assert "/jobs/" in staff.url and "2026年免申即享筛查" in staff.content()
    assert staff.locator(".job-state").inner_text() == "排队"

    thread, worker = start_in_thread(worker_id="browser-test", interval=0.2)
    try:
        seen, steps = [], set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if staff.locator(".job-result-link").count():
                break
            bar = staff.locator(".job-bar")
            if bar.count() and bar.get_attribute("value") is not None:
                value = int(bar.get_attribute("value"))
                if not seen or seen[-1] != value:
                    seen.append(value)
            text = staff.locator(".job-progress").inner_text()
            if "当前步骤" in text:
                steps.add(text.split("当前步骤：", 1)[1].split("·")[0].strip())
            staff.wait_for_timeout(200)
        screenshot(staff, "jobs-screening-done")
    finally:
        worker.running = False
        thread.join(timeout=10)
    link = staff.locator(".job-result-link")
    assert link.count() == 1, staff.content()
    seen.append(int(staff.locator(".job-bar").get_attribute("value")))
    # the bar moved: from 排队 (no value yet) through at least one step in between to 100 %
    assert any(0 < v < 100 for v in seen) and seen == sorted(seen) and seen[-1] == 100, seen
    assert any(s.startswith("比对") for s in steps), steps
    assert "候选" in link.inner_text() and staff.locator(".job-state").inner_text() == "完成"
    link.click()
    staff.wait_for_load_state()
    assert "/policies/cases/" in staff.url and world.enterprise_a.name in staff.content()

    case = Case.objects.get(enterprise=world.enterprise_a)
    ent = _signed_in_page(browser, client_for, world.ent_user_a, live_server)
    ent.goto("/")
    ent.wait_for_selector("#inbox-unread")
    assert ent.locator("#inbox-unread").inner_text() == "1"
    ent.click("a.inbox-link")
    ent.wait_for_selector("text=免申即享新候选：国家高新技术企业认定奖励")
    screenshot(ent, "jobs-enterprise-inbox")
    ent.click("text=免申即享新候选：国家高新技术企业认定奖励")
    ent.wait_for_load_state()
    assert ent.url.endswith(f"/policies/cases/{case.pk}/")
    other = _signed_in_page(browser, client_for, world.ent_user_b, live_server)
    other.goto("/inbox/")
    assert "免申即享新候选" not in other.content()
