"""The roles (one per account). Kept apart from core.models so that modules imported by the
models (row scoping) can name roles without a circular import; ``kechuang.core.models`` re-exports
``Role`` and ``ADMIN_ROLES``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Every account holds exactly one role; the three administrators (三员分立) are roles too,
    so no account can hold two of them."""

    BUREAU_STAFF = "bureau_staff", _("科技局工作人员")
    TOWNSHIP_CLERK = "township_clerk", _("乡镇填报员")
    DEPT_LIAISON = "dept_liaison", _("部门联络员")
    ENTERPRISE_USER = "enterprise_user", _("企业用户")
    BROKER = "broker", _("技术经理人")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    FINANCE_OFFICER = "finance_officer", _("财政局工作人员")
    INSTITUTE_USER = "institute_user", _("科研机构用户")
    SERVICE_ORG_USER = "service_org_user", _("科技服务机构用户")
    COMMISSIONER = "commissioner", _("科技特派员")
    EXPERT = "expert", _("评审专家")


ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
