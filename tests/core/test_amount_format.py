"""Amounts in 万元 show only the decimals that mean something (issue 13 item 8): one filter, |wan.

``floatformat:"-6"`` looks right on whole numbers and shows 12.500000 as soon as there is a fraction,
which the demo data (whole amounts) never reveals — so templates may not use it for amounts.
``Decimal.normalize`` is worse the other way: 200 万元 reads ``2E+2`` (the demo's call limit, a
揭榜挂帅 subsidy of 100), so templates may not call it either."""

import re
from decimal import Decimal
from pathlib import Path

from django.template import engines

ROOT = Path(__file__).resolve().parents[2] / "kechuang"


def test_no_template_keeps_noise_decimals():
    offenders = []
    for path in ROOT.rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'floatformat:"?-[3-9]|\.normalize\b', line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == [], "金额请用 |wan：" + "、".join(offenders)


def test_wan_filter_on_a_fraction():
    tpl = engines["django"].from_string("{{ a|wan }}/{{ b|wan }}/{{ c|wan }}")

    assert tpl.render({"a": Decimal("12.5000"), "b": Decimal("60.0000"), "c": Decimal("-0.0550")}) == "12.5/60/-0.055"


def test_round_hundreds_read_as_numbers_not_exponents():
    """Decimal("200.0000").normalize() is 2E+2; |wan reads 200."""
    tpl = engines["django"].from_string("{{ a|wan }}/{{ b|wan }}/{{ c|wan }}")
    assert tpl.render({"a": Decimal("200.0000"), "b": Decimal("100").normalize(), "c": Decimal("1500")}) == "200/100/1,500"


def test_messages_are_shown_once_by_the_base_page():
    """base.html lists the messages; a page that loops over them again showed each one twice
    (the 揭榜挂帅 pages: a green bar, then the same text as a badge)."""
    offenders = []
    for path in ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if 'extends "base.html"' in text and re.search(r"{%\s*for \w+ in messages\s*%}", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "消息由 base.html 统一显示：" + "、".join(offenders)
