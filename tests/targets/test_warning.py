"""Early warning: completion progress against time progress."""
from datetime import date
from decimal import Decimal

import pytest

from kechuang.targets.numbers import TargetDataError
from kechuang.targets.warning import Thresholds, early_warning, time_progress

Y23 = dict(start=date(2023, 1, 1), end=date(2023, 12, 31))


def test_time_progress_half_year():
    assert time_progress(date(2023, 6, 30), **Y23) == Decimal("0.4959")  # 181 / 365
    assert time_progress(date(2022, 12, 31), **Y23) == 0
    assert time_progress(date(2023, 12, 31), **Y23) == 1
    with pytest.raises(TargetDataError):
        time_progress(date(2023, 6, 30), date(2023, 2, 1), date(2023, 1, 1))


def test_flow_indicator_colours_at_half_year():
    # 溪美 全社会研发经费投入 2023 target 38016 万元; time progress 49.59 %
    on = date(2023, 6, 30)
    w = early_warning(actual=19000, target=38016, kind="flow", on=on, **Y23)
    assert w.level == "green" and w.ratio == Decimal("1.0079")
    w = early_warning(actual=17000, target=38016, kind="flow", on=on, **Y23)
    assert w.level == "yellow" and w.completion == Decimal("0.4472")
    assert "进度比" in w.rule and "黄色" in w.explanation
    w = early_warning(actual=15000, target=38016, kind="flow", on=on, **Y23)
    assert w.level == "red"


def test_yellow_threshold_boundary_both_sides():
    # time progress 0.5 over a 2-day period; ratio = completion / 0.5
    period = dict(start=date(2024, 1, 1), end=date(2024, 1, 2), on=date(2024, 1, 1))
    assert early_warning(actual=40, target=100, kind="flow", **period).level == "yellow"   # ratio 0.80
    assert early_warning(actual="39.99", target=100, kind="flow", **period).level == "red"  # ratio 0.7998
    assert early_warning(actual=50, target=100, kind="flow", **period).level == "green"   # ratio 1.00
    assert early_warning(actual="49.99", target=100, kind="flow", **period).level == "yellow"


def test_stock_indicator_measures_the_increase_from_baseline():
    # 水头 高企: 2022 target 51 (baseline), 2023 target 81; at 30 June 60 valid certificates
    w = early_warning(actual=60, target=81, baseline=51, kind="stock", on=date(2023, 6, 30), **Y23)
    assert w.completion == Decimal("0.3000") and w.level == "red"
    w = early_warning(actual=66, target=81, baseline=51, kind="stock", on=date(2023, 6, 30), **Y23)
    assert w.level == "green"


def test_reached_target_is_green_and_missed_after_end_is_red():
    assert early_warning(actual=81, target=81, baseline=51, kind="stock", on=date(2023, 3, 1), **Y23).level == "green"
    w = early_warning(actual=80, target=81, baseline=51, kind="stock", on=date(2024, 1, 15), **Y23)
    assert w.level == "red" and "期间已结束" in w.explanation


def test_custom_thresholds_and_bad_input():
    t = Thresholds(green="0.9", yellow="0.6")
    w = early_warning(actual=45, target=100, kind="flow", on=date(2023, 6, 30), thresholds=t, **Y23)
    assert w.level == "green" and "90%" in w.rule
    with pytest.raises(TargetDataError, match="黄色阈值"):
        Thresholds(green="0.8", yellow="0.9")
    with pytest.raises(TargetDataError, match="实际值"):
        early_warning(actual="n/a", target=100, kind="flow", on=date(2023, 6, 30), **Y23)
    with pytest.raises(TargetDataError, match="kind"):
        early_warning(actual=1, target=100, kind="count", on=date(2023, 6, 30), **Y23)
