"""Write-matrix cases of 载体平台 (tests/scoping/writes.py), built from its scoping cases."""
from tests.scoping.writes import like_scoping

# every figure of the yearly form (the scoping case posts only two: enough to be refused, not to be saved)
FIGURES = {"year": 2025, "tenants": 9, "new_tenants": 2, "graduated": 1, "tech_sme_tenants": 3, "hnte_tenants": 1,
           "staff": 6, "mentors": 2, "activities": 4, "patents_granted": 1, "income": "12", "investment_raised": "30"}

WRITES = {
    "carriers:level": like_scoping("carriers:level", "carriers.level.record"),
    "carriers:cancel": like_scoping("carriers:cancel", "carriers.carrier.cancel"),
    "carriers:operation": like_scoping("carriers:operation", "carriers.operation.record"),
    "carriers:report": like_scoping("carriers:report", "carriers.report.submit", data=FIGURES),
    "api:carriers_api_report": like_scoping("api:carriers_api_report", "carriers.report.submit"),
}
