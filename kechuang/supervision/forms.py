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
    seed_source = forms.CharField(label="种子的形成方式", max_length=300,
                                  initial="抽取日期 + 抽取当日上证指数收盘点位（种子数值在抽取当日录入）")
    announced_on = _date("公告日期")
    draw_on = _date("抽取日期")

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules


class DrawRunForm(forms.Form):
    seed = forms.CharField(label="随机种子（抽取当日录入）", max_length=200,
                           help_text="按公告的形成方式，以抽取日期开头，后接当日公开的数值，如 20261204-上证收盘3421.55")


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


# --- 科技计划项目 -----------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


class CategoryForm(forms.Form):
    code = forms.CharField(label="类别代码", max_length=30)
    name = forms.CharField(label="计划类别", max_length=100)


class CallForm(forms.Form):
    category = forms.ModelChoiceField(label="计划类别", queryset=None, empty_label="请选择")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="指南名称", max_length=200)
    opens_on = _date("申报开始")
    closes_on = _date("申报截止")
    max_amount = forms.DecimalField(label="单项资助上限（万元）", min_value=0, max_value=100000, decimal_places=4)
    experts_per_project = forms.IntegerField(label="每项评审专家数", min_value=3, max_value=15, initial=3)
    guide = forms.CharField(label="指南内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    challenge = forms.ModelChoiceField(label="揭榜挂帅榜单（由榜单生成指南时选择）", queryset=None, required=False)

    def __init__(self, *args, categories=None, challenges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["challenge"].queryset = challenges


class ApplyForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=200)
    pi_name = forms.CharField(label="项目负责人", max_length=50)
    requested_amount = forms.DecimalField(label="申请资助（万元）", min_value=0, max_value=100000, decimal_places=4)
    co_applicants = forms.CharField(label="合作单位（每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label="项目摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    integrity_promise = forms.BooleanField(label="本单位及项目负责人承诺：申报材料真实、准确，遵守科研诚信要求（科研诚信承诺书）",
                                           required=False)
    credit_promise = forms.BooleanField(label="信用承诺：容缺材料按期补交，逾期未补交的申报视为不通过形式审查",
                                        required=False)
    missing_name = forms.CharField(label="容缺材料（可空）", max_length=200, required=False)
    missing_due = _date("承诺补交日期", required=False)


class FormalForm(forms.Form):
    passed = forms.TypedChoiceField(label="形式审查", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1")
    note = forms.CharField(label="审查意见", max_length=500, required=False)


class ReviewDrawForm(forms.Form):
    seed = forms.CharField(label="随机种子（今日录入）", max_length=200,
                           help_text="以今天的日期开头，后接今天公开的数值，如 20261204-上证收盘3421.55")
    seed_source = forms.CharField(label="种子的形成方式", max_length=300, initial="抽取日期 + 抽取当日上证指数收盘点位")


class ScoreForm(forms.Form):
    score = forms.DecimalField(label="评分（0~100）", min_value=0, max_value=100, decimal_places=2)
    comment = forms.CharField(label="评审意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    approved_amount = forms.DecimalField(label="立项资助（万元）", min_value=0, max_value=100000, decimal_places=4)
    goals = forms.CharField(label="任务目标", widget=forms.Textarea(attrs={"rows": 2}))
    indicators = forms.CharField(label="考核指标（每行一项）", widget=forms.Textarea(attrs={"rows": 2}))
    budget_lines = forms.CharField(label="预算科目（每行“科目 金额”）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lump_sum = forms.BooleanField(label="经费包干制", required=False)
    start_on = _date("实施开始")
    end_on = _date("实施结束")
    instalments = forms.CharField(label="拨款计划（每行“金额 日期”）", widget=forms.Textarea(attrs={"rows": 2}))
    challenge_subsidy = forms.DecimalField(label="揭榜挂帅补助（万元，50~200，揭榜挂帅项目填写）", required=False,
                                           min_value=50, max_value=200, decimal_places=4)

    def clean(self):
        import datetime as dt
        from decimal import Decimal, InvalidOperation

        d = super().clean()
        try:
            d["budget"] = [{"item": x.rsplit(None, 1)[0], "amount": str(Decimal(x.rsplit(None, 1)[1]))}
                           for x in _lines(d.get("budget_lines", ""))]
            d["plan"] = [(Decimal(x.split()[0]), dt.date.fromisoformat(x.split()[1]))
                         for x in _lines(d.get("instalments", ""))]
        except (IndexError, InvalidOperation, ValueError):
            raise forms.ValidationError("预算科目或拨款计划格式有误：每行“科目 金额”或“金额 YYYY-MM-DD”") from None
        d["indicator_list"] = _lines(d.get("indicators", ""))
        return d


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=1000)


class MidtermForm(forms.Form):
    on = _date("检查日期")
    conclusion = forms.CharField(label="中期检查结论", max_length=500)


class AcceptForm(forms.Form):
    indicators_met = forms.BooleanField(label="考核指标已完成", required=False)
    audit_passed = forms.BooleanField(label="财务审计通过", required=False)
    note = forms.CharField(label="验收意见", max_length=1000)


class TerminateForm(forms.Form):
    reason = forms.CharField(label="终止理由", max_length=1000)
    diligent = forms.BooleanField(label="经审查认定项目团队勤勉尽责（宽容失败，不作信用惩戒）", required=False)


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label="变更事项", choices=[("pi", "项目负责人"), ("period", "实施期限"), ("budget", "预算调整")])
    new_value = forms.CharField(label="变更为（实施期限填 YYYY-MM-DD）", max_length=500)
    reason = forms.CharField(label="理由", max_length=500)


class ExpertForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    unit = forms.CharField(label="工作单位", max_length=200)
    field = forms.CharField(label="专业领域", max_length=100, required=False)
    title = forms.CharField(label="职称", max_length=50, required=False)
    username = forms.CharField(label="系统账户（评审专家角色的用户名，可空）", max_length=150, required=False)
