"""Rendered pieces of table markup, reused: most cells are "0" or blank, and the label and
header cells of a form's tables are the same in every report of that form.

The markup comes from macros in ``templates/macros.html``; this cache only remembers what
they returned for an input already seen. Without it, the per-cell template loop is most
of the cost of building a site of thousands of reports.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from jinja2 import Environment
from markupsafe import Markup, escape

from giro_site.site.tables import Head, Number, show

# A table row's value cells for ``Fragments.figures``: the row's key in the report's JSON when
# all its cells are in that row (else None), their column keys, their JSON paths, and each
# cell's (path, row key, column key).
FigureRow = tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, str], ...]]


class Fragments:
    def __init__(self, env: Environment):
        module: Any = env.get_template("macros.html").module
        self._cell_macro = module.value_cell
        self._heads_macro = module.head_cells
        self._table_macro = module.form_table
        self._chart_macro = module.chart
        self._charts: dict[bytes, Markup] = {}
        self._tables: dict[Any, list[str]] = {}
        self._cells: dict[tuple[str, str, tuple[int, ...], str], Markup] = {}
        self._values: dict[tuple[Number | None, bool, tuple[int, ...], str], Markup] = {}
        self._heads: dict[tuple[Head, ...], Markup] = {}
        self._stated: dict[Number | None, str] = {}  # ``value`` of a stated figure without flags, as text

    def cell(self, text: str, kind: str, flags: tuple[int, ...], year_id: str) -> Markup:
        """One value cell; ``kind`` is "b" (blank), "d" (derived) or "" (stated)."""
        key = (text, kind, flags, year_id if flags else "")
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = Markup(self._cell_macro(text, kind, flags, year_id))
        return found

    def value(self, value: Number | None, derived: bool, flags: tuple[int, ...], year_id: str) -> Markup:
        """The cell for a figure: blank shown as "—", derived marked."""
        key = (value, derived, flags, year_id if flags else "")
        found = self._values.get(key)
        if found is None:
            shown = show(value, derived)
            found = self._values[key] = self.cell(shown.text, shown.kind, flags, year_id)
        return found

    @staticmethod
    def join(pieces: list[Markup]) -> Markup:
        """Markup pieces joined without escaping them again (each is already safe)."""
        return Markup("".join(pieces))

    def heads(self, heads: tuple[Head, ...]) -> Markup:
        """A row's label or header cells."""
        found = self._heads.get(heads)
        if found is None:
            found = self._heads[heads] = Markup(self._heads_macro(heads))
        return found

    def table(self, key: Any, table: Any, year_id: str) -> Markup:
        """A form table without findings, from its skeleton: the ``form_table`` macro is
        rendered once per ``key`` (a layout, whether the table was found) with a marker for
        each row's value cells and for the report's id, then each report's cells fill it in,
        the same bytes the macro gives. Only for a table whose rows are the layout's own
        (no extra rows): then the labels, spans and padding are the same in every report."""
        pieces = self._tables.get(key)
        if pieces is None:
            blank = replace(table, rows=[replace(row, cells=Markup(_ROW)) for row in table.rows], findings=[])
            pieces = self._tables[key] = str(self._table_macro(blank, _ID)).split(_ROW)
        return self.fill(key, [row.cells for row in table.rows], year_id)

    def figures(self, key: Any, rows: list[FigureRow], values: dict[str, dict[str, Any]],
                derived: set[str] | frozenset[str], year_id: str) -> Markup:
        """The skeleton of ``key`` filled with the figures of a table without findings:
        ``rows`` gives each row's cells (``FigureRow``), ``values`` the table's figures by row
        and column. The bytes of ``fill`` with ``value``'s cells; a row of stated figures
        (most rows: not derived, no flags) is looked up at C speed, the cells of every table
        of every report pass here."""
        pieces = self._tables[key]
        stated = self._stated
        filled = [pieces[0]]
        add = filled.append
        for (row_key, columns, paths, parts), piece in zip(rows, pieces[1:], strict=True):
            if row_key is not None and (not derived or derived.isdisjoint(paths)):
                figures = list(map(values.get(row_key, _NONE).get, columns))
                shown = list(map(stated.get, figures))
                if None in shown:
                    shown = [text if text is not None else self._stated_text(figure)
                             for text, figure in zip(shown, figures, strict=True)]
                add("".join(shown))
            else:  # cells of several of the report's rows (table 四's one row), or derived ones
                for path, cell_row, column in parts:
                    figure = values.get(cell_row, _NONE).get(column)
                    if path in derived:
                        add(str(self.value(figure, True, (), year_id)))
                    else:
                        text = stated.get(figure)
                        add(text if text is not None else self._stated_text(figure))
            add(piece)
        return Markup("".join(filled).replace(_ID, str(escape(year_id))))

    def _stated_text(self, figure: Number | None) -> str:
        text = self._stated[figure] = str(self.value(figure, False, (), year_id=""))
        return text

    def chart(self, chart: dict[str, Any]) -> Markup:
        """The ``chart`` macro's markup for ``chart`` (plain data: strings, numbers, lists,
        dicts). Kept by what the macro reads: with a ``source`` (a form table on the page
        holds the figures), not the chart's own rows, so the same chart of every report of a
        year and form is rendered once. Bounded: forgotten when many are kept."""
        shown = chart if chart["source"] is None else {**chart, "table": {"links": chart["table"]["links"]}}
        key = orjson.dumps(shown)
        found = self._charts.get(key)
        if found is None:
            if len(self._charts) >= _MAX_CHARTS:
                self._charts.clear()
            found = self._charts[key] = Markup(self._chart_macro(chart))
        return found

    def chart_once(self, chart: dict[str, Any]) -> Markup:
        """The ``chart`` macro's markup, not kept (a chart of one agency, shown on each of its pages)."""
        return Markup(self._chart_macro(chart))

    def has_table(self, key: Any) -> bool:
        return key in self._tables

    def fill(self, key: Any, cells: list[Markup], year_id: str) -> Markup:
        """The skeleton of ``key`` with each row's value cells and the report's id."""
        pieces = self._tables[key]
        filled = [pieces[0]]
        for row, piece in zip(cells, pieces[1:], strict=True):
            filled.append(row)
            filled.append(piece)
        return Markup("".join(filled).replace(_ID, str(escape(year_id))))


_NONE: dict[str, Any] = {}
_MAX_CHARTS = 4096
_ROW = "\x00"  # where a row's value cells go in a table's skeleton
_ID = "\x01"  # where the report's id goes
