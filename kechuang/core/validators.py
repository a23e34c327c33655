"""Validators shared by several modules."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_id_number(value: str) -> None:
    """居民身份证号码 (GB 11643): 18 characters, a real birth date and a valid check digit. The
    region code is not checked against a list: codes change as regions are reorganised, and an
    old card stays valid."""
    from stdnum.cn import ric

    value = value or ""
    try:
        if len(value) != 18 or not value[:17].isdigit() or value[-1] != ric.calc_check_digit(value):
            raise ValueError
        ric.get_birth_date(value)
    except Exception:
        raise ValidationError(_("居民身份证号码格式或校验位不正确")) from None
