"""Edit forms of the registry, with the same checks as the Excel import (`checks.py`)."""

from __future__ import annotations

import datetime as dt

from django import forms

from kechuang.core.models import Region
from kechuang.core.roles import Role
from kechuang.enterprises import checks, vocab
from kechuang.enterprises.models import CreditRecord, Enterprise, FiscalYear, IPRight, Qualification


class EnterpriseForm(forms.ModelForm):
    """Basic information of an enterprise (USCC is fixed once registered)."""

    tags_text = forms.CharField(label="标签", required=False, help_text="多个标签用顿号或逗号分隔")

    class Meta:
        model = Enterprise
        fields = ["name", "township", "address", "industry_code", "established_on", "size_class", "employees",
                  "tech_staff", "rd_staff", "high_tech_field", "mainland_resident", "restricted_industry",
                  "contact_name", "contact_phone"]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        towns = Region.townships()
        if user is not None and user.role == Role.TOWNSHIP_CLERK:
            towns = towns.filter(pk=user.township_id)
        self.fields["township"].queryset = towns
        self.fields["tags_text"].initial = "、".join(self.instance.tags or [])
        # a township clerk edits the enterprise but sees the contact's phone masked; leaving the
        # masked text unchanged keeps the stored number
        from kechuang.core.safe_export import mask_phone, may_see_phone

        self._phone_masked = (user is not None and self.instance.pk is not None
                              and bool(self.instance.contact_phone) and not may_see_phone(user, self.instance))
        if self._phone_masked:
            self.initial["contact_phone"] = mask_phone(self.instance.contact_phone)

    def clean_contact_phone(self):
        value = (self.cleaned_data.get("contact_phone") or "").strip()
        if getattr(self, "_phone_masked", False) and "*" in value:
            from kechuang.core.safe_export import mask_phone

            if value == mask_phone(self.instance.contact_phone):
                return self.instance.contact_phone
        return value

    def clean_established_on(self):
        value = self.cleaned_data.get("established_on")
        if value and value > dt.date.today():
            raise forms.ValidationError(f"日期 {value.isoformat()} 在未来")
        return value

    def clean(self):
        data = super().clean()
        for fieldname, message in checks.staff_problems(data):
            self.add_error(fieldname, message)
        return data

    def save(self, commit=True):
        import re

        self.instance.tags = [t for t in re.split(r"[、,，;；\s]+", self.cleaned_data.get("tags_text") or "") if t]
        return super().save(commit=commit)


class FiscalYearForm(forms.ModelForm):
    """One fiscal year's figures (万元)."""

    class Meta:
        model = FiscalYear
        fields = ["year", *vocab.YEAR_MONEY_FIELDS]

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        for name, (_label, negative_ok) in vocab.YEAR_MONEY_FIELDS.items():
            field = self.fields[name]
            field.help_text = "万元"
            if not negative_ok:
                field.min_value = 0
                field.validators.append(_non_negative)

    def clean_year(self):
        year = self.cleaned_data["year"]
        today = dt.date.today()
        if year > today.year:
            raise forms.ValidationError(f"年度 {year} 在未来（今年是 {today.year} 年）")
        if year < 1949:
            raise forms.ValidationError(f"年度 {year} 过早")
        clash = FiscalYear.objects.filter(enterprise=self.enterprise, year=year).exclude(pk=self.instance.pk)
        if self.enterprise is not None and clash.exists():
            raise forms.ValidationError(f"{year} 年度的数据已存在，请直接修改该年度")
        return year

    def clean(self):
        data = super().clean()
        for fieldname, message in checks.year_problems(data):
            self.add_error(fieldname, message)
        return data


def _non_negative(value):
    if value is not None and value < 0:
        raise forms.ValidationError(f"不能为负数（{value}）")


class _ChildForm(forms.ModelForm):
    """Base of the IP / qualification / credit-record forms: no future dates where the import
    refuses them, and date pairs in order (`checks.date_order_problems`)."""

    past_fields: tuple[str, ...] = ()
    date_pairs: tuple = ()

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self):
        data = super().clean()
        today = dt.date.today()
        for name in self.past_fields:
            value = data.get(name)
            if value and value > today:
                self.add_error(name, f"日期 {value.isoformat()} 在未来（今天是 {today.isoformat()}）")
        for fieldname, message in checks.date_order_problems(data, self.date_pairs):
            self.add_error(fieldname, message)
        return data


class IPRightForm(_ChildForm):
    past_fields = ("granted_on",)
    date_pairs = (("granted_on", "授权日期", "expires_on", "到期日期"),)

    class Meta:
        model = IPRight
        fields = ["kind", "number", "title", "granted_on", "expires_on", "acquired_by", "core", "used_for_hnte"]


class QualificationForm(_ChildForm):
    past_fields = ("first_recognized_on",)
    date_pairs = (("valid_from", "有效期起", "valid_until", "有效期止"),
                  ("first_recognized_on", "首次认定日期", "valid_from", "有效期起"))

    class Meta:
        model = Qualification
        fields = ["kind", "certificate_no", "first_recognized_on", "valid_from", "valid_until", "issuing_level"]


class CreditRecordForm(_ChildForm):
    past_fields = ("occurred_on",)
    date_pairs = (("occurred_on", "发生日期", "expires_on", "失效日期"),)

    class Meta:
        model = CreditRecord
        fields = ["kind", "occurred_on", "source", "effect", "expires_on", "note"]


#: kind in the URL → (form, title, the permission (core.permissions) needed to add it)
RECORD_FORMS = {
    "ip": (IPRightForm, "新增知识产权", "enterprises.ip.add"),
    "qualification": (QualificationForm, "新增资质", "enterprises.qualification.add"),
    "credit": (CreditRecordForm, "新增信用记录", "enterprises.credit.add"),
}
