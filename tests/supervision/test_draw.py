"""双随机 draws (contract section 7): properties over random rosters (hypothesis), uniformity over
many seeds, and the `kechuang supervision draw / verify` command with its exit codes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.supervision.draw import (
    CannotStaff,
    DrawInputError,
    draw,
    draw_count,
    eligible_inspectors,
    make_rosters,
    rosters_from_csv,
    verify,
)

UNITS = ["U1", "U2", "U3", "U4", ""]


@st.composite
def rosters_st(draw_, min_objects=0):
    n_obj = draw_(st.integers(min_objects, 30))
    n_insp = draw_(st.integers(0, 15))
    objects = [(f"O{i:03d}", f"对象{i}", draw_(st.sampled_from(UNITS))) for i in range(n_obj)]
    inspectors = [(f"I{i:03d}", f"人员{i}", draw_(st.sampled_from(UNITS))) for i in range(n_insp)]
    conflicts = []
    if n_obj and n_insp:
        pairs = draw_(st.lists(st.tuples(st.integers(0, n_insp - 1), st.integers(0, n_obj - 1)), max_size=10))
        conflicts = [(f"I{a:03d}", f"O{b:03d}", "亲属关系") for a, b in pairs]
    return objects, inspectors, conflicts


RATIOS = st.sampled_from(["0.05", "0.1", "0.2", "0.33", "0.5", "1"])
SEEDS = st.text(min_size=1, max_size=20).filter(lambda s: s.strip())


def _run(objects, inspectors, conflicts, seed, ratio, k):
    return draw(make_rosters(objects, inspectors, conflicts), seed=seed, ratio=ratio, per_object=k)


@settings(max_examples=150, deadline=None)
@given(rosters_st(), RATIOS, st.integers(1, 3), SEEDS)
def test_count_distinctness_and_eligibility(data, ratio, k, seed):
    objects, inspectors, conflicts = data
    rosters = make_rosters(objects, inspectors, conflicts)
    try:
        res = draw(rosters, seed=seed, ratio=ratio, per_object=k)
    except CannotStaff as exc:
        obj = next(o for o in rosters.objects if o.id == exc.object_id)
        assert len(eligible_inspectors(rosters, obj)) < k == exc.needed
        return
    assert len(res.drawn) == math.ceil(Decimal(ratio) * len(objects))
    ids = [o for o, _ in res.drawn]
    assert len(set(ids)) == len(ids)
    unit = {o[0]: o[2] for o in objects}
    iunit = {i[0]: i[2] for i in inspectors}
    barred = {(c[0], c[1]) for c in conflicts}
    for obj, insp in res.drawn:
        assert len(insp) == k and len(set(insp)) == k
        for i in insp:
            assert not (unit[obj] and iunit[i] == unit[obj])
            assert (i, obj) not in barred


@settings(max_examples=100, deadline=None)
@given(rosters_st(min_objects=1), RATIOS, SEEDS, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(data, ratio, seed, rnd):
    objects, inspectors, conflicts = data
    shuffled = [list(x) for x in (objects, inspectors, conflicts)]
    for x in shuffled:
        rnd.shuffle(x)
    shuffled[2] = shuffled[2] + shuffled[2][:1]  # a repeated identical row counts once (sets of rows)
    try:
        a = _run(objects, inspectors, conflicts, seed, ratio, 1)
    except CannotStaff as exc:
        with pytest.raises(CannotStaff) as again:
            _run(*shuffled, seed, ratio, 1)
        assert again.value.object_id == exc.object_id
        return
    b = _run(*shuffled, seed, ratio, 1)
    assert a == b


def test_seed_changes_the_draw():
    objects = [(f"O{i}", f"对象{i}", f"U{i}") for i in range(40)]
    inspectors = [(f"I{i}", f"人员{i}", "局") for i in range(10)]
    results = {tuple(o for o, _ in _run(objects, inspectors, [], f"2026-12-0{d}", "0.1", 2).drawn) for d in range(1, 9)}
    assert len(results) == 8


def test_every_object_equally_likely_over_many_seeds():
    n, seeds = 10, 3000
    objects = [(f"O{i}", f"对象{i}", f"U{i}") for i in range(n)]
    inspectors = [(f"I{i}", f"人员{i}", "局") for i in range(6)]
    objs, insp = Counter(), Counter()
    for s in range(seeds):
        res = _run(objects, inspectors, [], f"seed-{s}", "0.1", 2)
        ((o, people),) = res.drawn
        objs[o] += 1
        insp.update(people)
    expected = seeds / n
    chi2 = sum((objs[f"O{i}"] - expected) ** 2 / expected for i in range(n))
    assert chi2 < 40, objs  # 9 degrees of freedom: P(χ² > 40) ≈ 7e-6
    e2 = seeds * 2 / 6
    chi2_insp = sum((insp[f"I{i}"] - e2) ** 2 / e2 for i in range(6))
    assert chi2_insp < 35, insp  # 5 degrees of freedom


def test_ratio_is_exact_decimal():
    assert draw_count(Decimal("0.07"), 100) == 7  # 0.07 * 100 in binary floating point is 7.000000000000001
    assert draw_count(Decimal("0.05"), 21) == 2
    assert draw_count(Decimal("0.05"), 0) == 0


def test_same_unit_and_conflicts_excluded_and_unstaffable_named():
    objects = [("O1", "甲公司", "U1")]
    inspectors = [("I1", "张", "U1"), ("I2", "李", "U2"), ("I3", "王", "U3")]
    res = _run(objects, inspectors, [("I3", "O1", "曾合作")], "s", "1", 1)
    assert res.drawn == [("O1", ["I2"])]
    with pytest.raises(CannotStaff, match="O1") as exc:
        _run(objects, inspectors, [("I3", "O1", "曾合作")], "s", "1", 2)
    assert exc.value.eligible == 1


def test_bad_inputs_name_the_row_and_field():
    with pytest.raises(DrawInputError, match="表头缺少列 unit"):
        rosters_from_csv("id,name\nO1,a\n", "id,name,unit\n")
    with pytest.raises(DrawInputError, match="第3行 id"):
        rosters_from_csv("id,name,unit\nO1,a,U\n,b,U\n", "id,name,unit\n")
    with pytest.raises(DrawInputError, match="O1 出现两次"):
        rosters_from_csv("id,name,unit\nO1,a,U\nO1,b,U\n", "id,name,unit\n")
    r = rosters_from_csv("id,name,unit\nO1,a,U\n", "id,name,unit\nI1,x,V\n")
    for ratio in ("0", "1.5", "abc", "nan"):
        with pytest.raises(DrawInputError, match="--ratio"):
            draw(r, seed="s", ratio=ratio, per_object=1)
    with pytest.raises(DrawInputError, match="--per-object"):
        draw(r, seed="s", ratio="1", per_object="0")
    with pytest.raises(DrawInputError, match="--seed"):
        draw(r, seed=" ", ratio="1", per_object=1)


def test_verify_names_changes_of_draw_and_rosters():
    objects = [(f"O{i}", f"对象{i}", f"U{i % 3}") for i in range(30)]
    inspectors = [(f"I{i}", f"人员{i}", f"U{i % 4}") for i in range(12)]
    rosters = make_rosters(objects, inspectors)
    pub = _run(objects, inspectors, [], "20261204-上证收盘3421.55", "0.2", 2).to_json()
    assert verify(pub, rosters) is None
    assert verify(json.loads(json.dumps(pub)), make_rosters(list(reversed(objects)), inspectors)) is None
    changed = make_rosters(objects, inspectors[:-1])
    assert "input_digest" in verify(pub, changed)
    tampered = json.loads(json.dumps(pub))
    tampered["drawn"][1]["inspectors"][0] = "I99"
    assert "对象 " + pub["drawn"][1]["object"] in verify(tampered, rosters)
    swapped = json.loads(json.dumps(pub))
    swapped["drawn"][0]["object"] = "O99"
    assert "第1个抽中对象" in verify(swapped, rosters)
    shorter = json.loads(json.dumps(pub))
    shorter["drawn"].pop()
    assert "没有" in verify(shorter, rosters)
    reseeded = dict(pub, seed="另一个种子")
    assert verify(reseeded, rosters) is not None


# --- the command, as a citizen runs it --------------------------------------------------------

def _kechuang(*args, stdin=None, tmp_path=None):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "kechuang.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "objects.csv").write_text(
        "id,name,unit\n" + "".join(f"O{i:03d},检查对象{i},U{i % 5}\n" for i in range(40)), encoding="utf-8")
    (tmp_path / "inspectors.csv").write_text(
        "id,name,unit\n" + "".join(f"I{i:03d},检查员{i},U{i % 4}\n" for i in range(8)), encoding="utf-8")
    (tmp_path / "conflicts.csv").write_text("inspector_id,object_id,reason\nI001,O003,近亲属\n", encoding="utf-8")
    return tmp_path


def test_command_draw_and_verify_round_trip(files):
    args = ["supervision", "draw", "--objects", str(files / "objects.csv"), "--inspectors",
            str(files / "inspectors.csv"), "--conflicts", str(files / "conflicts.csv"), "--ratio", "0.05",
            "--per-object", "2", "--seed", "20261204-上证收盘3421.55"]
    out = _kechuang(*args, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) >= {"seed", "input_digest", "ratio", "per_object", "drawn"}
    assert doc["ratio"] == 0.05 and doc["per_object"] == 2 and len(doc["drawn"]) == 2
    assert len(doc["input_digest"]) == 64
    (files / "draw.json").write_text(out.stdout, encoding="utf-8")
    ok = _kechuang("supervision", "verify", "--draw", str(files / "draw.json"), "--objects", "-",
                   "--inspectors", str(files / "inspectors.csv"), "--conflicts", str(files / "conflicts.csv"),
                   stdin=(files / "objects.csv").read_text(encoding="utf-8"))
    assert ok.returncode == 0, ok.stderr
    assert "核对一致" in ok.stdout
    # a roster changed after publication
    (files / "inspectors.csv").write_text((files / "inspectors.csv").read_text(encoding="utf-8") + "I100,新人,U9\n",
                                          encoding="utf-8")
    bad = _kechuang("supervision", "verify", "--draw", str(files / "draw.json"), "--objects",
                    str(files / "objects.csv"), "--inspectors", str(files / "inspectors.csv"),
                    "--conflicts", str(files / "conflicts.csv"))
    assert bad.returncode == 1 and "input_digest" in bad.stderr
    human = _kechuang(*args)
    assert human.returncode == 0 and "随机种子" in human.stdout and "检查对象" in human.stdout


def test_command_verify_exits_1_on_a_changed_draw_or_conflicts_list(files):
    """Any change to the published draw (an inspector, an object, the seed) or to the 回避 list
    fails verify with exit 1 and names it; the untouched files still verify."""
    rosters = ["--objects", str(files / "objects.csv"), "--inspectors", str(files / "inspectors.csv"),
               "--conflicts", str(files / "conflicts.csv")]
    out = _kechuang("supervision", "draw", *rosters, "--ratio", "0.1", "--per-object", "2", "--seed", "20261204-x",
                    "--json")
    assert out.returncode == 0, out.stderr
    pub = json.loads(out.stdout)

    def verify_with(doc, conflicts=None):
        (files / "d.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        args = rosters if conflicts is None else [*rosters[:4], "--conflicts", str(conflicts)]
        return _kechuang("supervision", "verify", "--draw", str(files / "d.json"), *args)

    assert verify_with(pub).returncode == 0
    other = next(f"I{i:03d}" for i in range(8) if f"I{i:03d}" not in pub["drawn"][0]["inspectors"])
    tampered = json.loads(json.dumps(pub))
    tampered["drawn"][0]["inspectors"][0] = other
    bad = verify_with(tampered)
    assert bad.returncode == 1 and pub["drawn"][0]["object"] in bad.stderr
    swapped = json.loads(json.dumps(pub))
    swapped["drawn"][0]["object"] = "O039" if pub["drawn"][0]["object"] != "O039" else "O038"
    assert verify_with(swapped).returncode == 1
    assert verify_with(dict(pub, seed="20261205-x")).returncode == 1
    (files / "c2.csv").write_text("inspector_id,object_id,reason\nI001,O003,近亲属\nI002,O004,曾任顾问\n",
                                  encoding="utf-8")
    changed = verify_with(pub, files / "c2.csv")
    assert changed.returncode == 1 and "input_digest" in changed.stderr


def test_command_cannot_staff_exits_1_naming_the_object(files):
    (files / "objects.csv").write_text("id,name,unit\nO1,唯一对象,U0\n", encoding="utf-8")
    out = _kechuang("supervision", "draw", "--objects", str(files / "objects.csv"), "--inspectors",
                    str(files / "inspectors.csv"), "--ratio", "1", "--per-object", "7", "--seed", "x", "--json")
    assert out.returncode == 1 and "O1" in out.stderr and out.stdout == ""


def test_command_bad_input_exits_2(files):
    out = _kechuang("supervision", "draw", "--objects", str(files / "conflicts.csv"), "--inspectors",
                    str(files / "inspectors.csv"), "--ratio", "0.05", "--per-object", "2", "--seed", "x")
    assert out.returncode == 2 and "--objects" in out.stderr and "id" in out.stderr


def test_the_worked_example_of_the_citizens_guide():
    """docs/supervision.md walks through this draw by hand; the numbers there must be the product's."""
    from pathlib import Path

    rosters = rosters_from_csv("id,name,unit\nO1,甲公司,U1\nO2,乙公司,U2\nO3,丙研究院,U3\nO4,丁孵化器,U1\n",
                               "id,name,unit\nI1,张三,U1\nI2,李四,U2\nI3,王五,局\n",
                               "inspector_id,object_id,reason\nI3,O2,近亲属任职\n")
    res = draw(rosters, seed="20261204-上证收盘3421.55", ratio="0.5", per_object=2)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "supervision.md").read_text(encoding="utf-8")
    assert res.input_digest in doc and rosters.canonical_bytes().decode() in doc
    assert res.drawn == [("O1", ["I3", "I2"]), ("O4", ["I2", "I3"])]
    assert '"drawn": [{"object": "O1", "inspectors": ["I3", "I2"]}, {"object": "O4", "inspectors": ["I2", "I3"]}]' in doc
