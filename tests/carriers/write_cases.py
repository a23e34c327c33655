"""Write-matrix cases of 载体平台 (tests/scoping/writes.py), built from its scoping cases."""
from tests.scoping.writes import Write, form, like_scoping, upload, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _new(world):
    return {"data": {"name": "水头众创空间", "kind": "maker_space", "operator_uscc": world.enterprise_a.uscc,
                     "township": world.township_a.pk}}


def _evaluations(world):
    from tests.carriers.scoping_cases import _carriers

    _carriers(world)
    return {"data": {"year": 2025}}


def _import(world):
    from kechuang.carriers.imports import columns
    from tests.carriers.scoping_cases import _carriers

    _carriers(world)
    sheet = xlsx([h for h, _f in columns()][:4], [["载体a", 2024, 30, 5]])
    return {"data": form(file=upload("载体.xlsx", sheet, XLSX))}

# every figure of the yearly form (the scoping case posts only two: enough to be refused, not to be saved)
FIGURES = {"year": 2025, "tenants": 9, "new_tenants": 2, "graduated": 1, "tech_sme_tenants": 3, "hnte_tenants": 1,
           "staff": 6, "mentors": 2, "activities": 4, "patents_granted": 1, "income": "12", "investment_raised": "30"}

WRITES = {
    "carriers:new": Write.action("carriers.carrier.register", _new),
    "carriers:evaluations": Write.action("carriers.evaluation.run", _evaluations),
    "carriers:import": Write.action("carriers.report.import", _import),
    "carriers:level": like_scoping("carriers:level", "carriers.level.record"),
    "carriers:cancel": like_scoping("carriers:cancel", "carriers.carrier.cancel"),
    "carriers:operation": like_scoping("carriers:operation", "carriers.operation.record"),
    "carriers:report": like_scoping("carriers:report", "carriers.report.submit", data=FIGURES),
    "api:carriers_api_report": like_scoping("api:carriers_api_report", "carriers.report.submit"),
}
