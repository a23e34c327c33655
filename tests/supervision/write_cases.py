"""Write-matrix cases of 项目与监管 (tests/scoping/writes.py), built from its scoping cases."""
from kechuang.core.models import Role
from tests.scoping.writes import like_scoping

WRITES = {
    "supervision:credit_appeal": like_scoping("supervision:credit_appeal", "supervision.credit.appeal"),
    "supervision:credit_decide": like_scoping("supervision:credit_decide", "supervision.credit.decide_appeal"),
    "supervision:draw_run": like_scoping("supervision:draw_run", "supervision.inspection.manage"),
    "supervision:result_new": like_scoping("supervision:result_new", "supervision.inspection.record"),
    "supervision:result_action": like_scoping("supervision:result_action", "supervision.inspection.record"),
    "supervision:project_action": like_scoping("supervision:project_action", "supervision.project.apply",
                                               note="action=submit of 水头甲's application (the bureau submits paper "
                                                    "applications)"),
    "supervision:review_submit": like_scoping("supervision:review_submit", "supervision.review.score",
                                              users=lambda w: {Role.EXPERT: w.reviewer}),
}
