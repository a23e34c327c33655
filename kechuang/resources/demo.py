"""Demo data of the 创新资源 module for `kechuang serve --demo` (every row marked is_demo where the
model has the flag; names say 演示 where they are shown).

``load_demo`` runs after the technology market's loader (settings order) and gives its demo
institutes and instruments their 大院大所 and sharing records, fee rules, a voucher scheme, service
organisations and financial products. ``load_demo_activity`` runs after the demo accounts exist:
an institute user (yuansuo_demo), a service-organisation user (fuwu_demo) and a finance officer
(caizheng_demo), then a completed booking paid with a voucher, a pending booking and a loan.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

INSTITUTE_PROFILES = {
    "华侨大学": ("university", "provincial", ["智能装备", "新材料"], ["石材陶瓷", "机械装备"]),
    "中国科学院海西研究院泉州装备制造研究中心": ("institute", "national", ["智能制造", "新材料"], ["机械装备", "半导体"]),
    "泉州市石材产业技术研究院": ("new_rd", "municipal", ["石材加工", "新材料"], ["石材陶瓷"]),
}
INSTRUMENTS = {   # name: (model, maker, country, value 万元, functions, prices 元/小时 internal/enterprise/voucher, booking mode)
    "场发射扫描电子显微镜": ("SU5000", "日立", "日本", "286", "材料表面形貌观察、能谱元素分析", (150, 400, 300), "approval"),
    "X射线荧光光谱仪": ("ZSX Primus IV", "理学", "日本", "168", "石材、陶瓷原料主次量元素定量分析", (100, 300, 220), "instant"),
    "石材抗折试验机": ("WDW-100", "济南试验机厂", "中国", "32", "石材弯曲强度、压缩强度测定", (50, 150, 100), "instant"),
    "激光粒度分析仪": ("Mastersizer 3000", "马尔文帕纳科", "英国", "75", "粉体粒度分布测定（0.01–3500 μm）", (80, 200, 150), "approval"),
    "五轴数控桥切机": ("QJ-5X", "南安某装备公司", "中国", "120", "异形石材中试加工", (200, 600, 450), "approval"),
}
SERVICE_ORGS = [
    ("南安市石材产品质量检验中心（演示）", "testing", ["CMA", "CNAS"], "陈某", ["南安市国资公司"], ["石材陶瓷"],
     [("石材放射性检测", "按样计费"), ("石材物理性能检测", "按项目计费")]),
    ("泉州市技术转移服务中心（演示）", "transfer", ["国家技术转移示范机构"], "林某", ["林某", "黄某"], ["机械装备", "新材料"],
     [("技术需求挖掘与成果对接", "按项目协商")]),
    ("南安知识产权代理事务所（演示）", "ip", ["专利代理机构执业许可"], "吴某", ["吴某"], ["水暖厨卫", "鞋服纺织"],
     [("发明专利申请代理", "每件约 0.5 万元"), ("专利导航分析", "按项目协商")]),
    ("南安市科创孵化器管理有限公司（演示）", "incubation", ["省级科技企业孵化器"], "郑某", ["南安市产业投资集团"], ["半导体"],
     [("入孵企业创业辅导", "入孵企业免费")]),
]
PRODUCTS = [
    ("科技贷（演示）", "tech_loan", "泉州银行（演示）", "10", "1000", "贴息后年化约 3%（待核实）",
     [{"fact": "qualifications", "op": "has_any", "value": ["tsme", "hnte"], "label": "科技型中小企业或高新技术企业"},
      {"fact": "serious_dishonesty", "op": "==", "value": False, "label": "无科研严重失信记录"}],
     "面向科技型企业的信用贷款，科技局推荐、银行审批，风险补偿资金池分担（参数待核实）。"),
    ("技术创新基金白名单（演示）", "innovation_fund", "南安市科技局（演示）", "100", "3000", "",
     [{"fact": "qualifications", "op": "has", "value": ["hnte"], "label": "高新技术企业"},
      {"fact": "rd_ratio", "op": ">=", "value": "0.03", "label": "研发费用占营业收入不低于3%"}],
     "入选白名单的企业可获合作银行优惠利率贷款（条件为演示参数，待核实）。"),
    ("科创天使基金（演示）", "angel_fund", "南安市科创天使基金（演示）", "50", "500", "股权投资",
     [{"fact": "age_years", "op": "<=", "value": "5", "label": "成立不超过5年"},
      {"fact": "invention_patents", "op": ">=", "value": "1", "label": "拥有有效发明专利"}],
     "投资种子期、初创期科技企业（条件为演示参数，待核实）。"),
    ("知识产权质押贷（演示）", "bank", "农业银行南安支行（演示）", "50", "2000", "LPR 加点（待核实）",
     [{"fact": "invention_patents", "op": ">=", "value": "1", "label": "拥有有效发明专利"}],
     "以专利权质押的贷款产品（演示）。"),
]


def load_demo(stdout=None) -> None:
    """Profiles, fee rules, maintenance, a voucher scheme, service organisations and products (idempotent)."""
    from kechuang.core.changes import change_context
    from kechuang.techmarket.models import Institute, Instrument

    from .models import (
        FeeRule,
        FinancialProduct,
        InstituteProfile,
        InstrumentProfile,
        ServiceOffering,
        ServiceOrg,
        VoucherScheme,
    )

    with transaction.atomic(), change_context(source="command:serve --demo resources"):
        for name, (cat, level, fields, chains) in INSTITUTE_PROFILES.items():
            inst = Institute.objects.filter(name=name).first()
            if inst is not None:
                InstituteProfile.objects.get_or_create(institute=inst, defaults={
                    "category": cat, "level": level, "fields": fields, "industry_chains": chains, "is_demo": True,
                    "summary": f"{name}（演示数据）", "contact": "0595-8638XXXX"})
        n_instr = 0
        for instr in Instrument.objects.filter(name__in=list(INSTRUMENTS)):
            model, maker, country, value, functions, prices, mode = INSTRUMENTS[instr.name]
            _p, created = InstrumentProfile.objects.get_or_create(instrument=instr, defaults={
                "model_no": model, "maker": maker, "country": country, "value": Decimal(value),
                "purchased_on": dt.date(timezone.localdate().year - 5, 6, 1), "location": f"{instr.owner.name}实验楼", "main_functions": functions,
                "technical_indicators": "详见仪器说明书（演示）", "booking_mode": mode,
                "sharing_mode": "open" if instr.available else "internal", "contact_name": "王老师", "is_demo": True})
            n_instr += created
            for cat, yuan in zip(("internal", "enterprise", "voucher"), prices, strict=True):
                FeeRule.objects.get_or_create(instrument=instr, user_category=cat,
                                              defaults={"price_per_hour": Decimal(yuan) / 10000})
        year = timezone.localdate().year
        VoucherScheme.objects.get_or_create(year=year, name=f"{year}年度科技创新券（演示参数）", defaults={
            "effective_from": dt.date(year, 1, 1), "effective_to": dt.date(year, 12, 31),
            "per_application_cap": Decimal("10"), "per_year_cap": Decimal("20"), "share_covered": Decimal("0.5"),
            "validity_days": 180, "eligible_qualifications": ["tsme", "hnte", "innovative_sme", "srdi_sme"],
            "allow_small_unqualified": True,
            "categories": ["instrument", "testing", "transfer", "ip", "consulting", "incubation"],
            "source": "《泉州市科技创新券管理规定》（修订）——具体金额未见于现有文本"})
        for name, kind, quals, legal, holders, chains, offerings in SERVICE_ORGS:
            org, _ = ServiceOrg.objects.get_or_create(name=name, defaults={
                "kind": kind, "qualifications": quals, "legal_person": legal, "shareholders": holders,
                "industry_chains": chains, "contact": "0595-8637XXXX", "is_demo": True})
            for oname, price in offerings:
                ServiceOffering.objects.get_or_create(org=org, name=oname, defaults={
                    "category": kind, "price_note": price, "description": f"{oname}（演示）"})
        for name, kind, provider, lo, hi, rate, conds, desc in PRODUCTS:
            FinancialProduct.objects.get_or_create(name=name, defaults={
                "kind": kind, "provider": provider, "min_amount": Decimal(lo), "max_amount": Decimal(hi),
                "rate_note": rate, "conditions": conds, "description": desc, "is_demo": True})
    if stdout is not None:
        stdout.write(f"创新资源演示数据：大院大所档案 {len(INSTITUTE_PROFILES)} 家、仪器档案（新建 {n_instr}）、"
                     f"服务机构 {len(SERVICE_ORGS)} 家、金融产品 {len(PRODUCTS)} 项、创新券参数 1 套（待核实）\n")


def _account(username, role, display, **binding):
    from kechuang.core.accounts import random_password
    from kechuang.core.models import User

    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        return user, None
    password = os.environ.get("KECHUANG_DEMO_PASSWORD", "") or random_password()
    user = User(username=username, role=role, last_name=display, password_changed_at=timezone.now())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, password


def load_demo_activity(stdout=None) -> None:
    """Demo accounts bound to an institute and a service organisation, a finance officer, and a
    voucher-paid booking, a pending booking and a loan for the demo enterprise (idempotent)."""
    from kechuang.core.models import Role, User
    from kechuang.core.permissions import system_actor
    from kechuang.techmarket.models import Institute, Instrument

    from . import services
    from .models import Booking, FinancialProduct, Loan, ResourceAccount, ServiceOrg, Voucher

    created = []
    inst = Institute.objects.filter(name="泉州市石材产业技术研究院").first()
    org = ServiceOrg.objects.filter(name=SERVICE_ORGS[0][0]).first()
    if inst is not None:
        u, pw = _account("yuansuo_demo", Role.INSTITUTE_USER, "石材研究院仪器管理员（演示）")
        ResourceAccount.objects.get_or_create(user=u, defaults={"institute": inst})
        if pw:
            created.append((u.username, "科研机构用户", pw))
    if org is not None:
        u, pw = _account("fuwu_demo", Role.SERVICE_ORG_USER, "检验中心（演示）")
        ResourceAccount.objects.get_or_create(user=u, defaults={"service_org": org})
        if pw:
            created.append((u.username, "科技服务机构用户", pw))
    u, pw = _account("caizheng_demo", Role.FINANCE_OFFICER, "财政局演示")
    if pw:
        created.append((u.username, "财政局工作人员", pw))
    ent_user = User.objects.filter(username__iexact="qiye_demo").first()
    instr = Instrument.objects.filter(name="X射线荧光光谱仪").first()
    if ent_user is not None and instr is not None and not Booking.objects.filter(enterprise=ent_user.enterprise).exists():
        actor = system_actor("command:serve --demo resources")
        ent = ent_user.enterprise
        _ensure_eligible(ent)
        v = None
        if not services.credit_refusal(ent, timezone.localdate()):   # another module's demo may veto it
            v = services.voucher_apply(actor=ent_user, amount="5", purpose="石材原料成分检测（演示）",
                                       legal_person="演示法人", shareholders=["演示股东"])
            v = services.voucher_decide(actor=actor, voucher=v, approve=True, note="演示：同意发放")
            Voucher.objects.filter(pk=v.pk).update(is_demo=True)
        now = timezone.now()
        start = (now - dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        b = services.booking_request(actor=ent_user, instrument=instr, starts_at=start,
                                     ends_at=start + dt.timedelta(hours=3), purpose="石材原料成分检测（演示）",
                                     use_voucher=v is not None, at=start - dt.timedelta(hours=1))
        b = services.booking_decide(actor=actor, booking=b, approve=True, note="演示：同意", at=start - dt.timedelta(hours=1))
        Booking.objects.filter(pk=b.pk).update(is_demo=True)
        b = services.booking_check_in(actor=actor, booking=b, at=start)
        b = services.booking_check_out(actor=actor, booking=b, at=start + dt.timedelta(hours=2, minutes=30))
        services.booking_evaluate(actor=ent_user, booking=b, rating=5, comment="出数据快（演示）")
        if v is not None:
            services.voucher_redeem(actor=ent_user, voucher=v, booking=b)
        later = (now + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
        other = Instrument.objects.filter(name="激光粒度分析仪").first()
        if other is not None:
            b2 = services.booking_request(actor=ent_user, instrument=other, starts_at=later,
                                          ends_at=later + dt.timedelta(hours=2), purpose="粉体粒度测定（演示）")
            Booking.objects.filter(pk=b2.pk).update(is_demo=True)
        product = FinancialProduct.objects.filter(kind="tech_loan").first()
        if product is not None:
            Loan.objects.get_or_create(product=product, enterprise=ent, defaults={
                "amount": Decimal("300"), "granted_on": timezone.localdate() - dt.timedelta(days=30),
                "note": "演示放款", "is_demo": True})
    if stdout is not None:
        for username, label, password in created:
            stdout.write(f"  演示账户 {username}（{label}）密码：{password}\n")
        stdout.write("创新资源演示业务：创新券申领与发放、仪器预约（已下机并用券抵扣）、待审核预约、科技贷放款\n")


def _ensure_eligible(enterprise) -> None:
    """The demo enterprise is a 规下小微 or holds a 科小 record so that it may apply (demo only)."""
    from kechuang.enterprises.models import Qualification

    if enterprise.size_class in ("small", "micro"):
        return
    if not Qualification.objects.filter(enterprise=enterprise, kind__in=["tsme", "hnte"]).exists():
        today = timezone.localdate()
        Qualification.objects.create(enterprise=enterprise, kind="tsme", certificate_no="演示",
                                     valid_from=today.replace(month=1, day=1), valid_until=today.replace(month=12, day=31))
