"""Browser test: a bureau officer starts a 免申即享 screening of demo-like data, watches the progress
bar move step by step on the job page (each step released by the test, no sleeps) and the result
link appear; the enterprise user then finds a message about
the new candidate in the message centre (header count, then the message, then the case)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from tests.techmarket.test_catalogue_browser import _signed_in_page

pytestmark = pytest.mark.browser


class Gates:
    """A deterministic hand-off between the test and the screening job (which runs in a worker
    thread of this process): each gated phase of the screening announces that it has been reached
    and then waits until the test releases it, so the test sees each step on the page before the
    job moves on — no sleeps, and a timeout on both sides so a failure never hangs."""

    TIMEOUT = 60

    def __init__(self, names):
        self.reached = {n: threading.Event() for n in names}
        self.released = {n: threading.Event() for n in names}

    def wrap(self, name, original):
        def gated(*args, **kwargs):
            self.reached[name].set()
            if not self.released[name].wait(self.TIMEOUT):
                raise TimeoutError(f"the test never released {name}")
            return original(*args, **kwargs)
        return gated

    def wait_reached(self, name):
        assert self.reached[name].wait(self.TIMEOUT), f"the job never reached {name}"

    def release_all(self):
        for e in self.released.values():
            e.set()


@pytest.fixture
def gates(monkeypatch):
    from kechuang.policies import services

    g = Gates(["load_population", "screen"])
    for name in g.reached:
        monkeypatch.setattr(services, name, g.wrap(name, getattr(services, name)))
    yield g
    g.release_all()


def test_officer_watches_the_screening_and_the_enterprise_gets_a_message(
        transactional_db, world, client_for, browser, live_server, screenshot, gates):
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
        # step 1 reached: the page shows it (bar at 0 %), then the test lets the job go on
        gates.wait_reached("load_population")
        staff.wait_for_selector(".job-progress[data-state=running]:has-text('当前步骤：读取企业数据')")
        first = int(staff.locator(".job-bar").get_attribute("value"))
        gates.released["load_population"].set()
        # step 2 reached: the bar has moved to the comparison step, strictly between 0 and 100
        gates.wait_reached("screen")
        staff.wait_for_selector(".job-progress[data-state=running]:has-text('当前步骤：比对')")
        middle = int(staff.locator(".job-bar").get_attribute("value"))
        gates.released["screen"].set()
        staff.wait_for_selector(".job-result-link", timeout=60_000)
        screenshot(staff, "jobs-screening-done")
    finally:
        gates.release_all()
        worker.running = False
        thread.join(timeout=10)
    link = staff.locator(".job-result-link")
    last = int(staff.locator(".job-bar").get_attribute("value"))
    assert first == 0 < middle < 100 == last, (first, middle, last)
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
