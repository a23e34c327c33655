"""`kechuang serve --demo` (the README's first command) loads every module's demo data, the
demo accounts and the demo flows that belong to them; a second run adds nothing."""
import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _counts():
    from kechuang.core.models import User
    from kechuang.enterprises.models import Enterprise
    from kechuang.targets.models import Report
    from kechuang.techmarket.models import Challenge, Dispatch, Need, TechContract

    return {m.__name__: m.objects.count() for m in (User, Enterprise, Report, Need, Dispatch, TechContract, Challenge)}


def test_demo_loads_a_whole_technology_market_flow_once(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("KECHUANG_DEMO_PASSWORD", "Demo-pass-2026")
    settings.VAR_DIR = tmp_path
    # as `kechuang serve --demo` really runs: the catalogue index is a background job that has not
    # run yet when the demo loads (with the tests' inline index the demo matched; in the product
    # every demo need matched nothing and the broker's workbench was empty)
    settings.KECHUANG_SEARCH_INDEX_INLINE = False
    out = io.StringIO()
    call_command("serve", demo=True, no_serve=True, stdout=out)
    from kechuang.core.models import User
    from kechuang.techmarket.models import Challenge, Dispatch, TechContract
    from kechuang.techmarket.selectors import contract_turnover

    broker_user = User.objects.get(username="jingli_demo")
    enterprise = User.objects.get(username="qiye_demo").enterprise
    dispatches = Dispatch.objects.filter(broker__user=broker_user)
    assert dispatches.count() == 2 and {d.match.need.enterprise_id for d in dispatches} == {enterprise.pk}
    contract = TechContract.objects.get(deal__need__enterprise=enterprise)
    assert contract.township_id == enterprise.township_id
    today = contract.registered_on
    assert contract_turnover(start=today.replace(month=1, day=1), end=today,
                             township=enterprise.township) >= contract.amount > 0
    challenge = Challenge.objects.get(need__enterprise=enterprise)
    assert challenge.applications.count() == 1 and challenge.milestones.count() == 2
    assert "技术市场演示流程" in out.getvalue()
    # 拨付 is reachable: the 财政局 demo account sees a publicized case whose 公示期 is over and may pay it
    import datetime as dt

    from kechuang.core.models import Role
    from kechuang.core.permissions import can
    from kechuang.policies.models import Case
    from kechuang.policies.services import PUBLICITY_DAYS

    finance = User.objects.get(username="caizheng_demo")
    assert finance.role == Role.FINANCE_OFFICER and "caizheng_demo" in out.getvalue()
    ready = Case.objects.restrict(finance, "view").get(status="publicized")
    assert ready.publicized_on <= dt.date.today() - dt.timedelta(days=PUBLICITY_DAYS)
    assert can(finance, "policies.case.disburse", ready) and ready.proxy_authorizations.count() == 1
    first = _counts()
    call_command("serve", demo=True, no_serve=True, stdout=io.StringIO())
    assert _counts() == first
