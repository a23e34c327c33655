"""Template filters of the targets app: numbers without float noise, percentages, warning badges."""
from decimal import Decimal

from django import template

from kechuang.targets.numbers import plain

register = template.Library()

LEVEL_CLASS = {"green": "ok", "yellow": "warn", "red": "bad"}


@register.filter
def num(value):
    """A Decimal without trailing zeros (38.0000 → 38, 3.2400 → 3.24); — for None."""
    return "—" if value is None or value == "" else plain(Decimal(value))


@register.filter
def pct(rate):
    """0.9737 → 97.4%; — for None."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'))}%"


@register.filter
def level_class(warning):
    """CSS badge class of an early warning."""
    return LEVEL_CLASS.get(getattr(warning, "level", None), "")
