"""双随机 draws anyone can re-run (contract section 7; the idea of RFC 3797).

Pure Python, no Django: the CLI (``kechuang supervision draw`` / ``verify``), the product's
inspection draws and the expert draws of project reviews all call :func:`draw`.

The algorithm (written out for citizens in docs/supervision.md):

1. **Canonical inputs.** Each roster is a *set* of rows: the fields are taken as text with
   leading and trailing spaces removed; identical rows count once. The rows of each roster are
   sorted (by their fields, compared as Unicode text) and written as one JSON document::

       {"conflicts":[[inspector_id,object_id,reason],…],"inspectors":[[id,name,unit],…],
        "objects":[[id,name,unit],…]}

   with keys in this order, no spaces (separators ``,`` and ``:``), characters not escaped
   (UTF-8). ``input_digest`` = SHA-256 of those bytes, in lower-case hex.
2. **Base.** ``base`` = SHA-256 hex of ``seed + "\\n" + input_digest`` (UTF-8).
3. **Objects.** Each object gets the key SHA-256 hex of ``base + "\\nobject\\n" + object id``;
   objects are ranked by key (ascending, as text) and the first ``ceil(ratio × N)`` are drawn
   (the product is computed exactly in decimal: 0.07 × 100 = 7).
4. **Inspectors.** For each drawn object, every *eligible* inspector — not of the object's unit
   (compared ignoring letter case; an object without a unit excludes no one), no declared
   conflict with it — gets the key SHA-256 hex of
   ``base + "\\ninspector\\n" + object id + "\\n" + inspector id``; the first ``per_object`` by
   key are its inspectors. An inspector may serve several objects. When an object has fewer
   eligible inspectors than ``per_object`` the draw fails naming it; nothing is drawn.

SHA-256 behaves as a random function, so every ranking is a uniformly random permutation that
no one can steer without changing the seed (a public value of the draw day, entered that day) or a
roster (fixed by the digest).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

OBJECT_COLUMNS = ("id", "name", "unit")
INSPECTOR_COLUMNS = ("id", "name", "unit")
CONFLICT_COLUMNS = ("inspector_id", "object_id", "reason")


class DrawInputError(ValueError):
    """A roster or parameter is malformed; the message names the file, row and field (Chinese)."""


class CannotStaff(Exception):
    """A drawn object cannot get enough eligible inspectors: no draw at all."""

    def __init__(self, object_id: str, object_name: str, eligible: int, needed: int):
        self.object_id, self.object_name, self.eligible, self.needed = object_id, object_name, eligible, needed
        super().__init__(f"抽中的检查对象 {object_id}（{object_name}）只有 {eligible} 名符合回避规则的检查人员，"
                         f"需要 {needed} 名：本次抽取不成立，请补充检查人员名录后重新抽取")


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    unit: str


@dataclass(frozen=True)
class Conflict:
    inspector_id: str
    object_id: str
    reason: str = ""


@dataclass
class Rosters:
    """The three inputs as sets (duplicates of identical rows removed)."""

    objects: list[Row]
    inspectors: list[Row]
    conflicts: list[Conflict] = field(default_factory=list)

    def canonical_bytes(self) -> bytes:
        doc = {
            "conflicts": sorted({(c.inspector_id, c.object_id, c.reason) for c in self.conflicts}),
            "inspectors": sorted({(r.id, r.name, r.unit) for r in self.inspectors}),
            "objects": sorted({(r.id, r.name, r.unit) for r in self.objects}),
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")

    def digest(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()


@dataclass(frozen=True)
class DrawResult:
    seed: str
    input_digest: str
    ratio: str
    per_object: int
    drawn: list[tuple[str, list[str]]]
    population: int

    def to_json(self) -> dict:
        """Contract section 7 output (plus ``population``, the number of objects drawn from)."""
        return {"seed": self.seed, "input_digest": self.input_digest, "ratio": float(Decimal(self.ratio)),
                "per_object": self.per_object, "population": self.population,
                "drawn": [{"object": o, "inspectors": list(i)} for o, i in self.drawn]}


def _text(value) -> str:
    return unicodedata.normalize("NFC", str(value if value is not None else "")).strip()


def _check_id(value: str, where: str) -> str:
    if not value:
        raise DrawInputError(f"{where}: 不能为空")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise DrawInputError(f"{where}: 含有控制字符")
    return value


def _unique(rows: Iterable[Row], label: str) -> list[Row]:
    seen: dict[str, Row] = {}
    for r in rows:
        if r.id in seen and seen[r.id] != r:
            raise DrawInputError(f"{label} id: {r.id} 出现两次且内容不同")
        seen[r.id] = r
    return list(seen.values())


def make_rosters(objects: Iterable, inspectors: Iterable, conflicts: Iterable = ()) -> Rosters:
    """Rosters from tuples/dicts/Rows (the product's own tables call this)."""
    def row(x, label, i):
        if isinstance(x, dict):
            x = (x.get("id"), x.get("name"), x.get("unit"))
        elif isinstance(x, Row):
            x = (x.id, x.name, x.unit)
        rid, name, unit = (_text(v) for v in x)
        return Row(_check_id(rid, f"{label}第{i}项 id"), name, unit)

    objs = _unique((row(x, "检查对象", i) for i, x in enumerate(objects, 1)), "检查对象")
    insp = _unique((row(x, "检查人员", i) for i, x in enumerate(inspectors, 1)), "检查人员")
    confs = []
    for i, c in enumerate(conflicts, 1):
        if isinstance(c, dict):
            c = (c.get("inspector_id"), c.get("object_id"), c.get("reason"))
        elif isinstance(c, Conflict):
            c = (c.inspector_id, c.object_id, c.reason)
        iid, oid, reason = (_text(v) for v in c)
        confs.append(Conflict(_check_id(iid, f"回避声明第{i}项 inspector_id"),
                              _check_id(oid, f"回避声明第{i}项 object_id"), reason))
    return Rosters(objs, insp, sorted(set(confs), key=lambda c: (c.inspector_id, c.object_id, c.reason)))


def read_csv(text: str, columns: tuple[str, ...], label: str) -> list[tuple[str, ...]]:
    """Rows of a UTF-8 CSV with a header naming at least ``columns`` (order free, more allowed)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_text(h) for h in next(reader)]
    except StopIteration:
        raise DrawInputError(f"{label}: 文件为空，缺少表头（{','.join(columns)}）") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise DrawInputError(f"{label}: 表头缺少列 {missing[0]}（应有 {','.join(columns)}）")
    idx = [header.index(c) for c in columns]
    out = []
    for n, rec in enumerate(reader, start=2):
        if not any(_text(v) for v in rec):
            continue
        if len(rec) < len(header):
            rec = rec + [""] * (len(header) - len(rec))
        values = tuple(_text(rec[i]) for i in idx)
        for c, v in zip(columns, values, strict=True):
            if c in ("id", "inspector_id", "object_id"):
                _check_id(v, f"{label} 第{n}行 {c}")
        out.append(values)
    return out


def rosters_from_csv(objects_text: str, inspectors_text: str, conflicts_text: str | None = None) -> Rosters:
    objs = read_csv(objects_text, OBJECT_COLUMNS, "--objects")
    insp = read_csv(inspectors_text, INSPECTOR_COLUMNS, "--inspectors")
    confs = read_csv(conflicts_text, CONFLICT_COLUMNS, "--conflicts") if conflicts_text is not None else []
    try:
        return make_rosters(objs, insp, confs)
    except DrawInputError as exc:
        raise DrawInputError(str(exc).replace("检查对象", "--objects ").replace("检查人员", "--inspectors ")) from None


def parse_ratio(value) -> Decimal:
    try:
        r = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DrawInputError(f"--ratio: 应为 0 到 1 之间的小数，实际为“{value}”") from None
    if not r.is_finite() or r <= 0 or r > 1:
        raise DrawInputError(f"--ratio: 应大于 0 且不超过 1，实际为“{value}”")
    return r


def parse_per_object(value) -> int:
    try:
        k = int(str(value).strip())
    except ValueError:
        raise DrawInputError(f"--per-object: 应为正整数，实际为“{value}”") from None
    if k < 1:
        raise DrawInputError(f"--per-object: 应为正整数，实际为“{value}”")
    return k


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_count(ratio: Decimal, n: int) -> int:
    """ceil(ratio × n), exact in decimal."""
    return int(math.ceil(Decimal(ratio) * n)) if n else 0


def base_of(seed: str, digest: str) -> str:
    return _sha(f"{seed}\n{digest}")


def object_key(base: str, object_id: str) -> str:
    return _sha(f"{base}\nobject\n{object_id}")


def inspector_key(base: str, object_id: str, inspector_id: str) -> str:
    return _sha(f"{base}\ninspector\n{object_id}\n{inspector_id}")


def eligible_inspectors(rosters: Rosters, obj: Row) -> list[Row]:
    """Inspectors who may check ``obj``: not of its unit (when it has one), no declared conflict."""
    barred = {c.inspector_id for c in rosters.conflicts if c.object_id == obj.id}
    return [i for i in rosters.inspectors
            if i.id not in barred and not (obj.unit and i.unit.casefold() == obj.unit.casefold())]


def draw(rosters: Rosters, *, seed: str, ratio, per_object) -> DrawResult:
    """The draw (see the module text). Raises ``CannotStaff`` naming the first drawn object that
    lacks eligible inspectors, ``DrawInputError`` on bad parameters."""
    if not isinstance(seed, str) or not seed.strip():
        raise DrawInputError("--seed: 不能为空")
    ratio_d = parse_ratio(ratio)
    k = parse_per_object(per_object)
    digest = rosters.digest()
    base = base_of(seed, digest)
    ranked = sorted(rosters.objects, key=lambda o: (object_key(base, o.id), o.id))
    chosen = ranked[:draw_count(ratio_d, len(rosters.objects))]
    drawn = []
    for obj in chosen:
        pool = eligible_inspectors(rosters, obj)
        if len(pool) < k:
            raise CannotStaff(obj.id, obj.name, len(pool), k)
        pool.sort(key=lambda i: (inspector_key(base, obj.id, i.id), i.id))
        drawn.append((obj.id, [i.id for i in pool[:k]]))
    return DrawResult(seed=seed, input_digest=digest, ratio=str(ratio), per_object=k, drawn=drawn,
                      population=len(rosters.objects))


def verify(published: dict, rosters: Rosters) -> str | None:
    """Re-run a published draw: ``None`` when it matches, otherwise the first difference (Chinese)."""
    for key in ("seed", "input_digest", "ratio", "per_object", "drawn"):
        if key not in published:
            raise DrawInputError(f"--draw: 缺少字段 {key}")
    digest = rosters.digest()
    if published["input_digest"] != digest:
        return (f"input_digest 不一致：发布的是 {published['input_digest']}，按所给名录计算为 {digest}"
                "（检查对象、检查人员或回避声明名录有变动）")
    try:
        again = draw(rosters, seed=published["seed"], ratio=published["ratio"], per_object=published["per_object"])
    except CannotStaff as exc:
        return f"按所给名录无法重现：{exc}"
    got = published["drawn"]
    if not isinstance(got, list):
        raise DrawInputError("--draw: drawn 应为列表")
    for i, (obj, insp) in enumerate(again.drawn, start=1):
        if i > len(got):
            return f"第{i}个抽中对象应为 {obj}，发布的结果中没有"
        item = got[i - 1] if isinstance(got[i - 1], dict) else {}
        if item.get("object") != obj:
            return f"第{i}个抽中对象应为 {obj}，发布的是 {item.get('object')}"
        if list(item.get("inspectors") or []) != insp:
            return (f"对象 {obj} 的检查人员应为 {'、'.join(insp)}，"
                    f"发布的是 {'、'.join(map(str, item.get('inspectors') or [])) or '（无）'}")
    if len(got) > len(again.drawn):
        extra = got[len(again.drawn)]
        return f"发布的结果多出抽中对象 {extra.get('object') if isinstance(extra, dict) else extra}"
    return None
