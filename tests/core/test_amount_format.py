"""Amounts in 万元 show only the decimals that mean something (issue 13 item 8): one filter, |wan.

``floatformat:"-6"`` looks right on whole numbers and shows 12.500000 as soon as there is a fraction,
which the demo data (whole amounts) never reveals — so templates may not use it for amounts."""

import re
from decimal import Decimal
from pathlib import Path

from django.template import engines

ROOT = Path(__file__).resolve().parents[2] / "kechuang"


def test_no_template_keeps_noise_decimals():
    offenders = []
    for path in ROOT.rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'floatformat:"?-[3-9]', line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == [], "金额请用 |wan：" + "、".join(offenders)


def test_wan_filter_on_a_fraction():
    tpl = engines["django"].from_string("{{ a|wan }}/{{ b|wan }}/{{ c|wan }}")

    assert tpl.render({"a": Decimal("12.5000"), "b": Decimal("60.0000"), "c": Decimal("-0.0550")}) == "12.5/60/-0.055"
