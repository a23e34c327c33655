"""The shipped plans against the five transcribed tables of 南政办〔2021〕67号 附件2."""
import csv
from decimal import Decimal
from pathlib import Path

import pytest

from kechuang.targets.indicators import load_indicators
from kechuang.targets.plans import DATA_DIR, PlanImportError, load_plan_file, load_reference_plans

FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM_IDS = {"大院大所": "major_institute", "省级以上科研平台": "provincial_platform",
                "泉州市级科研平台": "quanzhou_platform"}
TALENT_IDS = {"泉州市高层次人才团队": "talent_team", "泉州市高层次人才创新创业项目": "talent_project"}


def read(name):
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def nanan():
    return load_reference_plans()[0]


def test_rd_plan_matches_table(nanan):
    for row in read("nanan_rd_investment_targets.csv"):
        if row["township"] == "合计":
            continue
        e = nanan.entry(row["township"], "rd_investment")
        assert e.rule == "growth" and e.growth == Decimal("0.20") and e.base_is == "actual"
        assert e.baseline == (2020, Decimal(row["y2020_actual"]))
        assert e.targets == {y: Decimal(row[f"y{y}"]) for y in range(2021, 2026)}, row["township"]


def test_hnte_plan_matches_table_including_xuefeng_name(nanan):
    rows = read("nanan_hnte_count_targets.csv")
    for row in rows:
        if row["township"] == "合计":
            continue
        e = nanan.entry(row["township"], "hnte_count")
        assert e.targets == {y: Decimal(row[f"y{y}"]) for y in range(2022, 2026)}, row["township"]
    assert nanan.entry("雪峰开发区", "hnte_count").targets[2025] == 7
    assert nanan.entry("雪峰", "rd_investment").targets[2025] == 4977


def test_platform_plan_matches_table_with_period_totals(nanan):
    for row in read("nanan_platform_targets.csv"):
        if row["township"] == "合计":
            continue
        e = nanan.entry(row["township"], PLATFORM_IDS[row["indicator"]])
        if row["note"].startswith("by year"):
            assert e.rule == "values"
            assert e.targets == {y: Decimal(row[f"y{y}"]) for y in range(2022, 2026)}
        else:
            assert e.rule == "period_total" and e.targets == {}
            assert e.period == (2022, 2025) and e.period_total == Decimal(row["total_2022_2025"])
        assert e.total_over(2022, 2025) == Decimal(row["total_2022_2025"])


def test_talent_plan_matches_table(nanan):
    for row in read("nanan_talent_targets.csv"):
        e = nanan.entry(row["township"], TALENT_IDS[row["indicator"]])
        assert e.targets == {y: Decimal(row[f"y{y}"]) for y in range(2022, 2026)}
    assert nanan.entry("溪美", "talent_project") is None


def test_tech_transfer_plan_matches_table_as_rules(nanan):
    for row in read("nanan_tech_transfer_targets.csv"):
        u = row["township"]
        if row["indicator"] == "技术服务机构":
            e = nanan.entry(u, "tech_service_org")
            assert e.targets == {y: Decimal(row[f"y{y}"]) for y in (2022, 2023)}
            assert e.no_separate_target == (2021,) and e.target_for(2024) is None
        elif row["indicator"] == "技术合同认定登记成交额":
            e = nanan.entry(u, "tech_contract_turnover")
            assert e.rule == "growth" and e.base_is == "target" and e.growth == Decimal("0.15")
            assert e.targets[2022] == Decimal(row["y2022"]) and e.no_separate_target == (2021,)
            assert 2021 not in e.targets and max(e.targets) == 2025
        else:
            e = nanan.entry(u, "invention_patents_per_10k")
            assert e.rule == "growth" and e.baseline == (2020, Decimal(row["y2020"]))
            assert e.growth == Decimal("0.20") and e.decimals == 2
    # 水头 技术合同 2022 = 6800, 同比增长15%: 7820, 8993, 10342.0 → 10342
    e = nanan.entry("水头", "tech_contract_turnover")
    assert [e.targets[y] for y in range(2022, 2026)] == [6800, 7820, 8993, 10342]
    # 省新 每万人口发明专利 2020 = 5.6 → 2025 = 5.6 × 1.2^5 = 13.934592 → 13.93
    assert nanan.entry("省新", "invention_patents_per_10k").targets[2025] == Decimal("13.93")
    assert nanan.entry("码头", "invention_patents_per_10k").targets[2025] == 0
    assert "不再另下指标" in nanan.entry("溪美", "tech_contract_turnover").rule_text()


def test_only_the_talent_total_is_reported(nanan):
    assert len(nanan.findings) == 1
    f = nanan.findings[0]
    assert f.table == "talent" and f.code == "total_mismatch"
    assert f.declared == 14 and f.computed == 23 and f.difference == -9
    assert "14" in f.message and "人才团队 11" in f.message and "创新创业项目 12" in f.message


def test_every_indicator_used_is_defined():
    indicators = load_indicators()
    for plan in load_reference_plans():
        assert {e.indicator for e in plan.entries} <= set(indicators)
    assert indicators["hnte_count"].kind == "stock"
    assert indicators["invention_patents_per_10k"].aggregation == "ratio_of_sums"


def test_sanming_goals():
    sanming = load_reference_plans()[1]
    assert sanming.document == "明政办〔2021〕62号" and sanming.findings == []
    assert sanming.entry("三明市", "hnte_count").targets == {2025: 250}
    assert sanming.entry("三明市", "tech_contract_turnover").period_total == 50000
    # 33.54亿元 × 1.18^5 = 767314.4… 万元
    assert sanming.entry("三明市", "rd_investment").targets[2025] == 767314


def _write(tmp_path, body):
    path = tmp_path / "plan.yaml"
    path.write_text(body, encoding="utf-8")
    return path


HEAD = "document: 测试〔2021〕1号\ntables:\n  - id: t\n    defaults: {indicator: hnte_count, rule: values, years: [2022, 2023]}\n    rows:\n"


def test_declared_total_off_by_one_is_reported(tmp_path):
    path = _write(tmp_path, HEAD + "      - {unit: 溪美, values: [38, 49]}\n      - {unit: 柳城, values: [24, 32]}\n"
                  "    declared_totals:\n      - {indicator: hnte_count, year: 2022, value: 62}\n"
                  "      - {indicator: hnte_count, year: 2023, value: 80}\n")
    plan = load_plan_file(path)
    assert [(f.declared, f.computed) for f in plan.findings] == [(Decimal(80), Decimal(81))]


def test_text_in_number_cell_names_row_and_field(tmp_path):
    path = _write(tmp_path, HEAD + "      - {unit: 溪美, values: [38, 四十九]}\n      - {unit: 柳城, values: [24]}\n")
    with pytest.raises(PlanImportError) as err:
        load_plan_file(path)
    assert len(err.value.errors) == 2  # the whole file is checked, not only the first error
    assert "第1行（溪美） 2023年" in err.value.errors[0] and "四十九" in err.value.errors[0]
    assert "第2行（柳城） values" in err.value.errors[1]


def test_duplicate_and_unknown_indicator_rows_are_errors(tmp_path):
    path = _write(tmp_path, HEAD + "      - {unit: 溪美, values: [1, 2]}\n      - {unit: 溪美, values: [1, 2]}\n"
                  "      - {unit: 柳城, indicator: no_such, values: [1, 2]}\n")
    with pytest.raises(PlanImportError) as err:
        load_plan_file(path)
    assert any("重复" in e for e in err.value.errors)
    assert any("未知指标“no_such”" in e for e in err.value.errors)


def test_shipped_data_lives_in_the_repository():
    assert DATA_DIR.parts[-2:] == ("data", "targets")
    assert "shared" not in DATA_DIR.parts
