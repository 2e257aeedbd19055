"""A table as the PDF reader assembles it, before it becomes a ``document.Table``: rows of
cells that keep their lines (from one page or two) and their extent on the page, so that
a table continued on the next page can be joined to its rest (``layout``). Ruled tables
(``grid``) and tables without ruling lines (``unruled``) are both built into these."""

from __future__ import annotations

from dataclasses import dataclass, field

from giro_site.readers.pdf.text import Line


@dataclass(eq=False)
class TableCell:
    """A cell of a table being assembled: its lines (from one page or two) and extent."""

    lines: list[Line]
    left: float
    right: float
    colspan: int


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
