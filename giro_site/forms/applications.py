"""Table 三 (applications and outcomes): a multi-row header over a fixed column tree
(``spec``), and rows found by their label path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain
from operator import attrgetter, itemgetter

from giro_site.document import Cell, Row
from giro_site.findings import finding
from giro_site.forms.align import Pending, report_unplaced, settle
from giro_site.forms.cells import (
    Mapped,
    Number,
    extra_row,
    find_row,
    is_placeholder_header,
    map_columns,
    misaligned,
    names_a_row,
    read_value,
)
from giro_site.forms.floating import join_floating
from giro_site.forms.grid import (
    ColumnMap,
    DataRow,
    LabelTracker,
    is_blank,
    is_numeric,
    split_row,
)
from giro_site.forms.plans import Plan, Plans
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICATION_2021_MARKERS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
)
from giro_site.labels import core, matches
from giro_site.numbers import UnreadableNumber, parse_count

_TEXT, _LINE, _CELLS = attrgetter("text"), attrgetter("line"), attrgetter("cells")
assert not any(leaf.money for _, leaf in APPLICANT_COLUMNS.leaves()), "_by_plan reads every value as a count"


@lru_cache(maxsize=1024)
def _paths(table: str, key: str, column_map: ColumnMap) -> tuple[str, ...]:
    """Each column's ``table.row.column`` path for one row: made once, not for every cell."""
    return tuple(f"{table}.{key}.{leaf.key}" for _, leaf in column_map.columns)


def _fill(out: Mapped, table: str, key: str, data: DataRow, column_map: ColumnMap) -> None:
    """Put a data row's cells into ``out.values[key]`` by column."""
    label = data.path[-1] if data.path else ""
    values = out.values[key]
    lines = out.lines
    for cell, (_, leaf), path in zip(data.values, column_map.columns, _paths(table, key, column_map), strict=False):
        values[leaf.key] = read_value(cell, leaf, leaf.label, path, out, label)
        if cell.line is not None:
            lines[path] = cell.line
    if data.values:
        out.rows_stated.add(key)


def _read_rest(data: DataRow) -> list[str]:
    return [c.text for c in data.values]


# --- table 三 ------------------------------------------------------------------------


def _is_application_data(row: Row, width: int) -> bool:
    """A row of figures, or a blank row whose label is one of the form's rows."""
    texts = row.texts()
    if any(map(is_numeric, texts[-width:])):
        return True
    first = next((t for t in texts if not is_blank(t)), "")
    return find_row((first,), APPLICATION_ROWS)[0] is not None


_PLANS = Plans()
Fills = list[tuple[int, str, tuple[str, ...]]]


def map_applications(rows: list[Row], form: str, *, plans: bool = True) -> Mapped:
    """Table 三's figures by the form's rows and columns. ``plans``: map a table laid out as
    one mapped cleanly before by that mapping's plan (``forms.plans``); False maps every
    table by the general path, for the tests that compare both."""
    return _PLANS.map(form, rows, use=plans, by_plan=lambda plan: _by_plan(rows, form, plan),
                      general=lambda: _planned_general(rows, form))


def _planned_general(rows: list[Row], form: str) -> tuple[Mapped, Plan | None, dict[int, int]]:
    out, column_map, fills = _map_applications(rows, form)
    widths = dict.fromkeys((index for index, _, _ in fills), len(APPLICANT_COLUMNS.leaves()))
    return out, Plan(column_map, tuple(fills), _batch(rows, column_map, fills)) if fills else None, widths


@dataclass(frozen=True)
class _Batch:
    """A plan's fills as one table-wide read: where the value cells of the filled rows stand
    among the table's cells (all rows', in order; a table of the plan's layout has rows of
    the same lengths), each filled row's key, each value cell's column and JSON path."""

    cells: Callable[[list[Cell]], tuple[Cell, ...]]
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    paths: tuple[str, ...]


def _batch(rows: list[Row], column_map: ColumnMap, fills: Fills) -> _Batch | None:
    width = len(APPLICANT_COLUMNS.leaves())
    if len(column_map.columns) != width or not fills:
        return None
    ends = list(accumulate(map(len, map(_CELLS, rows))))  # where each row's cells end
    positions = [position for index, _, _ in fills for position in range(ends[index] - width, ends[index])]
    return _Batch(itemgetter(*positions), tuple(key for _, key, _ in fills),
                  tuple(leaf.key for _, leaf in column_map.columns),
                  tuple(path for _, key, _ in fills for path in _paths("applications", key, column_map)))


def _by_plan(rows: list[Row], form: str, plan: Plan) -> Mapped:
    """The table mapped by a plan: each form row filled by ``_fill`` from the row and cells
    the general path took (the plans take it only when it says no more than figures), or
    all at once (``_fill_at_once``) when every value reads."""
    leaves = [leaf.key for _, leaf in APPLICANT_COLUMNS.leaves()]
    width = len(leaves)
    out = Mapped(values={spec.key: dict.fromkeys(leaves) for spec in APPLICATION_ROWS})
    columns = plan.columns
    assert columns is not None
    if plan.batch is None or not _fill_at_once(out, rows, plan.batch, width):
        for index, key, path in plan.fills:
            row = rows[index]
            _fill(out, "applications", key, DataRow(path, row.cells[len(row.cells) - width:], row), columns)
    _derive_other(out, form, leaves)
    return out


def _fill_at_once(out: Mapped, rows: list[Row], batch: _Batch, width: int) -> bool:
    """What ``_fill`` does for each of a plan's fills, for the whole table at once: a table
    a plan serves has no hidden cell (``layout_key``) and table 三 no amount, so each value
    is ``parse_count`` of its text. False, with nothing filled, when a value does not read
    (``_fill`` says so) or a cell has no line."""
    cells = batch.cells(list(chain.from_iterable(map(_CELLS, rows))))
    try:
        figures = list(map(parse_count, map(_TEXT, cells)))
    except UnreadableNumber:
        return False
    numbers = list(map(_LINE, cells))
    if None in numbers:
        return False
    values = out.values
    for position, key in enumerate(batch.keys):
        values[key].update(zip(batch.columns, figures[position * width: (position + 1) * width], strict=True))
    out.lines.update(zip(batch.paths, numbers, strict=True))
    out.rows_stated.update(batch.keys)
    return True


def _map_applications(rows: list[Row], form: str) -> tuple[Mapped, ColumnMap, Fills]:
    """The general path, with the column map and each form row filled in the loop, in order
    (none when the table is not one a plan could map: rows joined, values not a row's last
    cells)."""
    width = len(APPLICANT_COLUMNS.leaves())
    leaves = [leaf.key for _, leaf in APPLICANT_COLUMNS.leaves()]
    out = Mapped(values={spec.key: dict.fromkeys(leaves) for spec in APPLICATION_ROWS})
    start = next((i for i, r in enumerate(rows) if _is_application_data(r, width)), len(rows))
    header = [r.texts() for r in rows[:start]]
    column_map = map_columns(APPLICANT_COLUMNS, header, "applications", rows[0].line if rows else None, out)
    header_cores = {core(t) for r in header for t in r if core(t)}
    tracker = LabelTracker()
    named = names_a_row(APPLICATION_ROWS)
    sub_sums: dict[str, list[list[Number | None]]] = {}
    anchors: list[tuple[int, str]] = []
    pending: list[Pending] = []
    kept: dict[int, DataRow] = {}
    expected = _expected_rows(form)
    joined = join_floating(rows[start:], width, _ranker(expected))
    fills: Fills = []
    plannable = not joined.orphans and len(joined.rows) == len(rows) - start and all(
        a is b for a, b in zip(joined.rows, rows[start:], strict=False))
    doubted: set[str] = set()
    bare: set[str] = set()  # rows whose label stands without figures

    for position, row in enumerate(joined.rows):
        texts = row.texts()
        if not "".join(texts).strip():  # every cell blank, at C speed
            continue
        if not any(map(is_numeric, texts)) and (
                {core(t) for t in texts if core(t)} <= header_cores or is_placeholder_header(texts)):
            tracker.reset()  # a header repeated after a page break, or a converter's 数据1 数据2 …
            continue
        data = split_row(row, width, tracker, named)
        # A row without a label of its own is no form row, whatever the labels above it.
        spec, parent = find_row(data.path, APPLICATION_ROWS) if data.own else (None, None)
        if data.doubt or position in joined.orphans:
            misaligned(out, "applications", data, spec.key if spec else None, ROW_NAMES,
                       orphan=position in joined.orphans)
            if spec is not None:
                anchors.append((position, spec.key))
                doubted.add(spec.key)
            continue
        if spec is not None and spec.key not in out.rows_stated:
            _fill(out, "applications", spec.key, data, column_map)
            if len(row.cells) > width and data.values == row.cells[len(row.cells) - width:]:
                fills.append((start + position, spec.key, data.path))
            else:
                plannable = False
            anchors.append((position, spec.key))
            if not data.values:
                bare.add(spec.key)
            continue
        if form == "2021" and parent is not None and parent.key == "other":
            parent = None  # the 2021 form's （六） has its own three rows: an unknown one may be one of them
        if spec is None and parent is None and not data.values and _is_group(data):
            continue  # a group label on a line of its own: （三）不予公开
        scratch = Mapped(values={}) if spec is None and parent is None else out
        values = [read_value(c, leaf, leaf.label, "applications", scratch, data.path[-1] if data.path else "")
                  for c, (_, leaf) in zip(data.values, column_map.columns, strict=False)]
        record = extra_row("applications", data.path, values, _read_rest(data), row,
                           parent=parent.key if parent else None, columns=leaves[: len(values)])
        out.extra_rows.append(record)
        label = data.path[-1].strip() if data.path else ""
        if spec is not None:
            out.findings.append(finding("ROW_DUPLICATE", f"“{label}”一行重复出现，第二次的数字列入附加行。",
                                        f"applications.{spec.key}", line=row.line))
        elif parent is not None:
            out.findings.append(finding("ROW_EXTRA", f"表格中的“{label}”不是国家表格的行，原样列入附加行。",
                                        "applications", line=row.line))
            sub_sums.setdefault(parent.key, []).append(values)
        else:
            kept[position] = data
            pending.append(Pending(position, data.own, label if data.own else "", record, scratch,
                                   any(v is not None for v in values), row.line))

    def fill(row: Pending, key: str) -> None:
        _fill(out, "applications", key, kept[row.position], column_map)

    rest = settle(out, "applications", pending, anchors, APPLICATION_ROWS, expected, fill)
    _derive_other(out, form, leaves)
    _derive_subrows(out, sub_sums, leaves)
    missing = [key for key in (s.key for s in APPLICATION_ROWS) if key in expected and not _has_row(out, key)]
    report_unplaced(out, "applications", rest, missing, ROW_NAMES)
    _old_other_row(out, form, rows[start].line if start < len(rows) else None)
    _missing_rows(out, form, rows[0].line if rows else None, doubted, bare)
    return out, column_map, fills if plannable else []


def _ranker(expected: frozenset[str]) -> Callable[[str | None, str], int | None]:
    """The place in table 三's order of the row a label names (under a group label), for
    joining labels written above their figures; None for a label of no row with figures."""
    order = {spec.key: index for index, spec in enumerate(APPLICATION_ROWS)}

    def rank(group: str | None, label: str) -> int | None:
        spec = find_row((group, label) if group else (label,), APPLICATION_ROWS)[0]
        if spec is None and group:
            spec = find_row((label,), APPLICATION_ROWS)[0]
        return order[spec.key] if spec is not None and spec.key in expected else None
    return rank


ROW_NAMES = {spec.key: spec.label for spec in APPLICATION_ROWS}


def _expected_rows(form: str) -> frozenset[str]:
    """The rows of table 三 in this form: the 2019 form has one （六） row, the 2021 form three."""
    left_out = set(OTHER_SUBROWS) if form == "2019" else {"other"}
    return frozenset(spec.key for spec in APPLICATION_ROWS if spec.key not in left_out)


def _has_row(out: Mapped, key: str) -> bool:
    return key in out.rows_stated or any(path.split(".")[1] == key for path in out.derived)


def _is_group(data: DataRow) -> bool:
    """Whether a row's label is one of the form's group labels (``（三）不予公开``)."""
    return bool(data.path) and any(matches(data.path[-1], group, exact=True) for group in APPLICATION_GROUPS)


def _old_other_row(out: Mapped, form: str, line: int | None) -> None:
    """A 2021-form table that keeps the 2019 form's single （六）其他处理 row: its figures are
    （六）'s, the three sub-rows of the 2021 form are blank, and one warning says so."""
    if form != "2021" or "other" not in out.rows_stated or any(k in out.rows_stated for k in OTHER_SUBROWS):
        return
    out.findings.append(finding(
        "LABEL_ASSUMED", "表三按2019年版表格只有一行“（六）其他处理”，2021年版表格把它分为三项；"
        "该行的数字计入“（六）其他处理”，其下三项按空白显示。", "applications.other",
        line=next((n for path, n in out.lines.items() if path.startswith("applications.other.")), line)))


def _derive_other(out: Mapped, form: str, leaves: list[str]) -> None:
    """In the 2021 form （六）其他处理 has no cells of its own: it is its three sub-rows. When
    one of them is missing from the table, （六） stays blank rather than a partial sum, and
    a finding on （六） says why (the missing sub-row has its own)."""
    if form != "2021" or "other" in out.rows_stated:
        return
    missing = [spec.label for spec in APPLICATION_ROWS if spec.key in OTHER_SUBROWS and spec.key not in out.rows_stated]
    if missing and len(missing) < len(OTHER_SUBROWS):
        out.findings.append(finding(
            "ROW_MISSING", f"表三中“（六）其他处理”由其下三项合计得出，但找不到“{'”“'.join(missing)}”一行；"
            "（六）其他处理按空白显示，不用其余各项的部分之和。", "applications.other"))
    if missing:
        return
    for column in leaves:
        parts = [out.values[key][column] for key in OTHER_SUBROWS]
        present = [p for p in parts if p is not None]
        out.values["other"][column] = sum(present) if present else None
        out.derived.append(f"applications.other.{column}")


def _derive_subrows(out: Mapped, sub_sums: dict[str, list[list[Number | None]]], leaves: list[str]) -> None:
    for key, rows in sub_sums.items():
        if key in out.rows_stated:
            continue
        for index, column in enumerate(leaves):
            present = [r[index] for r in rows if index < len(r) and r[index] is not None]
            out.values[key][column] = sum(present) if present else None
            out.derived.append(f"applications.{key}.{column}")
        spec = next(s for s in APPLICATION_ROWS if s.key == key)
        out.findings.append(finding("SUBROWS_SUMMED", f"“{spec.label}”由其细分行合计得出。", f"applications.{key}"))


def _missing_rows(out: Mapped, form: str, line: int | None, doubted: set[str], bare: set[str]) -> None:
    """ROW_MISSING for each row of the form the table lacks or names without figures (``bare``);
    a row whose figures are in doubt has its ROW_MISALIGNED instead."""
    old_other = form == "2021" and "other" in out.rows_stated  # said once by _old_other_row
    expected = _expected_rows(form)
    for spec in APPLICATION_ROWS:
        if (spec.key not in expected or (old_other and spec.key in OTHER_SUBROWS) or _has_row(out, spec.key)
                or spec.key in doubted):
            continue
        message = (f"表三中“{spec.label}”一行只有行名称，没有数字，按空白显示。" if spec.key in bare
                   else f"表三中找不到“{spec.label}”一行，按空白显示。")
        out.findings.append(finding("ROW_MISSING", message, f"applications.{spec.key}", line=line))


def is_application_2021(rows: list[Row]) -> bool:
    return any(matches(t, APPLICATION_2021_MARKERS) for r in rows for t in r.texts())
