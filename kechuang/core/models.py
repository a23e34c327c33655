"""Core models: the region tree, organisation units, users with one role each, the change log
and the append-only security audit log."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.bounds import COUNT, ORDER, Bound, bounded, range_checked
from kechuang.core.roles import ADMIN_ROLES, Role  # noqa: F401  (re-exported)
from kechuang.core.scoping import ScopedManager


@range_checked
class Region(models.Model):
    """An administrative region: province, city, county, township/subdistrict or a development
    zone managed like a township. Codes follow GB/T 2260 where one exists (county level and up);
    `aliases` holds the short names used in seed tables (溪美 for 溪美街道 …)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("地级市")
        COUNTY = "county", _("县（市、区）")
        TOWNSHIP = "township", _("乡镇（街道）")
        ZONE = "zone", _("开发区")

    code = models.CharField(_("区划代码"), max_length=12, null=True, blank=True, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0, validators=bounded(ORDER))
    assessed = models.BooleanField(_("参与乡镇考核"), default=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township_level(self) -> bool:
        return self.level in {self.Level.TOWNSHIP, self.Level.ZONE}

    @classmethod
    def townships(cls, county_code: str = "350583"):
        """The 27 units the Nanan tables assess: towns, subdistricts and development zones."""
        return cls.objects.filter(parent__code=county_code, assessed=True,
                                  level__in=[cls.Level.TOWNSHIP, cls.Level.ZONE])

    @classmethod
    def resolve(cls, text: str) -> Region | None:
        """Find a region by its official name, short name or alias (溪美 → 溪美街道)."""
        text = (text or "").strip()
        if not text:
            return None
        match = cls.objects.filter(Q(name=text) | Q(short_name=text)).order_by("-level", "id").first()
        if match:
            return match
        for region in cls.objects.exclude(aliases=[]).only("id", "aliases"):
            if text in (region.aliases or []):
                return cls.objects.get(pk=region.pk)
        return None


@range_checked
class OrgUnit(models.Model):
    """A 责任单位: a department of the city government or a zone's management committee."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("市直部门")
        PARTY = "party", _("党委部门")
        ASSOCIATION = "association", _("群团组织")
        ZONE = "zone", _("园区管委会")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.BUREAU)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属地区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    sort_order = models.PositiveIntegerField(_("排序"), default=0, validators=bounded(ORDER))

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def resolve(cls, text: str) -> OrgUnit | None:
        """Find a unit by name, short name or alias (工信局 → 市工信局)."""
        text = (text or "").strip()
        if not text:
            return None
        match = cls.objects.filter(Q(name=text) | Q(short_name=text)).first()
        if match:
            return match
        for unit in cls.objects.all():
            if text in (unit.aliases or []):
                return unit
        return None




class KechuangUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


@range_checked
class User(AbstractUser):
    """A person's account. Business roles are bound to the unit whose rows they may see."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    township = models.ForeignKey(Region, verbose_name=_("所属乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="clerks")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="liaisons")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="accounts")
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"), default=False,
        help_text=_("由系统管理员创建或重置的一次性密码：登录后须先修改密码才能做其他事。"))
    failed_logins = models.PositiveIntegerField(_("连续登录失败次数"), default=0, validators=bounded(COUNT))
    totp_failures = models.PositiveIntegerField(_("连续动态口令错误次数"), default=0, validators=bounded(COUNT))
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("已绑定动态口令"), default=False)
    totp_last_counter = models.BigIntegerField(_("最后使用的口令时段"), default=0,
                                            validators=bounded(Bound(0, 10**12)))

    objects = KechuangUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(
                name="user_binding_matches_role",
                condition=(
                    (Q(role=Role.TOWNSHIP_CLERK) & Q(township__isnull=False))
                    | (~Q(role=Role.TOWNSHIP_CLERK) & Q(township__isnull=True))
                ) & (
                    (Q(role=Role.DEPT_LIAISON) & Q(org_unit__isnull=False))
                    | (~Q(role=Role.DEPT_LIAISON) & Q(org_unit__isnull=True))
                ) & (
                    (Q(role=Role.ENTERPRISE_USER) & Q(enterprise__isnull=False))
                    | (~Q(role=Role.ENTERPRISE_USER) & Q(enterprise__isnull=True))
                ),
            ),
            # No superuser flag: the 三员 are ordinary roles with separated powers.
            models.CheckConstraint(name="user_no_superuser", condition=Q(is_superuser=False)),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.role == Role.TOWNSHIP_CLERK and not self.township_id:
            errors["township"] = _("乡镇填报员必须绑定一个乡镇")
        if self.role == Role.DEPT_LIAISON and not self.org_unit_id:
            errors["org_unit"] = _("部门联络员必须绑定一个责任单位")
        if self.role == Role.ENTERPRISE_USER and not self.enterprise_id:
            errors["enterprise"] = _("企业用户必须绑定一家企业")
        if self.township_id and self.role != Role.TOWNSHIP_CLERK:
            errors["township"] = _("只有乡镇填报员可以绑定乡镇")
        if self.org_unit_id and self.role != Role.DEPT_LIAISON:
            errors["org_unit"] = _("只有部门联络员可以绑定责任单位")
        if self.enterprise_id and self.role != Role.ENTERPRISE_USER:
            errors["enterprise"] = _("只有企业用户可以绑定企业")
        if self.township_id and not self.township.is_township_level:
            errors["township"] = _("所选地区不是乡镇（街道）或开发区")
        if errors:
            raise ValidationError(errors)

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def needs_second_factor(self) -> bool:
        return self.role in ADMIN_ROLES or self.is_staff

    @property
    def scope_label(self) -> str:
        if self.township_id:
            return str(self.township)
        if self.org_unit_id:
            return str(self.org_unit)
        if self.enterprise_id:
            return str(self.enterprise)
        return ""

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, for the no-reuse-of-the-last-5 rule."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class ChangeLog(models.Model):
    """One create/update/delete of a business object: who (or which command), when, the
    request or command id, and the values before and after as JSON."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(User, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(_("操作人/命令"), max_length=150)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=40, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditLogError(Exception):
    """Raised when something tries to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogError("审计日志不可修改 / audit rows cannot be updated")

    def delete(self):
        raise AuditLogError("审计日志不可删除 / audit rows cannot be deleted")


class AuditEvent(models.Model):
    """Security audit trail (等保 安全审计): append-only, chained by SHA-256 so that a changed or
    removed row breaks the chain. The database refuses UPDATE and early DELETE by trigger."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        LOCKOUT = "lockout", _("账户锁定")
        OTP_FAILED = "otp_failed", _("动态口令错误")
        OTP_ENROLLED = "otp_enrolled", _("绑定动态口令")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        ROLE_CHANGED = "role_changed", _("角色或权限变更")
        USER_CREATED = "user_created", _("创建账户")
        EXPORT = "export", _("数据导出")
        IMPORT = "import", _("数据导入")
        PERSONAL_DATA_VIEW = "personal_data_view", _("查看个人信息")
        ACCESS_DENIED = "access_denied", _("越权访问")
        PURGE = "purge", _("审计日志清理")
        USER_DISABLED = "user_disabled", _("停用账户")
        USER_ENABLED = "user_enabled", _("启用账户")
        PASSWORD_RESET = "password_reset", _("重置密码")
        SECURITY_POLICY = "security_policy", _("修改安全策略")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件类型"), max_length=24, choices=Kind.choices)
    outcome = models.CharField(_("结果"), max_length=10, default="success")
    username = models.CharField(_("账户"), max_length=150, blank=True)
    user_id_ref = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=40, blank=True)
    object_ref = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def content_digest(self, prev_hash: str) -> str:
        payload = json.dumps(
            [self.at.isoformat(), self.kind, self.outcome, self.username, self.user_id_ref, self.ip,
             self.request_id, self.object_ref, self.detail, prev_hash],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        # keyed (HMAC-SHA-256, key outside the database): an insider who edits rows cannot
        # recompute the chain (issue 11 item 9)
        from kechuang.core.audit_key import audit_key

        return hmac.new(audit_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogError("审计日志不可修改 / audit rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError("审计日志不可删除 / audit rows cannot be deleted")


__all__ = ["Region", "OrgUnit", "Role", "User", "PasswordHistory", "ChangeLog", "AuditEvent",
           "ScopedManager"]


class SecurityPolicy(models.Model):
    """The security policy the 安全管理员 sets (one row): lockout, idle session end, password age and
    length. Read through :func:`kechuang.core.security.policy`; the numbers of settings.py are the
    defaults (等保 practice: 5 failures → 15 minutes, 30 minutes idle, 90 days)."""

    unscoped_reason = "system security settings: no business rows; only the 安全管理员 edits them (a permission)"

    lockout_threshold = models.PositiveSmallIntegerField(
        _("连续登录失败锁定次数"), default=5, validators=[MinValueValidator(3), MaxValueValidator(10)])
    lockout_minutes = models.PositiveSmallIntegerField(
        _("锁定时长（分钟）"), default=15, validators=[MinValueValidator(5), MaxValueValidator(1440)])
    idle_minutes = models.PositiveSmallIntegerField(
        _("无操作自动退出（分钟）"), default=30, validators=[MinValueValidator(5), MaxValueValidator(120)])
    password_max_age_days = models.PositiveSmallIntegerField(
        _("密码有效期（天）"), default=90, validators=[MinValueValidator(30), MaxValueValidator(180)])
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.CharField(_("修改人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")
        constraints = [
            models.CheckConstraint(name="security_policy_lockout_threshold_range",
                                   condition=Q(lockout_threshold__gte=3, lockout_threshold__lte=10)),
            models.CheckConstraint(name="security_policy_lockout_minutes_range",
                                   condition=Q(lockout_minutes__gte=5, lockout_minutes__lte=1440)),
            models.CheckConstraint(name="security_policy_idle_minutes_range",
                                   condition=Q(idle_minutes__gte=5, idle_minutes__lte=120)),
            models.CheckConstraint(name="security_policy_password_age_range",
                                   condition=Q(password_max_age_days__gte=30, password_max_age_days__lte=180)),
        ]

    def __str__(self) -> str:
        return "安全策略"
