"""Forms of the policy pages (Chinese labels, validated like the engine)."""

from __future__ import annotations

import datetime as dt

from django import forms

from kechuang.core.bounds import MONEY, YEAR, bounded

LEVELS = [("", "—"), ("national", "国家级"), ("provincial", "省级"), ("quanzhou", "泉州级")]


class PublicCalculatorForm(forms.Form):
    """The public 政策计算器: the common facts an enterprise knows, turned into facts + events."""

    year = forms.IntegerField(label="测算年度", min_value=2000, max_value=2100, validators=bounded(YEAR), initial=dt.date.today().year)
    region = forms.CharField(label="所属乡镇", required=False, max_length=30)
    hnte_recognized_on = forms.DateField(label="通过国家高新技术企业认定（含重新认定）日期", required=False)
    little_giant_first_on = forms.DateField(label="首次认定国家专精特新“小巨人”日期", required=False)
    srdi_first_on = forms.DateField(label="首次认定省级专精特新中小企业日期", required=False)
    challenge_accepted_on = forms.DateField(label="揭榜挂帅项目通过验收日期", required=False)
    challenge_subsidy = forms.DecimalField(label="揭榜挂帅核定补助（万元，可不填）", required=False, decimal_places=6, validators=bounded(MONEY))
    incubator_level = forms.ChoiceField(label="新认定科技企业孵化器级别", choices=LEVELS, required=False)
    incubator_recognized_on = forms.DateField(label="孵化器认定日期", required=False)
    revenue_last_year = forms.DecimalField(label="上年度营业收入（万元）", required=False, min_value=0, decimal_places=6, validators=bounded(MONEY))
    revenue_before = forms.DecimalField(label="此前最高年度营业收入（万元）", required=False, min_value=0,
                                        decimal_places=6, validators=bounded(MONEY))
    rd_last_year = forms.DecimalField(label="上年度研发费用（万元）", required=False, min_value=0, decimal_places=6, validators=bounded(MONEY))
    hnte_last_year = forms.BooleanField(label="上年度持有有效高新技术企业证书", required=False)
    above_size_on = forms.DateField(label="首次升规纳统日期（升规前为高企）", required=False)

    def to_facts(self) -> tuple[dict, int]:
        """Facts (contract section 2) and the year."""
        d = self.cleaned_data
        year = d["year"]
        ev = []

        def add(kind, date, **extra):
            if date:
                ev.append({"kind": kind, "date": date.isoformat(), **{k: v for k, v in extra.items() if v is not None}})

        add("hnte_recognized", d.get("hnte_recognized_on"))
        add("little_giant_recognized", d.get("little_giant_first_on"), first_time=True)
        add("srdi_provincial_recognized", d.get("srdi_first_on"), first_time=True)
        add("challenge_project_accepted", d.get("challenge_accepted_on"),
            subsidy=float(d["challenge_subsidy"]) if d.get("challenge_subsidy") is not None else None)
        if d.get("incubator_level"):
            add("incubator_recognized", d.get("incubator_recognized_on") or dt.date(year, 6, 30),
                level=d["incubator_level"])
        facts: dict = {"events": ev, "region": d.get("region") or None, "years": [], "qualifications": []}
        last = {"year": year - 1}
        if d.get("revenue_last_year") is not None:
            last["operating_revenue"] = float(d["revenue_last_year"])
        if d.get("rd_last_year") is not None:
            last["rd_expense"] = float(d["rd_last_year"])
        if len(last) > 1:
            facts["years"].append(last)
        if d.get("revenue_before") is not None:
            facts["years"].append({"year": year - 2, "operating_revenue": float(d["revenue_before"])})
        if d.get("hnte_last_year") or d.get("above_size_on"):
            start = dt.date(year - 2, 1, 1)
            facts["qualifications"].append({"kind": "hnte", "first_recognized_on": start.isoformat(),
                                            "valid_from": start.isoformat(),
                                            "valid_until": dt.date(year, 12, 31).isoformat()})
        if d.get("above_size_on"):
            s = d["above_size_on"].isoformat()
            facts["qualifications"].append({"kind": "above_designated_size", "first_recognized_on": s, "valid_from": s})
        return facts, year
