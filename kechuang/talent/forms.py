"""Forms of the talent pages (Chinese labels)."""
from __future__ import annotations

from django import forms

from kechuang.core.forms import DATE_WIDGET as DATE
from kechuang.core.forms import ChineseForm

from .models import Education, Nominator, Person, Tier


def _institutes():
    from kechuang.techmarket.models import Institute

    return Institute.objects.all()


class PersonForm(ChineseForm):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="居民身份证号码", max_length=18, min_length=18)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    title = forms.CharField(label="职称", max_length=60, required=False)
    employer_uscc = forms.CharField(label="工作单位（企业）统一社会信用代码", max_length=18, required=False)
    institute = forms.ModelChoiceField(label="工作单位（科研院所）", queryset=Person.objects.none(), required=False,
                                       empty_label="无")
    arrived_on = forms.DateField(label="来泉（落地）日期", required=False, widget=DATE)
    phone = forms.RegexField(label="手机号", regex=r"^1\d{10}$", required=False,
                             error_messages={"invalid": "请填写 11 位手机号"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = _institutes()

    def clean(self):
        from kechuang.enterprises.models import Enterprise

        data = super().clean()
        uscc = (data.get("employer_uscc") or "").strip().upper()
        data["employer"] = None
        if uscc:
            data["employer"] = Enterprise.objects.filter(uscc=uscc).first()
            if data["employer"] is None:
                self.add_error("employer_uscc", "企业库中没有这个统一社会信用代码")
        return data


class LandForm(ChineseForm):
    institute = forms.ModelChoiceField(label="落地的科研院所", queryset=Person.objects.none(), empty_label="请选择")
    arrived_on = forms.DateField(label="落地日期", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = _institutes()


class NominationForm(ChineseForm):
    nominator = forms.ModelChoiceField(label="举荐专家", queryset=Nominator.objects.all(), empty_label="请选择")
    tier = forms.ChoiceField(label="认定层次", choices=Tier.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class CompetitionForm(ChineseForm):
    competition = forms.CharField(label="赛事名称", max_length=120)
    rank = forms.IntegerField(label="名次", min_value=1, max_value=1000)
    tier = forms.ChoiceField(label="申报层次", choices=Tier.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class SelfForm(ChineseForm):
    tier = forms.ChoiceField(label="认定层次", choices=Tier.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class RecruitmentForm(ChineseForm):
    person = forms.ModelChoiceField(label="引进人才", queryset=Person.objects.none(), empty_label="请选择")
    enterprise_uscc = forms.CharField(label="引才机构（企业）统一社会信用代码", max_length=18, required=False)
    institute = forms.ModelChoiceField(label="引才机构（科研院所）", queryset=Person.objects.none(), required=False,
                                       empty_label="无")
    recruited_on = forms.DateField(label="引进日期", widget=DATE)
    approved_amount = forms.DecimalField(label="核定奖励（万元，每人最高 10 万元）", min_value=0, max_value=10,
                                         max_digits=10, decimal_places=4)

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons if persons is not None else Person.objects.none()
        self.fields["institute"].queryset = _institutes()

    def clean(self):
        from kechuang.enterprises.models import Enterprise

        data = super().clean()
        uscc = (data.get("enterprise_uscc") or "").strip().upper()
        data["enterprise"] = None
        if uscc:
            data["enterprise"] = Enterprise.objects.filter(uscc=uscc).first()
            if data["enterprise"] is None:
                self.add_error("enterprise_uscc", "企业库中没有这个统一社会信用代码")
        return data


class MentorAwardForm(ChineseForm):
    name = forms.CharField(label="导师团队名称", max_length=120)
    base_uscc = forms.CharField(label="联合培养基地（企业）统一社会信用代码", max_length=18)
    leader = forms.ModelChoiceField(label="团队负责人", queryset=Person.objects.none(), empty_label="请选择")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    approved_amount = forms.DecimalField(label="核定奖励（万元，最高 100 万元）", min_value=0, max_value=100,
                                         max_digits=10, decimal_places=4)

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = persons if persons is not None else Person.objects.none()

    def clean(self):
        from kechuang.enterprises.models import Enterprise

        data = super().clean()
        uscc = (data.get("base_uscc") or "").strip().upper()
        data["base"] = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
        if uscc and data["base"] is None:
            self.add_error("base_uscc", "企业库中没有这个统一社会信用代码")
        return data
