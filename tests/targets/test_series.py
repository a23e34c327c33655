"""generate_series against 南政办〔2021〕67号 附件2 (全社会研发经费投入倍增) and contract 5."""
import csv
from decimal import Decimal
from pathlib import Path

import pytest

from kechuang.targets.numbers import TargetDataError
from kechuang.targets.series import generate_series

FIXTURES = Path(__file__).parent / "fixtures"


def rd_rows():
    with open(FIXTURES / "nanan_rd_investment_targets.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", [r for r in rd_rows() if r["township"] != "合计"], ids=lambda r: r["township"])
def test_reproduces_every_township_row(row):
    series = generate_series(row["y2020_actual"], "0.2", 2020, 2025)
    assert {y: int(v) for y, v in series.items()} == {
        2020: int(row["y2020_actual"]), **{y: int(row[f"y{y}"]) for y in range(2021, 2026)}}


def test_declared_total_row_is_sum_of_rounded_rows_not_total_times_growth():
    rows = rd_rows()
    total = next(r for r in rows if r["township"] == "合计")
    sums = {y: sum(generate_series(r["y2020_actual"], "0.2", 2020, 2025)[y]
                   for r in rows if r["township"] != "合计") for y in range(2020, 2026)}
    assert sums == {2020: 242000, 2021: 290400, 2022: 348480, 2023: 418176, 2024: 501813, 2025: 602175}
    assert int(total["y2025"]) == 602175
    # 242000 × 1.2^5 = 602173.44 → 602173: the table's total is not the series of the total
    assert generate_series(242000, "0.2", 2020, 2025)[2025] == 602173


def test_contract_example_and_not_chained_from_rounded_previous_year():
    series = generate_series(22000, "0.2", 2020, 2025)
    assert series == {2020: 22000, 2021: 26400, 2022: 31680, 2023: 38016, 2024: 45619, 2025: 54743}
    # chaining from the rounded previous year gives 4976 for 东田 2025; the table says 4977
    chained = Decimal(2000)
    for _ in range(5):
        chained = (chained * Decimal("1.2")).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    assert chained == 4976
    assert generate_series(2000, "0.2", 2020, 2025)[2025] == 4977


def test_round_half_up_on_both_sides_of_half():
    assert generate_series(5, "0.5", 2020, 2021)[2021] == 8          # 7.5 → 8 (banker's would give 8 too)
    assert generate_series(5, "0.3", 2020, 2021)[2021] == 7          # 6.5 → 7 (banker's: 6)
    assert generate_series("4.99", "0.3", 2020, 2021)[2021] == 6     # 6.487 → 6
    assert generate_series("5.01", "0.3", 2020, 2021)[2021] == 7     # 6.513 → 7


def test_decimals_for_patents_per_10k():
    # 溪美 每万人口发明专利拥有量 2020 = 2.7, 同比增长20%: 2025 = 2.7 × 1.2^5 = 6.718464
    series = generate_series("2.7", "0.2", 2020, 2025, decimals=2)
    assert series[2021] == Decimal("3.24")
    assert series[2025] == Decimal("6.72")
    assert str(series[2020]) == "2.70"


def test_float_growth_is_taken_as_its_decimal_text():
    assert generate_series(22000, 0.2, 2020, 2025) == generate_series(22000, "0.2", 2020, 2025)


@pytest.mark.parametrize("kwargs, field", [
    (dict(base="两万", growth="0.2", year_from=2020, year_to=2025), "base"),
    (dict(base=100, growth="abc", year_from=2020, year_to=2025), "growth"),
    (dict(base=100, growth="-1", year_from=2020, year_to=2025), "growth"),
    (dict(base=-1, growth="0.2", year_from=2020, year_to=2025), "base"),
    (dict(base=100, growth="0.2", year_from=2025, year_to=2020), "to"),
    (dict(base=100, growth="0.2", year_from="二〇二〇", year_to=2025), "from"),
    (dict(base=100, growth="0.2", year_from=2020, year_to=2025, decimals=7), "decimals"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(TargetDataError, match=field):
        generate_series(**kwargs)


def test_negative_growth_just_above_minus_one_is_accepted():
    assert generate_series(100, "-0.5", 2020, 2022) == {2020: 100, 2021: 50, 2022: 25}
