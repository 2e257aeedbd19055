"""Table 二 (proactive disclosure): blocks of 第二十条, each with its own column header.

Rows are found by label wherever they stand; columns by the header of the block they
are in. A row split into sub-rows (seed 001: 其他对外管理服务事项 › 行政检查, 行政确认)
keeps its sub-rows in ``extra_rows`` and gets their sum, marked as derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from giro_site.document import Cell, Row
from giro_site.findings import finding
from giro_site.forms.align import Pending, Placement, report_unplaced, settle
from giro_site.forms.cells import (
    Mapped,
    Number,
    extra_row,
    find_row,
    is_header_like,
    label_with_figure,
    misaligned,
    names_a_row,
    read_value,
)
from giro_site.forms.grid import DataRow, LabelTracker, is_blank, is_numeric, split_row
from giro_site.forms.plans import Plan, Plans
from giro_site.forms.spec import PROACTIVE_COLUMNS, PROACTIVE_ROWS, ColumnSpec, RowSpec
from giro_site.labels import core, flat
from giro_site.numbers import UnreadableNumber, parse_amount, parse_count

TABLE = "proactive"


def _header_columns(texts: list[str], form: str) -> list[ColumnSpec | None] | None:
    """The column of each cell after the first, if this row is a block's column header."""
    found = _header_columns_cached(tuple(texts), form)
    return list(found) if found is not None else None


def _column_cells(texts: tuple[str, ...] | list[str]) -> list[str]:
    return list(_column_cells_cached(tuple(texts)))


@lru_cache(maxsize=1024)
def _column_cells_cached(texts: tuple[str, ...]) -> tuple[str, ...]:
    """A block header's cells over its value columns: without empty cells at its edges (no
    columns: a converter's ``| 信息内容 | 本年新制作数量 | … | |``) and the label column's."""
    first = next((i for i, text in enumerate(texts) if not is_blank(text)), len(texts))
    last = max((i for i, text in enumerate(texts) if not is_blank(text)), default=-1)
    cells = texts[first:last + 1]
    if cells and core(cells[0]) in {"信息内容", "项目", "内容"}:
        cells = cells[1:]
    return cells


@lru_cache(maxsize=1024)
def _header_columns_cached(texts: tuple[str, ...], form: str) -> tuple[ColumnSpec | None, ...] | None:
    specs = PROACTIVE_COLUMNS[form]
    cells = _column_cells(texts)
    found: list[ColumnSpec | None] = []
    for text in cells:
        words = core(text)
        found.append(next((s for s in specs if words in s.phrases or any(p in words for p in s.phrases if len(p) >= 4)),
                          None))
    return tuple(found) if any(found) else None


@dataclass
class _Context:
    """What a row of table 二 is read with: its block's columns and their header texts."""

    columns: list[ColumnSpec | None]
    headers: list[str]


def _read_values(data: DataRow, context: _Context, key: str | None, out: Mapped) -> list[Number | None]:
    values: list[Number | None] = []
    for index, cell in enumerate(data.values):
        column = context.columns[index] if index < len(context.columns) else None
        where = f"{TABLE}.{key}.{column.key}" if key and column else TABLE
        header_text = context.headers[index] if index < len(context.headers) else ""
        values.append(read_value(cell, column, header_text, where, out, data.path[-1] if data.path else ""))
    return values


def _fill_row(out: Mapped, spec: RowSpec, expected: tuple[str, ...], data: DataRow, context: _Context) -> None:
    """A form row's cells, by its block's columns; a figure under a column the row does not
    have goes to ``extra_rows`` with the whole row."""
    key = spec.key
    values = _read_values(data, context, key, out)
    if len(data.values) < len(expected):
        out.findings.append(finding("VALUES_SHORT", f"“{spec.label}”一行的数字少于列数，缺少的按空白处理。",
                                    f"{TABLE}.{key}", line=data.row.line))
    fitted = list(zip(context.columns, values, data.values, strict=False))
    if any(c is None or c.key not in expected for c, _, _ in fitted):
        out.extra_rows.append(extra_row(TABLE, data.path, values, [c.text for c in data.values], data.row,
                                        columns=[c.key if c else "" for c in context.columns]))
    for column, value, cell in fitted:
        if column is not None and column.key in expected:
            out.values[key][column.key] = value
            out.rows_stated.add(key)
            if cell.line is not None:
                out.lines[f"{TABLE}.{key}.{column.key}"] = cell.line


_PLANS = Plans()
Fills = list[tuple[int, str, tuple[str, ...], int, _Context]]  # row index, form row, label path, values, context


def map_proactive(rows: list[Row], form: str, *, plans: bool = True) -> Mapped:
    """Table 二's figures by the form's rows and each block's columns. ``plans``: map a table
    laid out as one mapped cleanly before by that mapping's plan (``forms.plans``); False
    maps every table by the general path, for the tests that compare both."""
    return _PLANS.map(form, rows, use=plans, by_plan=lambda plan: _by_plan(rows, form, plan.fills),
                      general=lambda: _planned_general(rows, form))


# How ``_fill_row`` fills a planned row that says no more than its figures: for each value
# cell, its column's key (None past the block's columns: the cell is read, not kept), its
# JSON path, and the header an amount is read with (None: a count).
Recipe = tuple[tuple[str | None, str, str | None], ...]
PlannedFills = tuple[tuple[int, str, tuple[str, ...], int, _Context, Recipe | None], ...]


def _recipe(key: str, expected: tuple[str, ...], width: int, context: _Context) -> Recipe | None:
    """The recipe of a form row of ``width`` values in this block; None when ``_fill_row``
    says more than its figures whatever they are (values short of the row's columns, a
    column the row does not have): such a row is always filled by ``_fill_row``."""
    columns = context.columns
    if width < len(expected) or any(c is None or c.key not in expected for c in columns[:width]):
        return None
    recipe: list[tuple[str | None, str, str | None]] = []
    for index in range(width):
        column = columns[index] if index < len(columns) else None
        header = context.headers[index] if index < len(context.headers) else ""
        recipe.append((None, "", None) if column is None else
                      (column.key, f"{TABLE}.{key}.{column.key}", header if column.money else None))
    return tuple(recipe)


def _planned_general(rows: list[Row], form: str) -> tuple[Mapped, Plan | None, dict[int, int]]:
    out, fills = _map_proactive(rows, form)
    expected = {spec.key: columns for spec, columns in PROACTIVE_ROWS[form]}
    planned = tuple((index, key, path, width, context, _recipe(key, expected[key], width, context))
                    for index, key, path, width, context in fills)
    return out, Plan(None, planned) if fills else None, {index: width for index, _, _, width, _ in fills}


def _by_plan(rows: list[Row], form: str, fills: PlannedFills) -> Mapped:
    """The table mapped by a plan: each form row filled from the row, cells and block
    columns the general path took (the plans take it only when it says no more than
    figures: an amount without its unit, a cell that does not read, go the general way).
    A row is filled by its recipe (``_fill_planned``) when it says no more than its
    figures, else by ``_fill_row``."""
    layout = {spec.key: (spec, columns) for spec, columns in PROACTIVE_ROWS[form]}
    out = Mapped(values={key: dict.fromkeys(columns) for key, (_, columns) in layout.items()})
    for index, key, path, width, context, recipe in fills:
        row = rows[index]
        cells = row.cells[len(row.cells) - width:]
        if recipe is None or not _fill_planned(out, key, cells, recipe):
            spec, expected = layout[key]
            _fill_row(out, spec, expected, DataRow(path, cells, row), context)
    return out


def _fill_planned(out: Mapped, key: str, cells: tuple[Cell, ...], recipe: Recipe) -> bool:
    """What ``_fill_row`` does for a row of figures by its recipe, without the per-cell work
    of ``read_value`` (a table a plan serves has no hidden cell: ``layout_key``). False, with
    nothing filled, when a cell would make a finding (text that does not read, an amount
    without its unit): ``_fill_row`` then fills the row and says so."""
    figures: list[Number | None] = []
    try:
        for (_, _, header), cell in zip(recipe, cells, strict=False):
            if header is None:
                figures.append(parse_count(cell.text))
                continue
            amount = parse_amount(cell.text, header)
            if amount is not None and amount.unit_source == "assumed" and amount.wan_yuan != 0:
                return False
            figures.append(amount.wan_yuan if amount is not None else None)
    except UnreadableNumber:
        return False
    values = out.values[key]
    for (column, path, _), value, cell in zip(recipe, figures, cells, strict=False):
        if column is not None:
            values[column] = value
            out.rows_stated.add(key)
            if cell.line is not None:
                out.lines[path] = cell.line
    return True


def _map_proactive(rows: list[Row], form: str) -> tuple[Mapped, Fills]:
    """The general path, with each form row filled in the loop, in order (none when the
    table is not one a plan could map: values not a row's last cells)."""
    fills: Fills = []
    plannable = True
    layout = {spec.key: (spec, columns) for spec, columns in PROACTIVE_ROWS[form]}
    specs: tuple[RowSpec, ...] = tuple(spec for spec, _ in PROACTIVE_ROWS[form])
    out = Mapped(values={key: dict.fromkeys(columns) for key, (_, columns) in layout.items()})
    all_phrases = {p for spec in PROACTIVE_COLUMNS[form] for p in spec.phrases} | {"信息内容"}
    columns: list[ColumnSpec | None] | None = None
    headers: list[str] = []
    tracker = LabelTracker()
    named = names_a_row(specs)
    sub_sums: dict[str, dict[str, list[Number | None]]] = {}
    header_warned = False
    anchors: list[tuple[int, str]] = []
    pending: list[Pending] = []
    kept: dict[int, tuple[DataRow, _Context]] = {}
    names = {key: spec.label for key, (spec, _) in layout.items()}

    for position, row in enumerate(rows):
        texts = row.texts()
        nonblank = [t for t in texts if t.strip()]  # is_blank, inlined
        if not nonblank:
            continue
        if len(nonblank) == 1 and "第二十条" in flat(nonblank[0]):
            columns, headers = None, []
            tracker.reset()
            continue
        header = None if any(map(is_numeric, texts)) else _header_columns(texts, form)
        if header is not None and is_header_like(texts, all_phrases):
            columns, headers = header, _column_cells(texts)
            tracker.reset()
            continue

        width = len(columns) if columns else 0
        data = split_row(row, width or max(len(texts) - 1, 1), tracker, named)
        # A row without a label of its own is no form row, whatever the labels above it.
        spec, parent = find_row(data.path, specs) if data.own else (None, None)
        key = spec.key if spec else None
        if columns is None and key is not None:
            columns = [next(c for c in PROACTIVE_COLUMNS[form] if c.key == k) for k in layout[key][1]]
            headers = [c.label for c in columns]
            if not header_warned:
                out.findings.append(finding("HEADER_ASSUMED", "主动公开表缺少列标题，按国家表格的列顺序读取。",
                                            TABLE, line=row.line))
                header_warned = True
        context = _Context(list(columns or []), list(headers))
        if data.doubt:
            misaligned(out, TABLE, data, key if key not in out.rows_stated else None, names)
            if key is not None:
                anchors.append((position, key))
            continue
        if spec is not None and key not in out.rows_stated:
            _fill_row(out, spec, layout[spec.key][1], data, context)
            anchors.append((position, spec.key))
            values_width = width or max(len(texts) - 1, 1)
            if len(row.cells) > values_width and data.values == row.cells[len(row.cells) - values_width:]:
                fills.append((position, spec.key, data.path, values_width, context))
            else:
                plannable = False
            continue

        loose = spec is None and parent is None and bool(data.values) and bool(context.columns)
        scratch = Mapped(values={}) if loose else out
        values = _read_values(data, context, key, scratch)
        raw = [c.text for c in data.values]
        label_path = data.path
        column_keys = [c.key if c else "" for c in context.columns][: len(values)] if context.columns else None
        if not data.values and data.path:
            split = label_with_figure(data.path[-1])
            if split:
                label_path, raw, column_keys = (*data.path[:-1], split[0]), [split[1]], None
                values = [read_value(Cell(split[1], row.line), None, "", TABLE, out)]
        record = extra_row(TABLE, label_path, values, raw, row, parent=parent.key if parent else None,
                           columns=column_keys)
        out.extra_rows.append(record)
        label = label_path[-1].strip() if label_path else ""
        if parent is not None:
            sums = sub_sums.setdefault(parent.key, {})
            for column, value in zip(context.columns, values, strict=False):
                if column is not None:
                    sums.setdefault(column.key, []).append(value)
        elif key:
            out.findings.append(finding("ROW_DUPLICATE", f"“{label}”一行重复出现，第二次的数字列入附加行。", TABLE,
                                        line=row.line))
        else:
            kept[position] = (data, context)
            pending.append(Pending(position, data.own, label if data.own else "", record, scratch,
                                   any(v is not None for v in values), row.line))

    def fill(row: Pending, key: str) -> None:
        data, context = kept[row.position]
        _fill_row(out, layout[key][0], layout[key][1], data, context)

    placeable = [p for p in pending if p.scratch is not out]
    rest = settle(out, TABLE, placeable, anchors, specs, frozenset(layout), fill)
    rest += [(p, Placement(None, "none")) for p in pending if p.scratch is out]
    rest.sort(key=lambda item: item[0].position)
    _sum_subrows(out, sub_sums, layout)
    missing = [key for key in layout if key not in out.rows_stated
               and not any(path.startswith(f"{TABLE}.{key}.") for path in out.derived)]
    report_unplaced(out, TABLE, rest, missing, names)
    return out, fills if plannable else []


def _sum_subrows(out: Mapped, sub_sums: dict[str, dict[str, list[Number | None]]],
                 layout: dict[str, tuple[RowSpec, tuple[str, ...]]]) -> None:
    for key, columns in sub_sums.items():
        spec, expected = layout[key]
        if key in out.rows_stated:
            continue  # the row is stated itself; its sub-rows stay as detail
        for column_key, parts in columns.items():
            if column_key not in expected:
                continue
            present = [p for p in parts if p is not None]
            out.values[key][column_key] = sum(present) if present else None
            out.derived.append(f"{TABLE}.{key}.{column_key}")
        out.findings.append(finding("SUBROWS_SUMMED", f"“{spec.label}”由其细分行合计得出。", f"{TABLE}.{key}"))
