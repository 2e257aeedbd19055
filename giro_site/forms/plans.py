"""A table mapped once, its like mapped in one pass: the fast path for the common layout.

Most reports fill the national form as it is printed: the same header, the same row labels
in the same order, a figure (or a blank mark) in every value cell. Mapping such a table
makes the same decisions every time (where the header ends, which row each label names,
which cells are its values, which column each value is in); only the figures differ. So
when the general path has mapped a table *cleanly* (no finding, no extra row, no hidden
text, every figure in a row the form has, each row's values its last cells), the decisions
are kept as a plan, keyed by everything they depend on: the form and, row by row, every
cell's text except the figures, which only say "a figure here". A later table with the
same key is mapped by the plan: its rows' value cells read into their form rows by the
general path's own function. Anything else about it (a figure that does not read, a key
not seen) takes the general path, and so does a plan whose result is not clean.
``tests/test_form_plans.py`` compares both paths on the seeds, synthetic reports and
generated tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, compress
from operator import attrgetter, itemgetter
from typing import Any

from giro_site.document import Cell, Row
from giro_site.forms.cells import Mapped
from giro_site.forms.grid import FIGURE, ColumnMap, cell_kind

# A key: the form; each row's declared count of cells and its number of cells; every cell's
# kind (``grid.cell_kind``), row after row; the text of every cell that is not a figure, in
# order. (Equal keys, equal rows: the counts cut the kinds into rows, the kinds the texts.)
Key = tuple[str, tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[str, ...]]
assert FIGURE == 0, "layout_key leaves the figures out by compress(), which drops kind 0"
# A cell's fields by position: a named tuple's attribute is a property, read more slowly.
_HIDDEN, _TEXT = itemgetter(Cell._fields.index("hidden")), itemgetter(Cell._fields.index("text"))
_CELLS, _DECLARED = attrgetter("cells"), attrgetter("declared")
_MAX_PLANS = 64  # layouts kept per table in a process (a corpus has a handful)


@dataclass(frozen=True)
class Plan:
    """The general path's decisions for one layout: the column map (table 三's; table 二's
    columns are per block, in each fill), and in order each form row filled: from which row
    of the table (its index), which form row (its key), its label path and so on; and what
    a mapper works out from them once to fill a table at once (``batch``; table 三's)."""

    columns: ColumnMap | None
    fills: tuple[tuple[Any, ...], ...]
    batch: Any = None


def layout_key(form: str, rows: list[Row]) -> Key | None:
    """The key of a table's layout; None for a table with hidden text (the plans do not
    serve it: the general path says what was hidden). Made over all the table's cells at
    once, at C speed: every table of every report is keyed."""
    cells = list(chain.from_iterable(map(_CELLS, rows)))
    if any(map(_HIDDEN, cells)):
        return None
    texts = list(map(_TEXT, cells))
    kinds = _kinds(texts)
    return form, tuple(map(_DECLARED, rows)), tuple(map(len, map(_CELLS, rows))), kinds, tuple(compress(texts, kinds))


# ``cell_kind`` of the texts seen, looked up by a plain dict at C speed (twice as fast as
# the lru_cache's call): a table's every cell is looked up, and nearly all were seen.
_KIND_OF: dict[str, int] = {}
_MAX_KINDS = 1 << 14


def _kinds(texts: list[str]) -> tuple[int, ...]:
    """``tuple(map(cell_kind, texts))``."""
    kinds = list(map(_KIND_OF.get, texts))
    if None in kinds:
        if len(_KIND_OF) > _MAX_KINDS:
            _KIND_OF.clear()
        for index, text in enumerate(texts):
            if kinds[index] is None:
                kinds[index] = _KIND_OF[text] = cell_kind(text)
    return tuple(kinds)  # type: ignore[arg-type]


class Plans:
    """The plans of one table kind in this process, bounded in number."""

    def __init__(self) -> None:
        self._plans: dict[Key, Plan] = {}

    def get(self, key: Key | None) -> Plan | None:
        return self._plans.get(key) if key is not None else None

    def keep(self, key: Key | None, plan: Plan) -> None:
        if key is None:
            return
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[key] = plan

    def map(self, form: str, rows: list[Row], *, use: bool, by_plan: Callable[[Plan], Mapped],
            general: Callable[[], tuple[Mapped, Plan | None, dict[int, int]]]) -> Mapped:
        """A table mapped by the plan of its layout when there is one and its result is clean,
        else by ``general``, whose plan (with the width of values it read in each filled row)
        is kept when its result is clean and it read every figure. ``use``: False maps by the
        general path only (the tests that compare both)."""
        key = layout_key(form, rows) if use and rows else None
        plan = self.get(key)
        if plan is not None:
            planned = by_plan(plan)
            if planned.clean:
                return planned
        out, made, widths = general()
        if key is not None and made is not None and out.clean and figures_all_read(rows, widths):
            self.keep(key, made)
        return out


def figures_all_read(rows: list[Row], widths: dict[int, int]) -> bool:
    """Whether every figure of the table is among the values its plan reads (the last
    ``widths[index]`` cells of each filled row, a row with labels before them): a figure
    anywhere else could have steered a decision the key does not record."""
    for index, row in enumerate(rows):
        cells = row.cells
        width = widths.get(index)
        if width is not None:
            if row.declared or len(cells) <= width:
                return False
            cells = cells[:len(cells) - width]
        if any(cell.text and cell_kind(cell.text) == FIGURE for cell in cells):
            return False
    return True
