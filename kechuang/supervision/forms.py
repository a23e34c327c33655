"""Forms of the 项目与监管 pages (Chinese labels; the services validate again)."""
from __future__ import annotations

from django import forms

from .models import Decision, ObjectKind, Outcome, Severity, SubjectKind


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class CreditRecordForm(forms.Form):
    subject_kind = forms.ChoiceField(label="责任主体类别", choices=SubjectKind.choices)
    enterprise_uscc = forms.CharField(label="企业统一社会信用代码（主体为企业时）", max_length=18, required=False)
    subject_name = forms.CharField(label="责任主体名称或姓名", max_length=200)
    subject_code = forms.CharField(label="机构代码（科研机构、中介机构）", max_length=40, required=False)
    person_id_number = forms.CharField(label="身份证号（个人；只保存摘要和脱敏号码）", max_length=18, required=False)
    person_unit = forms.CharField(label="所在单位（个人）", max_length=200, required=False)
    behaviour = forms.CharField(label="失信行为", max_length=500)
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices)
    outcome = forms.CharField(label="处理结果", max_length=500)
    authority = forms.CharField(label="处理单位", max_length=200)
    basis = forms.CharField(label="处理依据", max_length=500)
    effective_on = _date("生效时间")
    ends_on = _date("惩戒期限截止日（留空为永久）", required=False)
    restricts = forms.MultipleChoiceField(label="一般失信限制的事项", choices=Decision.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    watchlist = forms.BooleanField(label="列入观察名单", required=False)


class AppealDecideForm(forms.Form):
    revoke = forms.TypedChoiceField(label="答复", choices=[("0", "申诉不成立，维持"), ("1", "申诉成立，撤销记录")],
                                    coerce=lambda v: v == "1")
    answer = forms.CharField(label="答复意见", max_length=500)
    watchlist = forms.BooleanField(label="列入观察名单", required=False)


class ItemForm(forms.Form):
    code = forms.CharField(label="事项编号", max_length=30)
    name = forms.CharField(label="抽查事项", max_length=200)
    object_kind = forms.ChoiceField(label="检查对象类别", choices=ObjectKind.choices)
    basis = forms.CharField(label="抽查依据", max_length=500)
    content = forms.CharField(label="检查内容", max_length=500, required=False)
    method = forms.CharField(label="检查方式", max_length=100, required=False)


class RuleForm(forms.Form):
    item = forms.ModelChoiceField(label="抽查事项", queryset=None, empty_label="请选择")
    name = forms.CharField(label="细则名称", max_length=200)
    ratio = forms.DecimalField(label="抽查比例（如 0.05）", min_value=0, max_value=1, max_digits=5, decimal_places=4)
    per_object = forms.IntegerField(label="每个对象检查人员数", min_value=2, max_value=10, initial=2)
    frequency_per_year = forms.IntegerField(label="每年抽查次数", min_value=1, max_value=12, initial=1)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class InspectorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    unit = forms.CharField(label="所在单位", max_length=200)
    cert_no = forms.CharField(label="执法证号", max_length=40)


class AnnounceForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    rule = forms.ModelChoiceField(label="抽查细则", queryset=None, empty_label="请选择")
    seed = forms.CharField(label="随机种子", max_length=200, help_text="如 20261204-上证收盘3421.55；抽取日后填写实际数值")
    seed_source = forms.CharField(label="种子的形成方式", max_length=300,
                                  initial="抽取日期 + 抽取日前一交易日上证指数收盘点位")
    announced_on = _date("公告日期")
    draw_on = _date("抽取日期")

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules


class ResultForm(forms.Form):
    object_ref = forms.CharField(label="检查对象编号", max_length=40)
    inspected_on = _date("检查日期")
    outcome = forms.ChoiceField(label="检查结果", choices=Outcome.choices)
    finding = forms.CharField(label="检查情况", max_length=1000)
    basis = forms.CharField(label="处理依据", max_length=500)
    rectify_due = _date("整改期限（责令整改时）", required=False)


class RectifiedForm(forms.Form):
    on = _date("复查日期")
    note = forms.CharField(label="整改复查情况", max_length=1000)
