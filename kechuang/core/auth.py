"""Authentication with account lockout (等保 身份鉴别): 5 failures lock the account for 15
minutes, whatever the IP; while locked even the right password is refused. Second factor: TOTP
for the administrators, with replay protection."""

from __future__ import annotations

import datetime as dt

import pyotp
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from kechuang.core import audit
from kechuang.core.models import AuditEvent, User
from kechuang.core.security import policy


class LockoutAwareBackend(ModelBackend):
    """ModelBackend with case-insensitive user names, lockout and audit rows."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            audit.record(AuditEvent.Kind.LOGIN_FAILED, request=request, username=username[:150],
                         outcome="failure", detail={"reason": "unknown_user"})
            return None
        now = timezone.now()
        if user.is_locked(now):
            audit.record(AuditEvent.Kind.LOGIN_FAILED, request=request, user=user, outcome="failure",
                         detail={"reason": "locked", "locked_until": user.locked_until.isoformat()})
            if request is not None:
                request.kechuang_locked_until = user.locked_until
            return None
        if not (user.check_password(password) and self.user_can_authenticate(user)):
            failures = count_failure(user, "failed_logins")
            audit.record(AuditEvent.Kind.LOGIN_FAILED, request=request, user=user, outcome="failure",
                         detail={"reason": "bad_password", "consecutive": failures})
            lock_if_due(user, "failed_logins", request=request, now=now)
            return None
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return user


def count_failure(user: User, counter: str) -> int:
    """Add one to a failure counter in the database (an F() update: two simultaneous failures
    both count, on SQLite and PostgreSQL) and return the new value."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**{counter: F(counter) + 1})
        return User.objects.filter(pk=user.pk).values_list(counter, flat=True).first() or 0


def lock_if_due(user: User, counter: str, *, request=None, now=None) -> bool:
    """Lock the account when the counter reached the threshold. The conditional UPDATE makes
    exactly one of several simultaneous requests do it (and write the LOCKOUT audit row)."""
    now = now or timezone.now()
    until = now + dt.timedelta(minutes=policy().lockout_minutes)
    locked = User.objects.filter(pk=user.pk, **{f"{counter}__gte": policy().lockout_threshold}).update(
        **{counter: 0}, locked_until=until)
    if locked:
        audit.record(AuditEvent.Kind.LOCKOUT, request=request, user=user, outcome="failure",
                     detail={"locked_until": until.isoformat(), "minutes": policy().lockout_minutes,
                             "reason": counter})
        user.locked_until = until
        if request is not None:
            request.kechuang_locked_until = until
    return bool(locked)


@receiver(user_logged_in, dispatch_uid="kechuang_audit_login")
def _on_login(sender, request, user, **kwargs):
    audit.record(AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="kechuang_audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditEvent.Kind.LOGOUT, request=request, user=user)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="科创平台")


def verify_totp(user: User, code: str, request=None) -> bool:
    """Check a 6-digit code; a code (time step) already used once is refused (no replay)."""
    code = (code or "").strip().replace(" ", "")[:12]
    if user.is_locked():
        audit.record(AuditEvent.Kind.OTP_FAILED, request=request, user=user, outcome="failure",
                     detail={"reason": "locked"})
        return False
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        _otp_failed(user, request, "malformed")
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now().timestamp()
    for drift in (0, -1, 1):
        counter = int(now // totp.interval) + drift
        if totp.at(counter * totp.interval) == code:
            if counter <= user.totp_last_counter:
                audit.record(AuditEvent.Kind.OTP_FAILED, request=request, user=user, outcome="failure",
                             detail={"reason": "replayed"})
                return False
            User.objects.filter(pk=user.pk).update(totp_last_counter=counter, totp_failures=0)
            user.totp_last_counter = counter
            return True
    _otp_failed(user, request, "wrong_code")
    return False


def _otp_failed(user: User, request, reason: str) -> None:
    """A wrong second-factor code counts like a wrong password: 5 in a row lock the account."""
    failures = count_failure(user, "totp_failures")
    audit.record(AuditEvent.Kind.OTP_FAILED, request=request, user=user, outcome="failure",
                 detail={"reason": reason, "consecutive": failures})
    lock_if_due(user, "totp_failures", request=request)
