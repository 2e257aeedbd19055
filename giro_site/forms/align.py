"""Place rows whose label names no form row, by the form's fixed order and label similarity.

Agencies write labels with typos and omissions (``2.其他法律行政止公开``) or leave a label
cell empty. The form's rows come in a fixed order, so such a row lies between two rows that
were matched exactly, and only the form rows between those two that the table lacks can be
it (the gap's candidates). The row is placed:

* by its label, when the label is close to one candidate (similarity ratio at least
  ``CLOSE``) and closer by ``MARGIN`` than to any other candidate of the gap, or about as
  close to several but numbered like one of them only (``（一）公开``: （一）予以公开);
* by its place alone, when its label is empty, both ends of the gap were matched exactly
  and the gap holds as many such rows as candidates: they fill the candidates in order.

Two candidates about as close: not placed, and said so (ambiguous). Placed rows keep the
table's order. Precision first: a row not placed stays in ``extra_rows`` and its form row
stays blank, which is better than a figure in the wrong cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from giro_site.findings import finding
from giro_site.forms.cells import Mapped
from giro_site.forms.spec import RowSpec
from giro_site.labels import core, enumerator

CLOSE = 0.6
MARGIN = 0.15


@dataclass(frozen=True)
class Loose:
    """A row that the exact match did not place: where it stands and its own label."""

    position: int  # among the table's rows, in the same count as the anchors'
    label: str  # as written; empty when the label cell is empty


@dataclass(frozen=True)
class Placement:
    """``key`` when placed (``how``: ``label`` or ``position``); otherwise ``how`` is
    ``ambiguous`` (``candidates``: the two closest) or ``none`` (``candidates``: the form
    rows the gap lacks, which the row's figures might belong to)."""

    key: str | None
    how: str
    candidates: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 12)
def similarity(label: str, spec: RowSpec) -> float:
    """How close a label's words are to a form row's label or one of its phrases (0..1)."""
    words = core(label)
    if not words:
        return 0.0
    texts = {core(spec.label), *spec.phrases}
    return max(SequenceMatcher(None, words, text, autojunk=False).ratio() for text in texts if text)


def place(anchors: list[tuple[int, str]], loose: list[Loose], specs: tuple[RowSpec, ...],
          expected: frozenset[str]) -> dict[int, Placement]:
    """A placement for each loose row, keyed by its position.

    ``anchors``: (position, key) of the rows matched exactly; ``specs``: the form's rows
    in order; ``expected``: the keys this form has (the 2019 form has no sub-rows of
    （六）, the 2021 form no single （六） row)."""
    order = {spec.key: index for index, spec in enumerate(specs)}
    by_key = {spec.key: spec for spec in specs}
    stated = {key for _, key in anchors}
    ordered = sorted((p, k) for p, k in anchors if k in order)
    gaps: dict[tuple[int, int], list[Loose]] = {}
    for row in loose:
        before = [k for p, k in ordered if p < row.position]
        after = [k for p, k in ordered if p > row.position]
        low = order[before[-1]] if before else -1
        high = order[after[0]] if after else len(specs)
        gaps.setdefault((low, high), []).append(row)
    out: dict[int, Placement] = {}
    for (low, high), rows in gaps.items():
        free = [s.key for s in specs[low + 1: high] if s.key in expected and s.key not in stated] if low < high else []
        bounded = low >= 0 and high < len(specs)
        out.update(_place_gap(rows, free, by_key, bounded))
    return out


def _place_gap(rows: list[Loose], free: list[str], by_key: dict[str, RowSpec],
               bounded: bool) -> dict[int, Placement]:
    chosen: dict[int, Placement] = {}
    for row in rows:
        if not row.label.strip() or not free:
            continue
        scores = sorted(((similarity(row.label, by_key[k]), k) for k in free), reverse=True)
        best, key = scores[0]
        second = scores[1][0] if len(scores) > 1 else 0.0
        if best >= CLOSE and best - second >= MARGIN:
            chosen[row.position] = Placement(key, "label")
        elif best >= CLOSE:
            # About as close to two rows: the label's number decides if it is one of theirs.
            close = [k for score, k in scores if score > best - MARGIN]
            numbered = [k for k in close if (mark := enumerator(row.label)) and enumerator(by_key[k].label) == mark]
            chosen[row.position] = (Placement(numbered[0], "label") if len(numbered) == 1
                                    else Placement(None, "ambiguous", (key, scores[1][1])))
    blanks = [row for row in rows if not row.label.strip()]
    if blanks and bounded and len(rows) == len(free):
        for row, key in zip(rows, free, strict=True):
            if not row.label.strip():
                chosen[row.position] = Placement(key, "position")
    # Placed rows keep the table's order and take a form row once; a row that breaks either
    # is not placed (no figure is better than a wrong one).
    index = {key: i for i, key in enumerate(free)}
    placed = [(row.position, chosen[row.position].key) for row in rows
              if row.position in chosen and chosen[row.position].key is not None]
    keys = [key for _, key in placed]
    for number, (position, key) in enumerate(placed):
        earlier = [index[k] for k in keys[:number]]
        later = [index[k] for k in keys[number + 1:]]
        if keys.count(key) > 1 or any(i >= index[key] for i in earlier) or any(i <= index[key] for i in later):
            chosen[position] = Placement(None, "none", tuple(free))
    for row in rows:
        chosen.setdefault(row.position, Placement(None, "none", tuple(free)))
    return chosen


# --- what the table mappers do with the placements ---------------------------------------


@dataclass
class Pending:
    """A row kept aside until the whole table is read: it goes to ``extra_rows`` (``record``,
    appended in the table's order) unless the alignment places it. ``scratch`` holds the
    findings of reading its cells as an extra row, which count only if it stays there."""

    position: int
    own: str
    label: str
    record: dict[str, Any]
    scratch: Mapped
    has_figures: bool
    line: int | None


def settle(out: Mapped, table: str, pending: list[Pending], anchors: list[tuple[int, str]],
           specs: tuple[RowSpec, ...], expected: frozenset[str],
           fill: Callable[[Pending, str], None]) -> list[tuple[Pending, Placement]]:
    """Place what can be placed (``fill`` puts a row's cells into a form row) and say so with
    the label as written; return the rest, still in ``extra_rows``."""
    if not pending:
        return []
    by_key = {spec.key: spec for spec in specs}
    placements = place(anchors, [Loose(p.position, p.own) for p in pending], specs, expected)
    rest = []
    for row in pending:
        placement = placements[row.position]
        if placement.key is None:
            rest.append((row, placement))
            continue
        out.extra_rows = [r for r in out.extra_rows if r is not row.record]
        fill(row, placement.key)
        name = by_key[placement.key].label
        message = (f"表格中的行名称“{row.own}”与国家表格的“{name}”不完全一致，按名称和所在位置推定为该行，请核对原文。"
                   if placement.how == "label" else
                   f"表格中有一行没有行名称，按其所在位置推定为“{name}”，请核对原文。")
        out.findings.append(finding("LABEL_ASSUMED", message, f"{table}.{placement.key}", line=row.line))
    return rest


def report_unplaced(out: Mapped, table: str, rest: list[tuple[Pending, Placement]],
                    missing: list[str], names: dict[str, str]) -> None:
    """A finding for each row left in ``extra_rows``. It is a warning (``ROW_UNMAPPED``,
    which keeps the report from showing as consistent) when the row holds figures and the
    table lacks a form row they might belong to, or when two form rows fit it equally; a row
    the report added to a complete table, or one without figures, is ``ROW_EXTRA`` (info)."""
    for row, placement in rest:
        if row.scratch is not out:
            out.findings.extend(row.scratch.findings)
            out.hidden |= row.scratch.hidden
        label = f"表格中的“{row.label}”" if row.label else "表格中没有行名称的一行"
        if placement.how == "ambiguous":
            first, second = (names[k] for k in placement.candidates[:2])
            out.findings.append(finding(
                "ROW_UNMAPPED", f"{label}既像“{first}”又像“{second}”，无法确定是哪一行，原样列入附加行。",
                table, line=row.line))
        elif row.has_figures and missing:
            more = f"等{len(missing)}行" if len(missing) > 1 else "一行"
            out.findings.append(finding(
                "ROW_UNMAPPED", f"{label}对不上国家表格的任何一行，原样列入附加行；报告缺少国家表格的"
                f"“{names[missing[0]]}”{more}，这些数字可能属于其中一行。", table, line=row.line))
        else:
            out.findings.append(finding("ROW_EXTRA", f"{label}不是国家表格的行，原样列入附加行。",
                                        table, line=row.line))
