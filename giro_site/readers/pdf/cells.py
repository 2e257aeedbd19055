"""Characters placed in cells. In a ruled table each character belongs to the box that holds
its middle (``frame``); without ruling lines, the characters of the value area set close
together are a run (a figure, a blank mark, a unit), and a figure belongs to the column whose
header it lines up with, or to none where that is not certain (``place``).
"""

from __future__ import annotations

from dataclasses import dataclass

from giro_site.forms.grid import is_numeric
from giro_site.labels import flat
from giro_site.numbers import BLANK_MARKS
from giro_site.readers.pdf.columns import Column
from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.frame import Box, GridTable
from giro_site.readers.pdf.parts import TableCell, TableRow
from giro_site.readers.pdf.text import Line, make_lines, normal_char


def table_rows(grid: GridTable) -> tuple[list[TableRow], list[Line]]:
    """A ruled table's rows of cells, each cell the lines of the characters in its box (a
    merged cell once, in the row it starts in, and as a placeholder below), and all its lines."""
    cells = {id(box): TableCell(make_lines(box.glyphs), box.left, box.right, box.col1 - box.col0, box.hidden)
             for box in grid.boxes}
    by_row: dict[int, list[Box]] = {}
    for box in grid.boxes:
        for row in range(box.row0, box.row1):
            by_row.setdefault(row, []).append(box)
    rows = []
    for row in range(len(grid.ys) - 1):
        boxes = sorted(by_row.get(row, []), key=lambda b: b.col0)
        rows.append(TableRow([(cells[id(box)], box.row0 == row) for box in boxes]))
    lines = [line for cell in cells.values() for line in cell.lines]
    return rows, lines


_UNITS = set("元万件条个项次人份%％")


def cell_of(glyphs: list[Glyph], left: float, right: float, colspan: int) -> TableCell:
    """A cell of a table without ruling lines: its characters' lines and where it stands."""
    return TableCell(make_lines(glyphs), left, right, colspan)


@dataclass
class ValueRun:
    """Characters set close together in the value area: a figure, a blank mark, a unit."""

    glyphs: list[Glyph]
    column: int | None = None
    kind: str = ""

    def add(self, glyph: Glyph) -> None:
        self.glyphs.append(glyph)

    @property
    def left(self) -> float:
        return self.glyphs[0].x0

    @property
    def right(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def text(self) -> str:

        return "".join(normal_char(g.char) for g in self.glyphs)


def value_runs(glyphs: list[Glyph]) -> list[ValueRun]:
    """The value area's glyphs on one line as runs of characters set close together."""
    runs: list[ValueRun] = []
    for glyph in sorted(glyphs, key=lambda g: g.x0):
        if glyph.char.isspace():
            continue
        height = glyph.bottom - glyph.top
        if runs and glyph.x0 - runs[-1].right <= 0.35 * height:
            runs[-1].add(glyph)
        else:
            runs.append(ValueRun([glyph]))
    return runs


def run_kind(text: str) -> str:
    """``figure``, ``blank`` (a mark for no figure), ``unit`` (the rest of a wrapped figure)
    or ``text`` (words: not a table's value)."""
    if is_numeric(text):
        return "figure"
    if flat(text) in BLANK_MARKS:
        return "blank"
    if text and all(char in _UNITS for char in text):
        return "unit"
    return "text"


def place(run: ValueRun, columns: list[Column]) -> int | None:
    """The column a figure belongs to, or None when that is not certain: it lines up with
    one header cell (left edge, centre or right edge) and with no other nearly as well, or
    lies within one header cell's extent and touches no other."""
    height = run.bottom - run.top
    tolerance = max(1.5, 0.15 * height)
    scores = sorted((min(abs(run.left - c.left), abs(run.centre - c.centre), abs(run.right - c.right)), index)
                    for index, c in enumerate(columns) if c.header is not None)
    if not scores:
        return None
    best, index = scores[0]
    clear = len(scores) == 1 or scores[1][0] > best + 2 * tolerance
    touching = [i for i, c in enumerate(columns)
                if c.header is not None and run.left < c.right + tolerance and run.right > c.left - tolerance]
    if best <= tolerance and clear and touching in ([index], []):
        return index
    inside = [i for i, c in enumerate(columns)
              if c.header is not None and c.left - tolerance <= run.left and run.right <= c.right + tolerance]
    if len(inside) == 1 and touching == inside:
        return inside[0]
    return None

