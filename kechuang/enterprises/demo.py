"""Demo data: plausible enterprises spread over 南安's 27 townships, in the industries the seed
documents name, with 3–5 years of consistent figures, IP rights and qualifications.

Deterministic by seed (the same seed gives the same enterprises), idempotent (existing USCCs are
skipped), every enterprise marked 演示数据 (`is_demo`, tag “演示数据”). `generate()` bulk-inserts
and is fast enough for the 100,000-enterprise benchmarks of the other modules.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from kechuang.core.changes import change_context, log_bulk
from kechuang.core.models import Region
from kechuang.enterprises.models import (
    CreditRecord,
    Enterprise,
    FiscalYear,
    IPRight,
    Qualification,
    name_initials,
)
from kechuang.enterprises.vocab import INDUSTRY_GROUPS

DEMO_TAG = "演示数据"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 characters (no I, O, S, V, Z)
_WORDS = ["华泰", "鑫源", "恒达", "永盛", "宏峰", "中联", "天成", "嘉信", "金狮", "闽辉", "隆兴", "瑞丰", "海晟", "南星",
          "协力", "百川", "锦华", "泉安", "山海", "东升", "润达", "凯特", "新宇", "明远", "康泰", "宝岩", "溪源", "丰泽"]
_INDUSTRY_SUFFIX = {
    "石材陶瓷": ["石业", "陶瓷", "建材"], "水暖厨卫": ["卫浴", "水暖", "厨卫"], "鞋服轻纺": ["鞋业", "服饰", "纺织"],
    "半导体": ["半导体", "光电", "微电子"], "新材料": ["新材料", "材料科技", "高分子"], "新能源": ["新能源", "储能科技", "光伏"],
    "机械装备": ["机械", "智能装备", "机电"], "食品": ["食品", "饮品"], "茶叶": ["茶业", "茶叶"],
}
_FIELDS = ["新材料", "先进制造与自动化", "电子信息", "新能源与节能", "资源与环境", "生物与新医药"]


def uscc_for(number: int) -> str:
    """A valid, unique 统一社会信用代码 (南安 350583) for a demo sequence number."""
    from stdnum.cn import uscc

    digits = []
    n = number
    for _ in range(7):
        n, r = divmod(n, len(_ALPHABET))
        digits.append(_ALPHABET[r])
    first17 = "91350583MA" + "".join(reversed(digits))
    return first17 + uscc.calc_check_digit(first17)


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _enterprise(rng: random.Random, number: int, townships: list, today: dt.date) -> tuple[Enterprise, dict]:
    code = rng.choice(list(INDUSTRY_GROUPS))
    group = INDUSTRY_GROUPS[code]
    town = townships[rng.randrange(len(townships))]
    name = f"{town.short_name or town.name[:2]}{rng.choice(_WORDS)}{rng.choice(_INDUSTRY_SUFFIX[group])}有限公司"
    size = rng.choices(["micro", "small", "medium", "large"], weights=[30, 45, 20, 5])[0]
    base_revenue = {"micro": 300, "small": 2500, "medium": 20000, "large": 120000}[size] * rng.uniform(0.4, 1.8)
    employees = max(5, int({"micro": 15, "small": 80, "medium": 400, "large": 1500}[size] * rng.uniform(0.5, 1.6)))
    tech = int(employees * rng.uniform(0.05, 0.35))
    established = today - dt.timedelta(days=rng.randint(400, 9000))
    ent = Enterprise(
        uscc=uscc_for(number), name=name, township_id=town.id, address=f"南安市{town.name}{rng.choice(_WORDS)}路{rng.randint(1, 300)}号",
        industry_code=code, established_on=established, size_class=size, employees=employees, tech_staff=tech,
        rd_staff=int(tech * rng.uniform(0.5, 1.0)), high_tech_field=rng.choice(_FIELDS) if rng.random() < 0.6 else "",
        contact_name=rng.choice("陈林黄王李张吴郑洪傅") + rng.choice(["先生", "女士", "经理"]),
        contact_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        tags=[group, DEMO_TAG], is_demo=True,
    )
    ent.initials = name_initials(name)
    return ent, {"revenue": base_revenue, "size": size}


def _children(rng: random.Random, ent: Enterprise, info: dict, today: dt.date):
    last = today.year - 1
    n_years = rng.randint(3, 5)
    revenue = info["revenue"]
    rd_ratio = rng.uniform(0.01, 0.07)
    years = []
    for year in range(last - n_years + 1, last + 1):
        revenue *= rng.uniform(0.92, 1.25)
        rd = revenue * rd_ratio * rng.uniform(0.85, 1.15)
        assets = revenue * rng.uniform(0.9, 1.6)
        liabilities = assets * rng.uniform(0.25, 0.65)
        total_income = revenue * rng.uniform(1.0, 1.04)
        years.append(FiscalYear(
            enterprise=ent, year=year, sales_revenue=_q(revenue), operating_revenue=_q(revenue),
            main_business_revenue=_q(revenue * rng.uniform(0.9, 1.0)), total_income=_q(total_income),
            hitech_revenue=_q(total_income * rng.uniform(0.3, 0.85)), rd_expense=_q(rd),
            rd_expense_domestic=_q(rd * rng.uniform(0.9, 1.0)), cost_expense_total=_q(revenue * rng.uniform(0.8, 0.95)),
            total_assets=_q(assets), total_liabilities=_q(liabilities), net_assets=_q(assets - liabilities),
            net_profit=_q(revenue * rng.uniform(-0.03, 0.12)),
            equity_financing=_q(rng.uniform(100, 3000)) if rng.random() < 0.05 else None))
    ips = []
    for _ in range(rng.choice([0, 1, 2, 3, 4, 6, 8, 12])):
        kind = rng.choices(["invention_patent", "utility_model", "design_patent", "software_copyright", "ic_layout"],
                           weights=[20, 45, 20, 13, 2])[0]
        granted = today - dt.timedelta(days=rng.randint(30, 3000))
        ips.append(IPRight(enterprise=ent, kind=kind, number=f"ZL{granted.year}{rng.randint(10**8, 10**9 - 1)}",
                           title=f"一种{rng.choice(_WORDS)}{rng.choice(['装置', '方法', '系统', '结构'])}", granted_on=granted,
                           acquired_by=rng.choices(["self", "transfer"], weights=[9, 1])[0], core=rng.random() < 0.6,
                           used_for_hnte=rng.random() < 0.2))
    quals = []
    if rng.random() < 0.25:
        start = today - dt.timedelta(days=rng.randint(0, 3 * 365 + 60))
        first = start - dt.timedelta(days=365 * 3) if rng.random() < 0.4 else start
        quals.append(Qualification(enterprise=ent, kind="hnte", certificate_no=f"GR{start.year}350{rng.randint(10000, 99999)}",
                                   first_recognized_on=first, valid_from=start,
                                   valid_until=start + dt.timedelta(days=3 * 365 - 1), issuing_level="national"))
    if rng.random() < 0.35:
        start = dt.date(today.year, rng.randint(1, 6), rng.randint(1, 28))
        if start > today:
            start = dt.date(today.year - 1, start.month, start.day)
        quals.append(Qualification(enterprise=ent, kind="tsme", certificate_no=f"2{start.year}350583{rng.randint(1000, 9999)}",
                                   first_recognized_on=start, valid_from=start, valid_until=dt.date(start.year, 12, 31),
                                   issuing_level="provincial"))
    for kind, p, level, span in (("innovative_sme", 0.12, "provincial", 3), ("srdi_sme", 0.06, "provincial", 3),
                                 ("little_giant", 0.01, "national", 3)):
        if rng.random() < p:
            start = today - dt.timedelta(days=rng.randint(0, span * 365))
            quals.append(Qualification(enterprise=ent, kind=kind, first_recognized_on=start, valid_from=start,
                                       valid_until=start + dt.timedelta(days=span * 365 - 1), issuing_level=level))
    if years and years[-1].operating_revenue >= 2000 and rng.random() < 0.8:
        start = dt.date(today.year - rng.randint(1, 6), 1, 1)
        quals.append(Qualification(enterprise=ent, kind="above_designated_size", first_recognized_on=start, valid_from=start))
    credits = []
    if rng.random() < 0.02:
        when = today - dt.timedelta(days=rng.randint(10, 700))
        credits.append(CreditRecord(enterprise=ent, kind=rng.choice(["abnormal_operation", "major_incident", "research_dishonesty"]),
                                    occurred_on=when, source="信用中国（演示）", effect="veto",
                                    expires_on=when + dt.timedelta(days=3 * 365), note=DEMO_TAG))
    return years, ips, quals, credits


def generate(count: int, *, seed: int = 2026, today: dt.date | None = None, log: bool | None = None,
             batch: int = 2000, progress=None) -> dict[str, int]:
    """Create `count` demo enterprises (sequence numbers derived from `seed`) with their children,
    skipping USCCs already present. Change-logged (log_bulk) unless `log` is False; by default
    only runs up to 5,000 enterprises are logged (benchmarks generate 100,000).

    Without ``progress`` everything is written in one transaction. With ``progress(done, total,
    step=…)`` (a job's page or a terminal) each batch is its own transaction, so the progress is
    seen as it happens; a run stopped half way (cancelled, worker lost) is simply run again: the
    batches already written are skipped by their USCCs."""
    from contextlib import nullcontext

    today = today or dt.date.today()
    log = count <= 5000 if log is None else log
    townships = list(Region.townships())
    if not townships:
        raise RuntimeError("没有乡镇基础数据：请先运行 kechuang migrate")
    rng = random.Random(seed)
    stats = {"created": 0, "existing": 0, "years": 0, "ip": 0, "qualifications": 0, "credits": 0}
    base = (seed * 7919) % 10_000_000
    report = progress or (lambda *a, **k: None)
    outer = nullcontext() if progress else transaction.atomic()
    with outer, change_context(source=f"demo:seed={seed}"):
        report(0, count, step="生成演示企业及其年度数据、知识产权、资质、信用记录")
        for start in range(0, count, batch):
            with transaction.atomic():
                numbers = range(start, min(count, start + batch))
                made = [_enterprise(rng, base + n, townships, today) for n in numbers]
                present = set(Enterprise.objects.filter(uscc__in=[e.uscc for e, _ in made]).values_list("uscc", flat=True))
                fresh = [(e, info) for e, info in made if e.uscc not in present]
                stats["existing"] += len(made) - len(fresh)
                Enterprise.objects.bulk_create([e for e, _ in fresh], batch_size=batch)
                rows = {FiscalYear: [], IPRight: [], Qualification: [], CreditRecord: []}
                for ent, info in fresh:
                    years, ips, quals, credits = _children(rng, ent, info, today)
                    rows[FiscalYear] += years
                    rows[IPRight] += ips
                    rows[Qualification] += quals
                    rows[CreditRecord] += credits
                for model, objs in rows.items():
                    model.objects.bulk_create(objs, batch_size=batch)
                    if log:
                        log_bulk(model, "create", objs)
                if log:
                    log_bulk(Enterprise, "create", [e for e, _ in fresh])
                stats["created"] += len(fresh)
                stats["years"] += len(rows[FiscalYear])
                stats["ip"] += len(rows[IPRight])
                stats["qualifications"] += len(rows[Qualification])
                stats["credits"] += len(rows[CreditRecord])
            report(min(count, start + batch), count)
    return stats


def load_demo(stdout=None, count: int = 300, seed: int = 2026) -> Enterprise:
    """`kechuang serve --demo`: a few hundred demo enterprises (idempotent); returns the one the
    demo enterprise account is bound to."""
    stats = generate(count, seed=seed)
    if stdout is not None:
        stdout.write(f"  演示企业：新建 {stats['created']} 家，已存在 {stats['existing']} 家")
    return Enterprise.objects.get(uscc=uscc_for((seed * 7919) % 10_000_000))
