"""The pieces a web page is parsed into, and how they become a ``Document``'s blocks.

The parser (``html``) records paragraphs and tables with the element they were made in;
this module builds each table's grid (``colspan`` once, ``rowspan`` as placeholders),
unwraps layout tables, and finds the article: the smallest element holding every part
of the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from giro_site.document import Block, Cell, Paragraph, Row, Table
from giro_site.errors import ReportError
from giro_site.readers.limits import MAX_CELLS
from giro_site.readers.visibility import PAGE, Look

_HEADING = re.compile(r"^\s*[一二三四五六七八]\s*[、.．]")


class Node:
    """An element: its tag, parent, and the clock when it opened and closed. An element
    holds every line and table made while it was open, so "is this block inside that
    element" is two comparisons, whatever the depth (a list of ancestors per line made a
    page of 40,000 unclosed tags cost 6 GB)."""

    __slots__ = ("closed", "emitted", "hides", "look", "opened", "parent", "tag")

    def __init__(self, tag: str, parent: Node | None, opened: int, emitted: int, look: Look = PAGE):
        self.tag, self.parent, self.opened, self.emitted = tag, parent, opened, emitted
        self.closed = STILL_OPEN
        self.look = look  # how its own text shows (visibility)
        self.hides = False  # skipped because a reader cannot see it (not as page furniture)

    def holds(self, time: int) -> bool:
        return self.opened < time < self.closed


STILL_OPEN = 1 << 62


@dataclass
class Line:
    """A paragraph candidate: its text, where it starts, the innermost element open when it
    ended and the clock then, and how much of it is link text."""

    text: str
    line: int
    node: Node | None
    time: int
    link_chars: int = 0


@dataclass
class TableCell:
    line: int
    colspan: int
    rowspan: int
    items: list[Line | PageTable] = field(default_factory=list)
    hidden: bool = False  # text a reader could not see was dropped from it


@dataclass
class PageTable:
    line: int
    node: Node | None
    time: int
    rows: list[tuple[int, list[TableCell]]] = field(default_factory=list)
    nested: bool = False  # a cell holds a table: this one is layout


def _cell_text(cell: TableCell) -> str:
    """A data cell's lines joined as the text reader joins a cell's paragraphs."""
    lines = [item.text for item in cell.items if isinstance(item, Line)]
    return "\n".join(lines).strip("\n")


def _grid_rows(table: PageTable, budget: list[int]) -> tuple[Row, ...]:
    """Rows of cells with an empty placeholder wherever a cell from a row above reaches.

    A rowspan is cut to the rows left (``rowspan="0"`` reaches the end of the table). Each
    row costs its cells and placeholders; ``budget`` (cells left for the whole page) is
    spent as they are made, and a page that would exceed it is refused."""
    count = len(table.rows)
    # Counted before any is made: rowspans can make the grid grow with the square of the
    # rows, and a page refused only once its cells were built would cost that square.
    most = sum(len(cells) + sum(min(cell.rowspan, count - index) - 1 for cell in cells)
               for index, (_, cells) in enumerate(table.rows))
    if most > budget[0]:
        raise ReportError(f"网页中的表格展开后超过 {MAX_CELLS} 个单元格（多为 rowspan/colspan 过大），"
                          "不像是年度报告：请检查网页或换用 .docx 版本", line=table.line)
    covering: dict[int, list[int]] = {}  # grid column -> [rows still covered, colspan]
    rows: list[Row] = []
    for index, (line, cells) in enumerate(table.rows):
        out: list[Cell] = []
        column = 0
        covered = sorted(covering)
        held = next_cell = 0
        starting: dict[int, list[int]] = {}
        while held < len(covered) or next_cell < len(cells):
            if held < len(covered) and covered[held] <= column:
                start = covered[held]
                held += 1
                if start == column:  # an earlier cell's colspan may already cover it
                    out.append(Cell("", line, covering[start][1], True))
                    column += covering[start][1]
            elif next_cell < len(cells):
                cell = cells[next_cell]
                next_cell += 1
                out.append(Cell(_cell_text(cell), cell.line, cell.colspan, False, cell.hidden))
                rowspan = min(cell.rowspan, count - index)
                if rowspan > 1:
                    starting[column] = [rowspan - 1, cell.colspan]
                column += cell.colspan
            else:
                column = covered[held]
        budget[0] -= len(out)
        if budget[0] < 0:
            raise ReportError(f"网页中的表格展开后超过 {MAX_CELLS} 个单元格（多为 rowspan/colspan 过大），"
                              "不像是年度报告：请检查网页或换用 .docx 版本", line=line)
        for start in covered:
            covering[start][0] -= 1
            if not covering[start][0]:
                del covering[start]
        covering.update(starting)
        if out:
            rows.append(Row(tuple(out), line))
    return tuple(rows)


def flatten(items: list[Line | PageTable]) -> list[tuple[Block, Node | None, int, int]]:
    """Blocks in reading order with their innermost element, clock and link-text count;
    layout tables (tables that hold tables) give up their cells' content as blocks. A loop
    with its own stack, not recursion: pages nest tables thousands deep."""
    out: list[tuple[Block, Node | None, int, int]] = []
    budget = [MAX_CELLS]
    pending: list[Iterator[Line | PageTable]] = [iter(items)]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
        elif isinstance(item, Line):
            if item.text:
                out.append((Paragraph(item.text.strip(), item.line), item.node, item.time, item.link_chars))
        elif item.nested:
            pending.append(inner for _, cells in item.rows for cell in cells for inner in cell.items)
        else:
            rows = _grid_rows(item, budget)
            if rows:
                out.append((Table(rows, item.line), item.node, item.time, 0))
    return out


def link_only(paragraph: Paragraph, link_chars: int) -> bool:
    """A line that is mostly link text is navigation ("上一篇：…", "【打印】【关闭】")."""
    visible = len(paragraph.text.replace(" ", ""))
    return visible > 0 and link_chars * 2 >= visible


def is_anchor(block: Block, link_chars: int) -> bool:
    """Parts every report has: its tables of figures, its section headings, its title."""
    if isinstance(block, Table):
        return len(block.rows) >= 3 and any(c.text.strip().isdigit() for r in block.rows for c in r.cells)
    if link_only(block, link_chars):
        return False
    text = block.text
    return bool(_HEADING.match(text)) or ("年度报告" in text and len(text) <= 80)


def container(anchors: list[tuple[Node | None, int]]) -> Node | None:
    """The innermost element holding every anchor (None: the whole page). Anchors come in
    reading order, so the element holding the first and the last holds them all."""
    node, last = anchors[0][0], anchors[-1][1]
    while node is not None and not node.holds(last):
        node = node.parent
    return node


