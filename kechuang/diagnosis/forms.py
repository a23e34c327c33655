"""The public self-check form: a few figures in, facts (contract section 2) out."""

from __future__ import annotations

import datetime as dt

from django import forms

from kechuang.core.bounds import COUNT, MONEY, SIGNED_MONEY, bounded
from kechuang.rules.vocabulary import FIELDS, YEAR_MONEY  # the one vocabulary

#: The year figures the self-check asks for (the registry's labels; 净利润 is not used by any scheme).
YEAR_FIELDS = tuple((f.name, f.label) for f in YEAR_MONEY if f.name != "net_profit")
TRI = (("", "不确定"), ("no", "否"), ("yes", "是"))
BANDS = (("", "不确定"), ("A", "A 档"), ("B", "B 档"), ("C", "C 档"), ("D", "D 档"), ("E", "E 档"))


def _money(field, label):
    return forms.DecimalField(label=label, required=False, max_digits=16, decimal_places=4,
                              min_value=field.minimum, max_value=field.maximum,
                              validators=bounded(SIGNED_MONEY if field.minimum is None else MONEY))


def _count(name, label=None):
    f = FIELDS[name]
    return forms.IntegerField(label=label or f.label, required=False, min_value=f.minimum, max_value=f.maximum,
                              validators=bounded(COUNT))


class SelfCheckForm(forms.Form):
    """企业自测：基本情况、近三年财务数据（万元）、知识产权和成果转化。"""

    on = forms.DateField(label="评价（申报）日期", initial=dt.date.today,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(label="企业名称", required=False, max_length=200)
    established_on = forms.DateField(label="成立日期", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    employees = _count("employees")
    tech_staff = _count("tech_staff")
    rd_staff = _count("rd_staff")
    high_tech_field = forms.ChoiceField(label="核心技术属于国家重点支持的高新技术领域", required=False,
                                        choices=(("", "不确定"), ("yes", "属于"), ("no", "不属于")))
    restricted_industry = forms.ChoiceField(label="产品属禁止、限制或淘汰类", required=False, choices=TRI)
    incident_last_year = forms.ChoiceField(label="近一年发生重大安全、质量事故或严重环境违法", required=False, choices=TRI)
    serious_dishonesty = forms.ChoiceField(label="科研严重失信", required=False, choices=TRI)
    abnormal_operation_listed = forms.ChoiceField(label="列入经营异常名录或严重违法失信名单", required=False, choices=TRI)
    class1_self = forms.IntegerField(label="自主研发的Ⅰ类知识产权（发明专利等）件数", required=False, min_value=0, validators=bounded(COUNT))
    class1_other = forms.IntegerField(label="受让等方式取得的Ⅰ类知识产权件数", required=False, min_value=0, validators=bounded(COUNT))
    class2_count = forms.IntegerField(label="Ⅱ类知识产权（实用新型、外观设计、软件著作权）件数（未用于以往高企申报）",
                                      required=False, min_value=0, validators=bounded(COUNT))
    tech_advancement = forms.ChoiceField(label="知识产权技术先进程度（自评）", required=False, choices=BANDS)
    core_support = forms.ChoiceField(label="知识产权对主要产品的核心支持作用（自评）", required=False, choices=BANDS)
    rd_management = forms.IntegerField(label="研究开发组织管理水平自评分（0–20）", required=False,
                                       min_value=0, max_value=20, validators=bounded(COUNT, hi=20))
    niche_market_years = _count("niche_market_years")
    strategic_emerging_industry = forms.ChoiceField(label="主导产品属战略性新兴产业等领域", required=False, choices=TRI)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        on = self.initial.get("on") or dt.date.today()
        self.window = [on.year - 3, on.year - 2, on.year - 1] if isinstance(on, dt.date) else []
        for k in range(3):
            for f, label in YEAR_FIELDS:
                self.fields[f"y{k}_{f}"] = _money(FIELDS[f], f"前{3 - k}年 {label}（{FIELDS[f].unit}）")
            self.fields[f"y{k}_conversions"] = forms.IntegerField(
                label=f"前{3 - k}年 科技成果转化数（项）", required=False, min_value=0, validators=bounded(COUNT))

    def year_rows(self):
        """Bound fields grouped per year (for the template)."""
        return [[self[f"y{k}_{f}"] for f, _ in YEAR_FIELDS] + [self[f"y{k}_conversions"]] for k in range(3)]

    def facts(self) -> dict:
        """The cleaned form as a facts object; the rules engine validates it."""
        c = self.cleaned_data
        on = c["on"]
        facts: dict = {}
        for k in ("name", "employees", "tech_staff", "rd_staff", "niche_market_years"):
            if c.get(k) not in (None, ""):
                facts[k] = c[k]
        if c.get("established_on"):
            facts["established_on"] = c["established_on"].isoformat()
        if c.get("high_tech_field"):
            facts["high_tech_field"] = "（企业自填）" if c["high_tech_field"] == "yes" else None
        for k in ("restricted_industry", "incident_last_year", "serious_dishonesty",
                  "abnormal_operation_listed", "strategic_emerging_industry"):
            if c.get(k):
                facts[k] = c[k] == "yes"
        years, conversions = [], []
        for k in range(3):
            y = on.year - 3 + k
            item = {"year": y}
            for f, _ in YEAR_FIELDS:
                v = c.get(f"y{k}_{f}")
                if v is not None:
                    item[f] = v
            if len(item) > 1:
                years.append(item)
            if c.get(f"y{k}_conversions") is not None:
                conversions.append({"year": y, "count": c[f"y{k}_conversions"]})
        facts["years"] = years
        if conversions:
            facts["conversions"] = conversions
        ip = []
        granted = (on - dt.timedelta(days=1)).isoformat()
        for key, kind, acq in (("class1_self", "invention_patent", "self"),
                               ("class1_other", "invention_patent", "transfer"),
                               ("class2_count", "utility_model", "self")):
            for _ in range(min(c.get(key) or 0, 200)):
                ip.append({"kind": kind, "granted_on": granted, "acquired_by": acq, "core": True})
        if any(c.get(k) is not None for k in ("class1_self", "class1_other", "class2_count")):
            facts["ip_rights"] = ip
        sa = {}
        for k in ("tech_advancement", "core_support"):
            if c.get(k):
                sa[k] = c[k]
        if c.get("rd_management") is not None:
            total = c["rd_management"]
            parts = {"system": min(total, 6)}
            parts["institution"] = min(total - parts["system"], 6)
            parts["conversion_incentive"] = min(total - parts["system"] - parts["institution"], 4)
            parts["talent"] = total - sum(parts.values())
            sa["rd_management"] = parts
        if sa:
            facts["self_assessment"] = sa
        return facts
