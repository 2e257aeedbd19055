"""Tables 二 and 三 mapped by a plan (``forms.plans``: the decisions of a clean mapping of
the same layout) give what the general path gives, figure for figure, finding for finding,
for the seeds, synthetic reports and tables changed cell by cell; and the plans are used."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report, render_text
from giro_site.document import Cell, Row
from giro_site.forms import applications, plans, proactive
from giro_site.forms.applications import map_applications
from giro_site.forms.grid import cell_kind
from giro_site.forms.locate import APPLICATIONS, PROACTIVE, locate_tables
from giro_site.forms.proactive import map_proactive
from giro_site.readers.text import parse_text
from tests.conftest import SEEDS

FIGURES = ["0", "7", "12", "１２", "3,000", "1.5", "-2", "3元", "12件", "0451", "1e3", "２０", "5万元", "3739265元"]
OTHER = ["", " ", "\u00a0", "/", "—", "无", "不适用", "合计", "（七）总计", "自然人", "0 0"]


MAPPERS = {APPLICATIONS: map_applications, PROACTIVE: map_proactive}


def _tables(text: str) -> dict[str, list[Row]]:
    located = locate_tables(parse_text(text)).tables
    return {kind: list(located[kind].rows) if kind in located else [] for kind in MAPPERS}


def _synthetic(seed: int, count: int) -> list[tuple[dict[str, list[Row]], str]]:
    rng = random.Random(seed)
    tables = []
    for number in range(count):
        report = random_report(rng, f"测试机关{number}", "北京市密云区", 2019 + number % 4,
                               blanks=number % 3 == 0, subrows=number % 4 == 1, broken=number % 5 == 0)
        if number % 6 == 2:
            report.amount_text, report.amount_header_unit = "3739265元", False
        tables.append((_tables(render_text(report)), report.form))
    return tables


def _same(tables: dict[str, list[Row]], form: str) -> None:
    for kind, mapper in MAPPERS.items():
        general = mapper(tables[kind], form, plans=False)
        assert mapper(tables[kind], form) == general  # may keep a plan
        assert mapper(tables[kind], form) == general  # may use it


def test_seeds_and_synthetic_reports_map_the_same_by_plan() -> None:
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        for form in ("2019", "2021"):
            _same(_tables(text), form)
    for rows, form in _synthetic(3, 80):
        _same(rows, form)


def test_plans_are_kept_and_used_for_the_usual_layout(monkeypatch) -> None:
    used: list[str] = []
    for module in (applications, proactive):
        by_plan = module._by_plan
        monkeypatch.setattr(module, "_by_plan", lambda *args, by_plan=by_plan, name=module.__name__:
                            used.append(name) or by_plan(*args))
    tables = _synthetic(5, 12)
    for rows, form in tables:
        _same(rows, form)
    # every clean synthetic table mapped again by its plan (a table 二 with sub-rows is not clean)
    assert used.count(applications.__name__) >= len(tables)
    assert used.count(proactive.__name__) >= len(tables) // 2


def _changed(tables: dict[str, list[Row]], changes: list[tuple[int, int, str]]) -> dict[str, list[Row]]:
    """The tables with some cells' text replaced (row and cell taken modulo the table's)."""
    changed = {}
    for kind, rows in tables.items():
        rows = list(rows)
        for row_index, cell_index, text in changes:
            row = rows[row_index % len(rows)]
            cells = list(row.cells)
            position = cell_index % len(cells)
            cells[position] = cells[position]._replace(text=text, merged=not text)
            rows[row_index % len(rows)] = row._replace(cells=tuple(cells))
        changed[kind] = rows
    return changed


CLEAN = _synthetic(9, 8)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, len(CLEAN) - 1),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12), st.sampled_from(FIGURES + OTHER)), max_size=4),
       st.booleans())
def test_tables_changed_cell_by_cell_map_the_same_by_plan(which: int, changes: list[tuple[int, int, str]],
                                                          hide: bool) -> None:
    rows, form = CLEAN[which]
    _same(rows, form)  # its plan kept: a changed table of the same layout is mapped by it
    changed = _changed(rows, changes)
    if hide and changes:
        for table in changed.values():
            row = table[changes[0][0] % len(table)]
            cells = list(row.cells)
            cells[-1] = Cell(cells[-1].text, cells[-1].line, hidden=True)
            table[changes[0][0] % len(table)] = row._replace(cells=tuple(cells))
    _same(changed, form)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, len(CLEAN) - 1), st.lists(st.integers(0, 60), max_size=3), st.integers(0, 60))
def test_tables_with_rows_moved_or_dropped_map_the_same_by_plan(which: int, dropped: list[int], moved: int) -> None:
    rows, form = CLEAN[which]
    _same(rows, form)
    changed = {}
    for kind, table in rows.items():
        table = list(table)
        for index in dropped:
            if len(table) > 1:
                del table[index % len(table)]
        table.insert(moved % (len(table) + 1), table.pop(moved % len(table)))
        changed[kind] = table
    _same(changed, form)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, len(CLEAN) - 1), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=6))
def test_cells_without_a_line_map_the_same_by_plan(which: int, cells: list[tuple[int, int]]) -> None:
    """A cell a reader gave no line (the plans' fast fills write the lines of a row at once)."""
    rows, form = CLEAN[which]
    _same(rows, form)
    changed = {}
    for kind, table in rows.items():
        table = list(table)
        for row_index, cell_index in cells:
            row = table[row_index % len(table)]
            row_cells = list(row.cells)
            row_cells[cell_index % len(row_cells)] = row_cells[cell_index % len(row_cells)]._replace(line=None)
            table[row_index % len(table)] = row._replace(cells=tuple(row_cells))
        changed[kind] = table
    _same(changed, form)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FIGURES + OTHER), st.text(max_size=4)), max_size=30), st.booleans())
def test_layout_keys_kinds_are_cell_kinds(texts: list[str], full: bool) -> None:
    """The kinds a layout key holds, looked up in its own dict (emptied when full)."""
    if full:
        plans._KIND_OF.update((str(n), 0) for n in range(plans._MAX_KINDS + 1 - len(plans._KIND_OF)))
    assert plans._kinds(texts) == tuple(map(cell_kind, texts))
    assert plans._kinds(texts) == tuple(map(cell_kind, texts))
    assert len(plans._KIND_OF) <= plans._MAX_KINDS + 1 + len(texts)
