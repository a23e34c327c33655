"""Human-readable Chinese pre-diagnosis report (plain text) from a list of verdicts.

:func:`render_text` is a pure function used by the CLI (without ``--json``), the web tab
and the Word builder (:mod:`kechuang.rules.docx_report`) shares its wording helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .facts import Facts
from .verdict import STATUS_LABELS, Condition, Verdict

MARKS = {"pass": "✓", "fail": "✗", "borderline": "～", "missing": "？"}


def conclusion(v: Verdict) -> str:
    """One-line Chinese conclusion of a verdict."""
    counts = {s: sum(1 for c in v.conditions if c.status == s) for s in MARKS}
    if v.eligible is True:
        return "符合条件，可以申报"
    if v.eligible is False:
        n = counts["fail"]
        return f"暂不符合（{n} 项条件未达到）" if n else "暂不符合"
    parts = []
    if counts["borderline"]:
        parts.append(f"{counts['borderline']} 项待专家判断")
    if counts["missing"]:
        parts.append(f"{counts['missing']} 项缺少数据")
    return "尚不能确定（" + "，".join(parts) + "）" if parts else "尚不能确定"


def _value_text(c: Condition) -> str:
    v, t = c.value, c.threshold
    if isinstance(v, dict) and set(v) == {"min", "max"}:
        rng = f"{v['min']}" if v["min"] == v["max"] else f"{v['min']}–{v['max']} 分"
        return f"预计 {rng}" + (f"，要求 ≥ {t} 分" if t is not None else "")
    if isinstance(v, float) and isinstance(t, float) and t <= 1:
        return f"{v * 100:.2f}%，要求 {'≤' if 'debt' in c.id else '≥'} {t * 100:g}%"
    return ""


def held_text(v: Verdict, facts: Facts | None) -> str:
    """When the enterprise already holds a valid qualification of ``v``'s scheme on the evaluation
    date: say so, with its validity and when to renew ("" otherwise)."""
    if facts is None:
        return ""
    on = v.evaluated_on
    held = [q for q in facts.qualifications if q.kind == v.scheme and q.valid_on(on)]
    if not held:
        return ""
    q = max(held, key=lambda q: q.valid_until or on)
    start = q.valid_from or q.first_recognized_on
    text = f"已持有有效的{v.title}资格"
    if start and q.valid_until:
        text += f"（有效期 {start.isoformat()} 至 {q.valid_until.isoformat()}）"
    elif q.valid_until:
        text += f"（有效期至 {q.valid_until.isoformat()}）"
    if q.valid_until:
        text += f"，请在 {q.valid_until.isoformat()} 到期前申请重新认定（复核）；以下为按现行条件的复核预诊断"
    return text + "。"


def condition_line(c: Condition) -> str:
    """One condition as a line: mark, label, status, value, gap."""
    line = f"{MARKS[c.status]} {c.label}：{STATUS_LABELS[c.status]}"
    vt = _value_text(c)
    if vt:
        line += f"（{vt}）"
    if c.gap and c.status != "pass":
        line += f" → {c.gap}"
    if not c.verified:
        line += "［依据待核实］"
    return line


def next_steps(v: Verdict) -> list[str]:
    """Actionable steps: failing conditions first, then missing inputs, then judgement."""
    steps = [c.gap for c in v.conditions if c.status == "fail" and c.gap]
    steps += [c.gap for c in v.conditions if c.status == "missing" and c.gap]
    steps += [c.gap for c in v.conditions if c.status == "borderline" and c.gap]
    seen, out = set(), []
    for s in steps:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def render_verdict(v: Verdict) -> list[str]:
    """Lines of one scheme's section."""
    lines = [f"【{v.title}】{conclusion(v)}",
             f"  依据：{v.rules_title}（规则版本 {v.rules_version}）"]
    if v.score is not None:
        parts = "，".join(f"{_COMPONENT_NAMES.get(k, k)} {r.min}" + (f"–{r.max}" if r.max != r.min else "") + " 分"
                          for k, r in v.components.items())
        sc = f"{v.score.min}" if v.score.min == v.score.max else f"{v.score.min}–{v.score.max}"
        lines.append(f"  评分：{sc} 分（{parts}）")
    for c in v.conditions:
        lines.append("  " + condition_line(c))
    steps = next_steps(v)
    if steps:
        lines.append("  下一步：")
        lines += [f"    {i}. {s}" for i, s in enumerate(steps, 1)]
    for n in v.notes:
        lines.append(f"  注：{n}")
    return lines


_COMPONENT_NAMES = {"ip": "知识产权", "conversion": "科技成果转化", "rd_management": "研发组织管理",
                    "growth": "成长性", "tech_staff": "科技人员", "rd": "研发投入",
                    "innovation": "创新能力", "specialization": "专业化"}


def render_text(verdicts: Sequence[Verdict], facts: Facts | None = None) -> str:
    """The whole report as Chinese plain text."""
    lines = ["企业资格预诊断报告"]
    if facts is not None and (facts.name or facts.uscc):
        who = facts.name or ""
        if facts.uscc:
            who += f"（统一社会信用代码 {facts.uscc}）"
        lines.append(f"企业：{who}")
    if verdicts:
        lines.append(f"评价日期：{verdicts[0].evaluated_on.isoformat()}（适用该日有效的认定办法）")
    lines.append("")
    lines.append("总览：" + "；".join(f"{v.title} {summary_word(v)}" for v in verdicts))
    lines.append("")
    for v in verdicts:
        lines += render_verdict(v)
        lines.append("")
    lines.append("说明：本报告为预诊断，依据企业自行填报的数据和公开认定办法计算；"
                 "专家评审部分以分数区间表示，最终结论以主管部门认定为准。")
    return "\n".join(lines)


def summary_word(v: Verdict) -> str:
    """A two-to-four character verdict word for overviews."""
    return {True: "符合", False: "不符合", None: "待定"}[v.eligible]


def missing_inputs(verdicts: Iterable[Verdict]) -> list[str]:
    """All missing input keys over several verdicts (unique, ordered)."""
    out: dict[str, None] = {}
    for v in verdicts:
        for k in v.missing:
            out.setdefault(k, None)
    return list(out)
