"""Browser test of talent: the bureau imports a provincial talent list → a listed person lands at
an institute in 泉州 → a 免申即认 proposal appears → the bureau confirms it → benefits are shown
per recipient (the graduate allowance to the student, not to the base enterprise)."""
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook
from stdnum.cn import ric

from tests.techmarket.test_catalogue_browser import _signed_in_page

pytestmark = pytest.mark.browser


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_import_land_confirm_and_allowance(transactional_db, world, client_for, browser, live_server, screenshot,
                                           tmp_path):
    from kechuang.talent import services
    from kechuang.talent.models import Recognition
    from kechuang.techmarket.models import Institute

    institute = Institute.objects.create(name="泉州某先进制造研究院", city="泉州")
    expert_id = _id("35058319800303012")
    expert = services.person_register(actor=world.staff, name="李远航", id_number=expert_id, education="doctor")
    student = services.person_register(actor=world.staff, name="王小雨", id_number=_id("35058320000808021"),
                                       education="master")
    services.graduate_enrol(actor=world.staff, person=student, degree="master", base=world.enterprise_a,
                            start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))

    wb = Workbook()
    wb.active.append(["人才计划", "层级", "入选年度", "姓名", "居民身份证号码"])
    wb.active.append(["福建省引进高层次创新创业人才", "省级", 2025, "李远航", expert_id])
    path = tmp_path / "省级人才名单.xlsx"
    wb.save(path)

    staff = _signed_in_page(browser, client_for, world.staff, live_server)
    staff.goto("/talent/listings/import/")
    staff.set_input_files("input[name=file]", str(path))
    staff.click("button:has-text('校验并导入')")
    staff.wait_for_selector("text=已导入 1 人")
    assert not Recognition.objects.exists()               # on the list, but not landed here yet

    staff.goto(f"/talent/persons/{expert.pk}/")
    assert expert_id not in staff.content()               # masked
    staff.click("summary:has-text('记录落地科研院所')")
    staff.select_option("select[name=institute]", str(institute.pk))
    staff.fill("input[name=arrived_on]", "2026-03-01")
    staff.click("form[action$='/land/'] button")
    staff.wait_for_selector("text=符合免申即认，生成 1 条认定建议")

    staff.goto("/talent/")
    row = staff.locator("tr", has_text="李远航")
    assert "免申即认" in row.inner_text() and "C类" in row.inner_text()
    screenshot(staff, "talent-automatic-proposal")
    row.locator("button:has-text('确认认定')").click()
    staff.wait_for_selector("text=已确认李远航的认定")
    rec = Recognition.objects.get(person=expert)
    assert rec.status == "confirmed" and rec.valid_until is not None

    staff.goto("/talent/graduates/?year=2026")
    table = staff.locator("table").inner_text()
    assert "王小雨" in table and world.enterprise_a.name in table and "1.2" in table   # 0.1 万 × 12 months, to her
    screenshot(staff, "talent-graduate-allowance")

    # benefits per recipient: the confirmed C-tier to 李远航 himself, the allowance to 王小雨 (not to the base)
    this_year = rec.decided_on.year
    staff.goto(f"/talent/benefits/?year={this_year}")
    row = staff.locator("tr", has_text="李远航")
    assert "个人" in row.inner_text() and "C类" in row.inner_text() and "50" in row.inner_text()
    staff.goto("/talent/benefits/?year=2026")
    row = staff.locator("tr", has_text="王小雨")
    assert "研究生生活补贴" in row.inner_text() and world.enterprise_a.name in row.inner_text()
    staff.click("button:has-text('转入兑现流程')")
    staff.wait_for_selector("text=已转入兑现流程")
    screenshot(staff, "talent-benefits-per-recipient")
    from kechuang.policies.models import Case

    case = Case.objects.get(payee_name="王小雨")
    assert case.enterprise_id is None and case.payee_kind == "person" and case.amount == Decimal("1.2")
