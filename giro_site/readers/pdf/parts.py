"""A table as the PDF reader assembles it, before it becomes a ``document.Table``: rows of
cells that keep their lines (from one page or two) and their extent on the page, so that
a table continued on the next page can be joined to its rest (``layout``). Ruled tables
(``frame``) and tables without ruling lines (``unruled``) are both built into these."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.text import Line


@dataclass(eq=False)
class TableCell:
    """A cell of a table being assembled: its lines (from one page or two) and extent."""

    lines: list[Line]
    left: float
    right: float
    colspan: int
    hidden: bool = False  # it held characters a reader cannot see (dropped from ``lines``)


@dataclass
class TableRow:
    cells: list[tuple[TableCell, bool]]  # (cell, whether this row is where the cell starts)


@dataclass
class Note:
    """Something the reader could not read with certainty, for the report's findings: a
    finding's code and message, the table (``where``), and the row it is about."""

    code: str
    message: str
    where: str
    row: TableRow | None = None
    raw: list[str] = field(default_factory=list)  # the row's text as printed, for ``extra_rows``
    label: str = ""


@dataclass
class PageTable:
    rows: list[TableRow]
    left: float
    right: float
    page: int
    padding: float = 0.0  # between a cell's border and its text, the least any cell shows
    notes: list[Note] = field(default_factory=list)

    def inner(self, cell: TableCell) -> tuple[float, float]:
        return cell.left + self.padding, cell.right - self.padding


def padding(rows: list[TableRow]) -> float:
    gaps = [line.left - cell.left for row in rows for cell, _ in row.cells for line in cell.lines]
    return max(0.0, min(gaps, default=0.0))


def mark_hidden(table: PageTable, hidden: list[Glyph]) -> None:
    """Name the cells of a table read without ruling lines that held characters a reader
    cannot see: a hidden character within a row's height and a cell's width (a ruled
    table's boxes are marked as its characters are placed: ``frame``)."""
    if not hidden:
        return
    ordered = sorted(hidden, key=lambda g: g.top + g.bottom)
    middles = [g.top + g.bottom for g in ordered]  # twice the centre, as the key above
    for row in table.rows:
        lines = [line for cell, _ in row.cells for line in cell.lines]
        if not lines:
            continue
        top, bottom = min(line.top for line in lines), max(line.bottom for line in lines)
        for glyph in ordered[bisect_left(middles, 2 * top):bisect_right(middles, 2 * bottom)]:
            x = (glyph.x0 + glyph.x1) / 2
            # A value cell's extent is where its column's header stands: a figure set flush
            # left may begin a hair before it, and so the hidden character before the figure.
            distance, cell = min(((max(0.0, cell.left - x, x - cell.right), index), cell)
                                 for index, (cell, _) in enumerate(row.cells))
            if distance[0] <= 3.0:
                cell.hidden = True
