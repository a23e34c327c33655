"""Scoping cases for every enterprise-registry URL (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _ents(world):
    return {"own": {"pk": world.enterprise_a.pk}, "foreign": {"pk": world.enterprise_b.pk}}


def _years(world):
    from kechuang.enterprises.models import FiscalYear

    FiscalYear.objects.create(enterprise=world.enterprise_a, year=2024)
    FiscalYear.objects.create(enterprise=world.enterprise_b, year=2024)
    return {"own": {"pk": world.enterprise_a.pk, "year": 2024}, "foreign": {"pk": world.enterprise_b.pk, "year": 2024}}


def _edit_post(world):
    from kechuang.enterprises.models import Enterprise

    b = world.enterprise_b
    data = {"name": "越权修改的名称", "township": b.township_id, "mainland_resident": "on"}
    return {"own": {"pk": world.enterprise_a.pk}, "foreign": {"pk": b.pk},
            "data": {**data, "township": world.enterprise_a.township_id},
            "unchanged": lambda: Enterprise.objects.get(pk=b.pk).name == b.name}


def _year_post(world):
    from kechuang.enterprises.models import FiscalYear

    return {"own": {"pk": world.enterprise_a.pk}, "foreign": {"pk": world.enterprise_b.pk},
            "data": {"year": 2023, "sales_revenue": "100"},
            "unchanged": lambda: not FiscalYear.objects.filter(enterprise=world.enterprise_b).exists()}


def _record_post(world):
    from kechuang.enterprises.models import Qualification

    return {"own": {"pk": world.enterprise_a.pk, "kind": "qualification"},
            "foreign": {"pk": world.enterprise_b.pk, "kind": "qualification"},
            "data": {"kind": "tsme", "valid_from": "2025-01-01", "valid_until": "2025-12-31"},
            "unchanged": lambda: not Qualification.objects.filter(enterprise=world.enterprise_b).exists()}


def _reports(world):
    from kechuang.enterprises.views import save_error_report

    return {"own": {"token": save_error_report(world.clerk_a, b"PK own", "a.xlsx")},
            "foreign": {"token": save_error_report(world.clerk_b, b"PK foreign", "b.xlsx")}}


def _listing(world):
    return {"own": world.enterprise_a.uscc, "foreign": world.enterprise_b.uscc}


def _api_list(world):
    return {"own": world.enterprise_a.uscc, "foreign": world.enterprise_b.uscc}


CASES = {
    "enterprises:list": Case.listing(_listing),
    "enterprises:export": Case.listing(_listing, note="xlsx of the filtered list, restricted with action export"),
    "enterprises:template": Case.global_(note="empty template, no business rows"),
    "enterprises:import": Case.global_(note="upload form; rows outside the clerk's township are refused (tests/enterprises/test_import_scope.py)"),
    "enterprises:import_report": Case.objects(_reports),
    "enterprises:detail": Case.objects(_ents),
    "enterprises:edit": Case.objects(_edit_post, method="post"),
    "enterprises:year_add": Case.objects(_year_post, method="post"),
    "enterprises:year_edit": Case.objects(_years),
    "enterprises:record_add": Case.objects(_record_post, method="post"),
    "api:enterprises_api_list": Case.listing(_api_list),
    "api:enterprises_api_detail": Case.objects(_ents),
    "api:enterprises_api_facts": Case.objects(_ents),
}
