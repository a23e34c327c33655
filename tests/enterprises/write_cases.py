"""Write-matrix cases of the enterprise registry (tests/scoping/writes.py): every case acts on 水头镇's
enterprise, which the bureau, the 水头镇 clerk and the enterprise's own user reach."""
from tests.scoping.writes import Write, form, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _edit(world):
    a = world.enterprise_a
    return {"kwargs": {"pk": a.pk}, "data": {"name": "改名后的石材有限公司", "township": a.township_id,
                                             "mainland_resident": "on"}}


def _year_add(world):
    return {"kwargs": {"pk": world.enterprise_a.pk}, "data": {"year": 2023, "sales_revenue": "100"}}


def _year_edit(world):
    from kechuang.enterprises.models import FiscalYear

    FiscalYear.objects.create(enterprise=world.enterprise_a, year=2024)
    return {"kwargs": {"pk": world.enterprise_a.pk, "year": 2024}, "data": {"year": 2024, "sales_revenue": "120"}}


def _record(kind, data):
    def build(world):
        return {"kwargs": {"pk": world.enterprise_a.pk, "kind": kind}, "data": data}
    return build


def _import(world):
    from tests.enterprises.helpers import USCC_1, filled_template

    sheet = filled_template({"企业": [[USCC_1, "测试石材有限公司", "水头镇", "2015-03-18", 100, 20, 15, "新材料"]]})
    return {"data": form(file=upload("企业.xlsx", sheet, XLSX))}


WRITES = {
    "enterprises:edit": Write.action("enterprises.enterprise.change", _edit),
    "enterprises:year_add": Write.action("enterprises.enterprise.change", _year_add),
    "enterprises:year_edit": Write.action("enterprises.enterprise.change", _year_edit),
    "enterprises:record_add": Write.action("enterprises.qualification.add", _record(
        "qualification", {"kind": "tsme", "valid_from": "2025-01-01", "valid_until": "2025-12-31"}),
        note="qualification; ip and credit records are the same view with their own permission"),
    "enterprises:import": Write.action("enterprises.enterprise.import", _import),
}
