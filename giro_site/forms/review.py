"""Table 四 (review and litigation): fifteen figures under a two-level header.

The form prints one row of fifteen figures: 行政复议, 行政诉讼 未经复议直接起诉 and 复议后起诉,
each with 结果维持 · 结果纠正 · 其他结果 · 尚未审结 · 总计. Converters and some authors cut
it into three tables of five columns, one per group, or write the groups as three rows
under one header of five. When no row holds fifteen figures, each row of five figures is
read as the group its own label names, or else the one group the header rows above it
name (``行政复议``, ``未经复议直接起诉``, ``复议后起诉``; ``行政诉讼`` alone names neither
of its two). A row of five whose group is not certain, or a group named twice, is kept in
``extra_rows`` with a warning; the group's cells stay blank.
"""

from __future__ import annotations

from functools import lru_cache

from giro_site.document import Row
from giro_site.findings import finding
from giro_site.forms.cells import Mapped, extra_row, map_columns, misaligned, read_value
from giro_site.forms.grid import (
    FIGURE,
    WORDS,
    ColumnMap,
    DataRow,
    LabelTracker,
    cell_kind,
    is_numeric,
    split_row,
    value_start,
)
from giro_site.forms.spec import REVIEW_COLUMNS, REVIEW_GROUPS, REVIEW_OUTCOMES, ColumnGroup
from giro_site.labels import core

TABLE = "review_litigation"
GROUP_NAMES = {"review": "行政复议", "litigation_direct": "行政诉讼·未经复议直接起诉",
               "litigation_after_review": "行政诉讼·复议后起诉"}
_GROUP_PHRASES = (("review", ("行政复议",)), ("litigation_direct", ("未经复议直接起诉", "直接起诉")),
                  ("litigation_after_review", ("复议后起诉",)))
_OUTCOME_TREE = ColumnGroup("one_group", (), next(c for c in REVIEW_COLUMNS.children
                                                  if isinstance(c, ColumnGroup) and c.key == "review").children)
_OUTCOME_WORDS = frozenset(p for _, leaf in _OUTCOME_TREE.leaves() for p in leaf.phrases)


def _groups_named(texts: list[str] | tuple[str, ...]) -> set[str]:
    """The groups a row's cells name: a cell that is a group's name, or ends with it after
    a few words (``行政诉讼：未经复议直接起诉``); a title that mentions 行政复议 names none."""
    found: set[str] = set()
    for text in texts:
        words = core(text)
        for key, phrases in _GROUP_PHRASES:
            if any(words.endswith(p) and len(words) <= len(p) + 4 for p in phrases):
                found.add(key)
    return found


def _is_full_row(row: Row, width: int) -> bool:
    """A row of the fifteen figures: they fit the columns one way, and no words among them."""
    if len(row.cells) < width:
        return False
    texts = row.texts()
    if not all(map(_value_like, texts[-width:])):  # words among the last cells: a header (most rows)
        return False
    if not any(map(is_numeric, texts[:-width])):  # figures or blanks at the end, none before: the form's row
        return True
    kinds = tuple(cell_kind(cell.text) for cell in row.cells)
    start = value_start(kinds, width, row.declared)
    return start is not None and len(row.cells) - max(start, 0) >= width and WORDS not in kinds[max(start, 0):]


def _value_like(text: str) -> bool:
    return cell_kind(text) != WORDS


@lru_cache(maxsize=256)
def _keys(group: str, column_map: ColumnMap, by_group: bool) -> tuple[tuple[str, str, str], ...]:
    """(group, column, path) of each value column: made once per header, not per cell."""
    keys = []
    for groups, leaf in column_map.columns:
        key = groups[-1] if by_group else group
        keys.append((key, leaf.key, f"{TABLE}.{key}.{leaf.key}"))
    return tuple(keys)


def _fill(out: Mapped, group: str, data: DataRow, column_map: ColumnMap, *, by_group: bool) -> None:
    for cell, (_, leaf), (key, column, path) in zip(data.values, column_map.columns,
                                                     _keys(group, column_map, by_group), strict=False):
        out.values[key][column] = read_value(cell, leaf, leaf.label, path, out, GROUP_NAMES[key])
        out.rows_stated.add(key)
        if cell.line is not None:
            out.lines[path] = cell.line


def map_review(rows: list[Row]) -> Mapped:
    width = len(REVIEW_COLUMNS.leaves())
    out = Mapped(values={group: dict.fromkeys(REVIEW_OUTCOMES) for group in REVIEW_GROUPS})
    start = next((i for i, r in enumerate(rows) if _is_full_row(r, width)), None)
    if start is None:
        _map_groups(rows, out)
        return out
    header = [r.texts() for r in rows[:start]]
    column_map = map_columns(REVIEW_COLUMNS, header, TABLE, rows[0].line if rows else None, out)
    tracker = LabelTracker()
    filled = False
    for row in rows[start:]:
        texts = row.texts()
        if filled and not "".join(texts).strip():
            continue
        data = split_row(row, width, tracker)
        if not filled and not data.doubt and len(data.values) == width:
            _fill(out, "", data, column_map, by_group=True)
            filled = True
            continue
        leaves = [f"{groups[-1]}.{leaf.key}" for groups, leaf in column_map.columns]
        values = [read_value(c, None, "", TABLE, out, data.path[-1] if data.path else "") for c in data.values]
        out.extra_rows.append(extra_row(TABLE, data.path, values, [c.text for c in (data.values or row.cells)],
                                        row, columns=leaves[: len(values)]))
        out.findings.append(finding("ROW_EXTRA", "复议诉讼表中多出一行，原样列入附加行。", TABLE, line=row.line))
    return out


def _map_groups(rows: list[Row], out: Mapped) -> None:
    """Table 四 written as rows of five figures, one per group (see the module's docstring)."""
    width = len(_OUTCOME_TREE.leaves())
    tracker = LabelTracker()
    named: str | None = None  # the group the header rows since the last row of figures name
    header: list[list[str]] = []  # the latest header rows that name outcomes
    pending_header: list[list[str]] = []
    warned_header = False
    for row in rows:
        texts = row.texts()
        kinds = [cell_kind(t) for t in texts]
        if FIGURE not in kinds:
            if not "".join(texts).strip():  # every cell blank, at C speed
                continue
            groups = _groups_named(texts)
            named = next(iter(groups)) if len(groups) == 1 else None if groups else named
            pending_header.append(texts)
            if any(core(t) in _OUTCOME_WORDS for t in texts):
                header = list(pending_header)
            continue
        pending_header = []
        data = split_row(row, width, tracker)
        own = _groups_named(data.path)
        group = next(iter(own)) if len(own) == 1 else named if not own else None
        named = None  # a group's name serves the one row of figures under it
        if data.doubt or len(data.values) != width or group is None or group in out.rows_stated:
            reason = data if data.doubt or len(data.values) != width else None
            if reason is not None:
                misaligned(out, TABLE, data, None, GROUP_NAMES)
            else:
                _unplaced(out, data, row, group)
            continue
        line = rows[0].line if rows else None
        column_map = map_columns(_OUTCOME_TREE, header, TABLE, line, Mapped(values={}))
        if not column_map.confirmed and not warned_header:
            out.findings.append(finding("HEADER_ASSUMED", "复议诉讼表的列名对不上国家表格，按国家表格的列顺序读取。",
                                        TABLE, line=row.line))
            warned_header = True
        _fill(out, group, data, column_map, by_group=False)
    for group in REVIEW_GROUPS:
        if group not in out.rows_stated:
            out.findings.append(finding(
                "ROW_MISSING", f"复议诉讼表中找不到“{GROUP_NAMES[group]}”的数字，按空白显示。",
                f"{TABLE}.{group}", line=rows[0].line if rows else None))


def _unplaced(out: Mapped, data: DataRow, row: Row, group: str | None) -> None:
    """A row of five figures whose group is not certain, or a group given twice."""
    raw = [cell.text for cell in row.cells]
    out.extra_rows.append(extra_row(TABLE, data.path, [], raw, row))
    shown = " ".join(t.strip() or "（空）" for t in raw)
    message = (f"复议诉讼表中“{GROUP_NAMES[group]}”的数字出现了两次，第二次（{shown}）列入附加行。" if group
               else f"复议诉讼表中一行五个数字（{shown}）的表头或行名称没有说明属于行政复议、直接起诉还是复议后起诉，"
                    "不作猜测，原样列入附加行。")
    out.findings.append(finding("ROW_MISALIGNED" if group is None else "ROW_DUPLICATE", message, TABLE,
                                line=row.line))
