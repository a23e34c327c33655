"""Who may do what: the one action-permission choke point (NetBox ObjectPermission, Wagtail
permission policies).

- Every action has a named permission, ``<app>.<object>.<verb>`` (``policies.case.verify``).
- ``PERMISSIONS`` below is the one role → permission table: each permission names the action in
  Chinese (used in the refusal sentence) and the roles that hold it.
- ``require(actor, permission, obj=None)`` is called by every service before it acts; views,
  API, CLI, jobs and demo loaders share it. With ``obj`` it also checks, through the row-scoping
  choke point (`kechuang.core.scoping`), that the actor's scope reaches that row.
- CLI commands, demo loaders and jobs act as an explicit ``SystemActor`` (``system_actor(...)``),
  which is recorded in the change log; a service called with ``actor=None`` refuses.
- A refusal is ``PermissionRefused`` (a ``PermissionDenied``): HTTP 403 with a Chinese sentence
  naming the action, never 400 or 500.

Each app keeps its own section of the table; add a permission there and use it in the
service, the view (``require`` via the service) and the menu item (``NavItem(..., perm=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from kechuang.core.models import Role

R = Role
BUSINESS_ROLES = frozenset({R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.DEPT_LIAISON, R.ENTERPRISE_USER,
                            R.BROKER, R.FINANCE_OFFICER, R.INSTITUTE_USER, R.SERVICE_ORG_USER,
                            R.COMMISSIONER, R.EXPERT})


@dataclass(frozen=True)
class Permission:
    """A named action: what it is called in Chinese and which roles hold it."""

    label: str
    roles: frozenset
    scope_action: str = "change"   # the row-scoping action checked when an object is given


def _p(label: str, *roles, scope_action: str = "change") -> Permission:
    return Permission(label, frozenset(roles), scope_action)


# ---------------------------------------------------------------------------------------------
# The table. One section per app; keep sections in this order and add new permissions to your
# own section only.
# ---------------------------------------------------------------------------------------------
PERMISSIONS: dict[str, Permission] = {
    # --- core: accounts and the 三员 ------------------------------------------------------------
    "core.account.manage": _p("管理用户账户", R.SYS_ADMIN),
    "core.security_policy.change": _p("设置安全策略", R.SEC_ADMIN),
    "core.audit.view": _p("查看审计日志", R.AUDIT_ADMIN),
    "core.changelog.view": _p("查看业务变更记录", *sorted(BUSINESS_ROLES), scope_action="view"),

    # --- enterprises ------------------------------------------------------------------------------
    "enterprises.enterprise.view": _p("查看企业库", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER,
                                      scope_action="view"),
    "enterprises.enterprise.change": _p("修改企业信息", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "enterprises.enterprise.import": _p("批量导入企业", R.BUREAU_STAFF, R.TOWNSHIP_CLERK),
    "enterprises.ip.add": _p("新增知识产权", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "enterprises.qualification.add": _p("新增资质", R.BUREAU_STAFF, R.TOWNSHIP_CLERK),
    "enterprises.credit.add": _p("新增信用记录", R.BUREAU_STAFF),
    "enterprises.phone.view": _p("查看完整联系电话", R.BUREAU_STAFF, scope_action="view"),

    # --- diagnosis --------------------------------------------------------------------------------
    "diagnosis.pipeline.view": _p("查看培育库", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, scope_action="view"),
    "diagnosis.run.start": _p("发起批量预诊断", R.BUREAU_STAFF),
    "diagnosis.selfcheck.use": _p("使用资格自测", *sorted(BUSINESS_ROLES), scope_action="view"),

    # --- policies ---------------------------------------------------------------------------------
    "policies.case.view": _p("查看兑现案件", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER,
                             R.FINANCE_OFFICER, R.COMMISSIONER, scope_action="view"),
    "policies.case.refer": _p("将其他模块核定的补助转入兑现流程", R.BUREAU_STAFF),
    # 公示 is public by design to every business role (never to the 三员 administrators)
    "policies.publicity.view": _p("查看兑现公示", *BUSINESS_ROLES, scope_action="view"),
    "policies.finder.use": _p("使用政策找企", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, scope_action="view"),
    "policies.event.record": _p("登记政策事件", R.BUREAU_STAFF),
    "policies.screening.run": _p("发起免申即享筛查", R.BUREAU_STAFF),
    "policies.case.verify": _p("核实兑现案件", R.BUREAU_STAFF),
    "policies.case.confirm": _p("确认兑现意愿并填写收款账户", R.ENTERPRISE_USER, R.COMMISSIONER, R.BUREAU_STAFF),
    "policies.case.waive": _p("声明放弃兑现", R.ENTERPRISE_USER, R.COMMISSIONER, R.BUREAU_STAFF),
    "policies.case.proxy_authorize": _p("登记代办授权", R.ENTERPRISE_USER, R.BUREAU_STAFF),
    "policies.case.expire": _p("处理逾期未确认的案件", R.BUREAU_STAFF),
    "policies.case.publicize": _p("公示兑现案件", R.BUREAU_STAFF),
    "policies.case.disburse": _p("拨付兑现资金", R.FINANCE_OFFICER),
    "policies.case.reject": _p("作出不予兑现决定", R.BUREAU_STAFF, R.FINANCE_OFFICER),
    "policies.dispute.raise": _p("对兑现数据提出异议", R.ENTERPRISE_USER, R.COMMISSIONER, R.BUREAU_STAFF),
    "policies.dispute.resolve": _p("处理兑现异议", R.BUREAU_STAFF),
    "policies.policy.edit": _p("编辑、送审和发布政策", R.BUREAU_STAFF),
    "policies.sandbox.edit": _p("使用政策沙盘", R.BUREAU_STAFF),

    # --- targets ----------------------------------------------------------------------------------
    "targets.target.view": _p("查看目标任务", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.DEPT_LIAISON,
                              scope_action="view"),
    "targets.assessment.view": _p("查看考核排名", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, scope_action="view"),
    "targets.period.manage": _p("开启或关闭填报期", R.BUREAU_STAFF),
    "targets.report.submit": _p("填报目标完成值", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.DEPT_LIAISON),
    "targets.report.approve": _p("审核填报", R.BUREAU_STAFF),
    "targets.report.return": _p("退回填报", R.BUREAU_STAFF),
    "targets.weights.change": _p("调整考核权重", R.BUREAU_STAFF),
    "targets.bulletin.manage": _p("生成和下载晾晒通报", R.BUREAU_STAFF),
    "targets.task.update": _p("更新工作任务", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.DEPT_LIAISON),
    "targets.plan.enter": _p("录入或导入目标任务分解表", R.BUREAU_STAFF),

    # --- techmarket -------------------------------------------------------------------------------
    "techmarket.market.view": _p("查看技术市场", *sorted(BUSINESS_ROLES), scope_action="view"),
    "techmarket.contract.view": _p("查看技术合同登记", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, scope_action="view"),
    "techmarket.need.post": _p("发布技术需求", R.ENTERPRISE_USER),
    "techmarket.need.match": _p("重新匹配技术需求", R.ENTERPRISE_USER, R.BUREAU_STAFF),
    "techmarket.match.feedback": _p("反馈匹配结果", R.ENTERPRISE_USER),
    "techmarket.dispatch.assign": _p("派单给技术经理人", R.BUREAU_STAFF),
    "techmarket.dispatch.work": _p("办理派单（记录、推进、签约、登记、上传附件）", R.BROKER, R.BUREAU_STAFF),
    "techmarket.import": _p("批量导入科技成果和技术需求", R.BUREAU_STAFF),
    "techmarket.achievement.moderate": _p("审核科技成果", R.BUREAU_STAFF),
    "techmarket.outcomes.view": _p("查看对接成效", R.BUREAU_STAFF, scope_action="view"),
    "techmarket.challenge.publish": _p("发布揭榜挂帅榜单", R.BUREAU_STAFF),
    "techmarket.challenge.apply": _p("揭榜（科技局代录纸质申请）", R.ENTERPRISE_USER, R.BUREAU_STAFF),
    "techmarket.challenge.manage": _p("办理揭榜评审、揭榜结果、里程碑验收和撤榜", R.BUREAU_STAFF),
    # --- jobs and messages ------------------------------------------------------------------------
    "jobs.job.view": _p("查看后台任务", *BUSINESS_ROLES, scope_action="view"),
    "jobs.job.cancel": _p("取消后台任务", *BUSINESS_ROLES),
    "jobs.job.retry": _p("重新运行后台任务", *BUSINESS_ROLES),
    "jobs.screening.start": _p("发起免申即享筛查", R.BUREAU_STAFF),
    "jobs.diagnosis.start": _p("发起培育库批量诊断", R.BUREAU_STAFF),
    "jobs.import.start": _p("批量导入企业数据", R.BUREAU_STAFF, R.TOWNSHIP_CLERK),
    "jobs.bulletin.start": _p("生成晾晒通报", R.BUREAU_STAFF),
    "jobs.search_index.start": _p("重建成果检索索引", R.BUREAU_STAFF),
    "jobs.demo.start": _p("生成演示数据"),            # system actor only (kechuang serve --demo)
    "jobs.schedule.run": _p("运行定时提醒"),          # system actor only (the workers' schedule)
    "inbox.message.view": _p("查看站内消息", *BUSINESS_ROLES, R.SYS_ADMIN, R.SEC_ADMIN, R.AUDIT_ADMIN,
                             scope_action="view"),
    # --- resources (大院大所、仪器共享、创新券、服务机构、金融产品) ---------------------------------
    "resources.institute.manage": _p("维护科研机构档案", R.BUREAU_STAFF, R.INSTITUTE_USER),
    "resources.instrument.manage": _p("维护共享仪器", R.BUREAU_STAFF, R.INSTITUTE_USER),
    "resources.instrument.import": _p("导入共享仪器", R.BUREAU_STAFF),
    "resources.booking.request": _p("预约仪器", R.ENTERPRISE_USER, R.INSTITUTE_USER, scope_action="view"),
    "resources.booking.approve": _p("审核仪器预约", R.BUREAU_STAFF, R.INSTITUTE_USER),
    "resources.booking.operate": _p("登记上机、下机与爽约", R.BUREAU_STAFF, R.INSTITUTE_USER),
    "resources.booking.cancel": _p("取消仪器预约", R.ENTERPRISE_USER, R.INSTITUTE_USER, R.BUREAU_STAFF),
    "resources.booking.evaluate": _p("评价仪器服务", R.ENTERPRISE_USER),
    "resources.scheme.manage": _p("设置创新券参数", R.BUREAU_STAFF),
    "resources.voucher.apply": _p("申领科技创新券", R.ENTERPRISE_USER),
    "resources.voucher.approve": _p("审核科技创新券", R.BUREAU_STAFF),
    "resources.voucher.redeem": _p("使用科技创新券", R.ENTERPRISE_USER, R.INSTITUTE_USER, R.SERVICE_ORG_USER,
                                   R.BUREAU_STAFF, scope_action="view"),
    "resources.voucher.settle": _p("生成创新券结算批次", R.BUREAU_STAFF),
    "resources.voucher.pay": _p("登记创新券拨付", R.FINANCE_OFFICER, R.BUREAU_STAFF),
    "resources.service_org.manage": _p("维护科技服务机构", R.BUREAU_STAFF, R.SERVICE_ORG_USER),
    "resources.service_org.import": _p("导入科技服务机构", R.BUREAU_STAFF),
    "resources.service_contract.register": _p("登记服务合同", R.BUREAU_STAFF, R.SERVICE_ORG_USER),
    "resources.complaint.file": _p("投诉服务机构", R.ENTERPRISE_USER),
    "resources.product.manage": _p("维护金融产品", R.BUREAU_STAFF),
    "resources.loan.record": _p("登记科技贷放款", R.BUREAU_STAFF),
    "resources.report.view": _p("查看创新资源统计", R.BUREAU_STAFF, R.FINANCE_OFFICER, scope_action="view"),
    # --- commissioners (科技特派员) ---------------------------------------------------------------
    "commissioners.commissioner.view": _p("查看科技特派员", *BUSINESS_ROLES, scope_action="view"),
    "commissioners.commissioner.manage": _p("登记和维护科技特派员", R.BUREAU_STAFF),
    "commissioners.phone.view": _p("查看科技特派员完整联系电话", R.BUREAU_STAFF, scope_action="view"),
    "commissioners.commissioner.import": _p("导入科技特派员名单", R.BUREAU_STAFF),
    "commissioners.round.manage": _p("组织科技特派员选认", R.BUREAU_STAFF),
    "commissioners.application.submit": _p("申报科技特派员", R.BUREAU_STAFF, R.COMMISSIONER),
    "commissioners.application.recommend": _p("录入派出单位推荐意见", R.BUREAU_STAFF),
    "commissioners.application.review": _p("评审和认定科技特派员", R.BUREAU_STAFF),
    "commissioners.need.post": _p("发布订单式需求", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "commissioners.need.view": _p("查看订单式需求", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER,
                                  R.COMMISSIONER, scope_action="view"),
    "commissioners.need.assign": _p("指派科技特派员", R.BUREAU_STAFF, R.TOWNSHIP_CLERK),
    "commissioners.assignment.respond": _p("接受或谢绝需求指派", R.COMMISSIONER),
    "commissioners.item.publish": _p("发布菜单式服务", R.BUREAU_STAFF, R.COMMISSIONER),
    "commissioners.order.place": _p("点单菜单式服务", R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "commissioners.order.respond": _p("处理服务订单", R.COMMISSIONER),
    "commissioners.agreement.manage": _p("生成和上传三方协议", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.COMMISSIONER),
    "commissioners.agreement.view": _p("查看三方协议", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER,
                                       R.COMMISSIONER, scope_action="view"),
    "commissioners.log.record": _p("记录服务日志", R.COMMISSIONER),
    "commissioners.log.view": _p("查看服务日志", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER,
                                 R.COMMISSIONER, scope_action="view"),
    "commissioners.log.confirm": _p("确认服务日志", R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "commissioners.log.resolve": _p("处理服务日志异议", R.BUREAU_STAFF),
    "commissioners.question.ask": _p("向网上科技特派员提问", R.TOWNSHIP_CLERK, R.ENTERPRISE_USER),
    "commissioners.question.answer": _p("解答网上咨询", R.COMMISSIONER),
    "commissioners.assessment.run": _p("开展科技特派员年度考核", R.BUREAU_STAFF),
    "commissioners.assessment.view": _p("查看科技特派员考核结果", R.BUREAU_STAFF, R.COMMISSIONER, R.FINANCE_OFFICER,
                                        scope_action="view"),
    "commissioners.subsidy.refer": _p("将科技特派员后补助转入政策兑现流程", R.BUREAU_STAFF),
    "commissioners.stats.view": _p("查看科技特派员服务覆盖与统计", R.BUREAU_STAFF, R.TOWNSHIP_CLERK,
                                   scope_action="view"),
    # --- supervision (项目全过程、双随机、科研信用) -------------------------------------------------
    "supervision.credit.view": _p("查看科研信用记录", R.BUREAU_STAFF, R.FINANCE_OFFICER, R.ENTERPRISE_USER,
                                  scope_action="view"),
    "supervision.credit.record": _p("录入科研信用记录", R.BUREAU_STAFF),
    "supervision.credit.check": _p("查询信用核查结果", R.BUREAU_STAFF, R.FINANCE_OFFICER, scope_action="view"),
    "supervision.credit.appeal": _p("提出信用记录申诉", R.BUREAU_STAFF, R.ENTERPRISE_USER),
    "supervision.credit.decide_appeal": _p("答复信用记录申诉", R.BUREAU_STAFF),
    "supervision.inspection.view": _p("查看双随机抽查", R.BUREAU_STAFF, scope_action="view"),
    "supervision.inspection.manage": _p("管理双随机抽查名录、细则和抽取", R.BUREAU_STAFF),
    "supervision.inspection.record": _p("录入和公示抽查结果", R.BUREAU_STAFF),
    "supervision.dashboard.view": _p("查看项目与监管看板", R.BUREAU_STAFF, scope_action="view"),
    "supervision.call.manage": _p("管理计划类别和申报指南", R.BUREAU_STAFF),
    "supervision.expert.manage": _p("管理评审专家库", R.BUREAU_STAFF),
    "supervision.project.view": _p("查看科技计划项目", R.BUREAU_STAFF, R.ENTERPRISE_USER, R.TOWNSHIP_CLERK, R.EXPERT,
                                   R.FINANCE_OFFICER, scope_action="view"),
    "supervision.project.apply": _p("申报科技计划项目", R.BUREAU_STAFF, R.ENTERPRISE_USER),
    "supervision.project.manage": _p("审查、立项和验收科技计划项目", R.BUREAU_STAFF),
    "supervision.project.pay": _p("拨付科技计划项目经费", R.FINANCE_OFFICER),
    "supervision.review.score": _p("评审科技计划项目", R.EXPERT),
    "supervision.review.names": _p("查看评审专家名单", R.BUREAU_STAFF, scope_action="view"),
    # --- talent (人才) ----------------------------------------------------------------------------
    "talent.person.register": _p("登记人才信息", R.BUREAU_STAFF),
    "talent.person.view": _p("查看人才信息", R.BUREAU_STAFF, R.TOWNSHIP_CLERK, R.ENTERPRISE_USER, scope_action="view"),
    "talent.person.view_id": _p("查看完整身份证号码和手机号", R.BUREAU_STAFF, scope_action="view"),
    "talent.listing.import": _p("导入上级人才计划名单", R.BUREAU_STAFF),
    "talent.recognition.confirm": _p("确认或驳回人才认定", R.BUREAU_STAFF),
    "talent.recognition.record": _p("登记举荐或赛事认定", R.BUREAU_STAFF),
    "talent.recognition.self": _p("自主认定本单位人才", R.ENTERPRISE_USER),
    "talent.team.register": _p("登记人才团队与项目", R.BUREAU_STAFF),
    "talent.graduate.record": _p("登记在南培养研究生", R.BUREAU_STAFF, R.ENTERPRISE_USER),
    "talent.benefit.record": _p("登记机构引才与导师团队奖励", R.BUREAU_STAFF),
    # --- carriers (载体平台) -----------------------------------------------------------------------
    "carriers.carrier.register": _p("登记创新载体", R.BUREAU_STAFF),
    "carriers.level.record": _p("记录载体备案或认定", R.BUREAU_STAFF),
    "carriers.carrier.cancel": _p("撤销创新载体", R.BUREAU_STAFF),
    "carriers.report.submit": _p("填报载体年度数据", R.BUREAU_STAFF, R.ENTERPRISE_USER),
    "carriers.report.import": _p("导入载体年度数据", R.BUREAU_STAFF),
    "carriers.evaluation.run": _p("开展载体年度评价", R.BUREAU_STAFF),
    "carriers.operation.record": _p("记录孵化器托管运营", R.BUREAU_STAFF),
}


class PermissionRefused(PermissionDenied):
    """The actor may not take this action. ``str()`` is the Chinese sentence shown to people."""

    def __init__(self, permission: str, reason: str = ""):
        self.permission = permission
        label = PERMISSIONS[permission].label if permission in PERMISSIONS else permission
        self.message = reason or f"您没有权限{label}。如需开通，请联系系统管理员。"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SystemActor:
    """The actor of a CLI command, a demo loader or a background job. It holds every business
    permission (it is the operator's own command), never an administrator's, and is recorded in
    the change log by its name (``command:enterprises import`` …)."""

    name: str
    role: str = "system"
    is_system: bool = True
    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None
    id: None = None
    township_id: None = None
    org_unit_id: None = None
    enterprise_id: None = None

    def get_username(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


def system_actor(name: str) -> SystemActor:
    """The actor for a command, job or loader, e.g. ``system_actor("command:demo")``."""
    return SystemActor(name=name)


def acting_as(actor):
    """``with acting_as(system_actor("command:demo")):`` — the writes inside are recorded in the
    change log under the actor's name (a loader or job run outside the ``kechuang`` CLI)."""
    from kechuang.core.changes import change_context

    return change_context(user=actor, source=getattr(actor, "name", None))


def is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


def account(actor):
    """The user account to store in a "who did it" column: the person, or None for a system actor
    (whose name the change log records instead)."""
    if actor is None or is_system(actor) or not getattr(actor, "pk", None):
        return None
    return actor


def has_perm(actor, permission: str) -> bool:
    """Whether ``actor``'s role holds ``permission`` (no row check)."""
    try:
        perm = PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}; add it to core.permissions.PERMISSIONS") from None
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", True):
        return False
    if is_system(actor):
        return not (perm.roles and perm.roles <= {R.SYS_ADMIN, R.SEC_ADMIN, R.AUDIT_ADMIN})
    return getattr(actor, "role", "") in perm.roles


def can(actor, permission: str, obj=None) -> bool:
    """``require`` as a yes/no, for pages that show only the actions the user may take."""
    try:
        require(actor, permission, obj)
    except PermissionDenied:
        return False
    return True


def require(actor, permission: str, obj=None) -> None:
    """Refuse (``PermissionRefused``) unless ``actor`` holds ``permission`` and, when ``obj`` is
    given, the row-scoping choke point lets the actor act on that row."""
    if actor is None:
        raise PermissionRefused(permission, "操作必须指明操作人（用户或系统命令）。")
    if not has_perm(actor, permission):
        raise PermissionRefused(permission)
    if obj is not None and not is_system(actor):
        from kechuang.core.scoping import can as scoped_can

        if not scoped_can(actor, obj, PERMISSIONS[permission].scope_action):
            label = PERMISSIONS[permission].label
            raise PermissionRefused(permission, f"该数据不在您的管辖范围内，不能{label}。")
