"""Password rules of the 等保 baseline: mixed character classes, not containing the username,
no reuse of the last five, changed every 90 days."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


class MinimumLengthValidator:
    """At least `min_length` characters, said in Chinese (Django's own message has no Chinese
    translation in this version and was shown in English)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(_("密码太短：至少 %(n)d 个字符（现在 %(m)d 个）。")
                                  % {"n": self.min_length, "m": len(password)}, code="password_too_short")

    def get_help_text(self):
        return _("密码至少 %(n)d 个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _name, rx in _CLASSES if rx.search(password))
        if present < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


class NoUsernameValidator:
    """The password must not contain the account name."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and len(username) >= 3 and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self):
        return _("密码不能包含用户名。")


class PasswordHistoryValidator:
    """The password must differ from the current one and the last `depth` ones."""

    def __init__(self, depth: int = 5):
        self.depth = depth

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = list(user.password_history.values_list("password", flat=True)[: self.depth])
        current = get_user_model()._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.append(current)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(
                _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.depth}, code="password_reused"
            )

    def password_changed(self, password, user=None):
        from kechuang.core.models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(user.password_history.values_list("pk", flat=True)[: self.depth])
        user.password_history.exclude(pk__in=keep).delete()
        get_user_model()._default_manager.filter(pk=user.pk).update(password_changed_at=timezone.now(),
                                                                     must_change_password=False)
        user.password_changed_at = timezone.now()
        user.must_change_password = False

    def get_help_text(self):
        return _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.depth}


def password_expired(user, now=None) -> bool:
    """True when the user must change their password before doing anything else: never set, older
    than the limit, or a one-time password given by the 系统管理员 (``must_change_password``)."""
    if getattr(user, "must_change_password", False) or user.password_changed_at is None:
        return True
    age = (now or timezone.now()) - user.password_changed_at
    from kechuang.core.security import policy

    return age > dt.timedelta(days=policy().password_max_age_days)
