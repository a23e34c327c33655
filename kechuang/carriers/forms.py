"""Forms of the carriers pages (Chinese labels; numbers bounded by the models they fill)."""
from __future__ import annotations

from django import forms

from kechuang.core.forms import DATE_WIDGET as DATE
from kechuang.core.forms import ChineseForm
from kechuang.core.models import Region

from .models import MAX_AREA, AnnualReport, CarrierKind, Level
from .services import REPORT_FIELDS


class CarrierForm(ChineseForm):
    name = forms.CharField(label="载体名称", max_length=120)
    kind = forms.ChoiceField(label="类别", choices=CarrierKind.choices)
    operator_uscc = forms.CharField(label="运营主体统一社会信用代码", max_length=18)
    township = forms.ModelChoiceField(label="所属乡镇", queryset=Region.objects.none(), empty_label="请选择")
    address = forms.CharField(label="地址", max_length=200, required=False)
    area_sqm = forms.DecimalField(label="场地面积（平方米）", required=False, min_value=0, max_digits=12, decimal_places=2,
                                  max_value=MAX_AREA)
    fields = forms.CharField(label="服务领域", max_length=200, required=False)
    established_on = forms.DateField(label="成立日期", required=False, widget=DATE)
    in_state_owned_park = forms.BooleanField(label="入驻国有园区（中试验证平台、概念验证中心）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Region.townships()

    def clean_operator_uscc(self):
        from kechuang.enterprises.models import Enterprise

        uscc = self.cleaned_data["operator_uscc"].strip().upper()
        ent = Enterprise.objects.filter(uscc=uscc).first()
        if ent is None:
            raise forms.ValidationError("企业库中没有这个统一社会信用代码，请先在企业库登记运营主体。")
        self.cleaned_data["operator"] = ent
        return uscc


class LevelForm(ChineseForm):
    level = forms.ChoiceField(label="级别", choices=Level.choices)
    recognized_on = forms.DateField(label="备案/认定日期", widget=DATE)
    document = forms.CharField(label="文件文号", max_length=120)


class CancelForm(ChineseForm):
    on = forms.DateField(label="撤销日期", widget=DATE)
    reason = forms.CharField(label="撤销原因", max_length=300)


class OperationForm(ChineseForm):
    operator_name = forms.CharField(label="托管运营机构", max_length=120)
    started_on = forms.DateField(label="托管开始日期", widget=DATE)
    non_fiscal_investment = forms.DecimalField(label="非财政直接投入（万元）", min_value=0, max_value=10_000_000,
                                               max_digits=14, decimal_places=2)
    assessed = forms.BooleanField(label="经考核合格", required=False)


class ReportForm(forms.ModelForm):
    label_suffix = ""

    class Meta:
        model = AnnualReport
        fields = ["year", *REPORT_FIELDS]


class EvaluationRunForm(ChineseForm):
    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
