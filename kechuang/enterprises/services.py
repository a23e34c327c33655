"""Writes of the enterprise registry (single-row saves are change-logged by the core signals)."""

from __future__ import annotations

from django.db import transaction

from kechuang.core.permissions import require
from kechuang.core.scoping import get_scoped_or_404
from kechuang.enterprises.forms import EnterpriseForm, FiscalYearForm
from kechuang.enterprises.models import Enterprise, FiscalYear


class FormInvalid(Exception):
    """The submitted form did not validate; `form` carries the Chinese errors."""

    def __init__(self, form):
        super().__init__("表单有错误")
        self.form = form


def enterprise_update(*, user, enterprise: Enterprise, data) -> Enterprise:
    """Save the basic information of `enterprise` (which `user` must be allowed to change)."""
    require(user, "enterprises.enterprise.change")
    enterprise = get_scoped_or_404(Enterprise, user, "change", pk=enterprise.pk)
    form = EnterpriseForm(data, instance=enterprise, user=user)
    if not form.is_valid():
        raise FormInvalid(form)
    with transaction.atomic():
        return form.save()


def fiscal_year_save(*, user, enterprise: Enterprise, data, fiscal_year: FiscalYear | None = None) -> FiscalYear:
    """Create or update one fiscal year of `enterprise`."""
    require(user, "enterprises.enterprise.change")
    enterprise = get_scoped_or_404(Enterprise, user, "change", pk=enterprise.pk)
    form = FiscalYearForm(data, instance=fiscal_year or FiscalYear(enterprise=enterprise), enterprise=enterprise)
    if not form.is_valid():
        raise FormInvalid(form)
    with transaction.atomic():
        return form.save()


def record_add(*, user, enterprise: Enterprise, kind: str, data):
    """Add an IP right, qualification or credit record to `enterprise` (kind: ip/qualification/credit)."""
    from kechuang.enterprises.forms import RECORD_FORMS

    form_class, _title, perm = RECORD_FORMS[kind]
    require(user, perm)
    enterprise = get_scoped_or_404(Enterprise, user, "change", pk=enterprise.pk)
    form = form_class(data, instance=form_class._meta.model(enterprise=enterprise), enterprise=enterprise)
    if not form.is_valid():
        raise FormInvalid(form)
    with transaction.atomic():
        return form.save()
