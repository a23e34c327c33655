"""Write-matrix cases of 载体平台 (tests/scoping/writes.py), built from its scoping cases."""
from tests.scoping.writes import like_scoping

WRITES = {
    "carriers:level": like_scoping("carriers:level", "carriers.level.record"),
    "carriers:cancel": like_scoping("carriers:cancel", "carriers.carrier.cancel"),
    "carriers:operation": like_scoping("carriers:operation", "carriers.operation.record"),
    "carriers:report": like_scoping("carriers:report", "carriers.report.submit"),
    "api:carriers_api_report": like_scoping("api:carriers_api_report", "carriers.report.submit"),
}
