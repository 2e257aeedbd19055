"""Page parts joined: a table at the top of a page that lines up with the table closing the
page before continues it. A header repeated on the new page is dropped, a cell whose text was
cut by the break is joined with its rest, and a row cut by the break (its label on one page,
its figures on the next) is one row again. The form's known labels tell a new row from a
continued one (``starts_new``). Then each assembled table becomes a ``document.Table``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from giro_site.document import Cell, Row, Table
from giro_site.forms.grid import is_numeric
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_COLUMNS,
    ColumnGroup,
    ColumnSpec,
)
from giro_site.labels import core, flat
from giro_site.readers.pdf.parts import PageTable, TableCell, TableRow
from giro_site.readers.pdf.text import Flow, Line, cell_text

_ENUMERATED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．])")


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    """Every row label, group label and column header of both forms, as ``core`` words."""
    phrases: set[str] = set()
    for spec in APPLICATION_ROWS:
        phrases.update(spec.phrases)
    for group in APPLICATION_GROUPS:
        phrases.update(group)
    for rows in PROACTIVE_ROWS.values():
        for spec, _ in rows:
            phrases.update(spec.phrases)
    for columns in PROACTIVE_COLUMNS.values():
        for column in columns:
            phrases.update(column.phrases)
    pending: list[ColumnSpec | ColumnGroup] = [APPLICANT_COLUMNS, REVIEW_COLUMNS]
    while pending:
        node = pending.pop()
        phrases.update(node.phrases)
        if isinstance(node, ColumnGroup):
            pending.extend(node.children)
    phrases.add("信息内容")
    return frozenset(phrases)


def starts_new(text: str, above: str) -> bool:
    """Whether the text at the top of a page begins a label of its own rather than
    continuing ``above``, the text of the cell above it that the page break may have cut:
    it is numbered (``（四）``, ``3.``), or both are whole labels of the form."""
    if _ENUMERATED.match(text) or text.lstrip().startswith("第二十条"):
        return True
    known = _known_labels()
    return core(text) in known and core(above) in known


def _is_full(table: PageTable, cell: TableCell, below: Line, flow: Flow) -> bool:
    """Whether the cell's last line left no room for ``below``'s first word."""
    if not cell.lines:
        return False
    left, right = table.inner(cell)
    left = min(left, *(line.left for line in cell.lines))
    right = max(right, *(line.right for line in cell.lines))
    return flow.is_wrap(cell.lines[-1], below, left, right)


def _text(cell: TableCell) -> str:
    return " ".join(line.text for line in cell.lines)


def _aligned(a: TableCell, b: TableCell) -> bool:
    return abs(a.left - b.left) <= 3.0 and abs(a.right - b.right) <= 3.0


def _same_rows(a: list[TableRow], b: list[TableRow]) -> bool:
    return [[flat(_text(c)) for c, _ in r.cells] for r in a] == [[flat(_text(c)) for c, _ in r.cells] for r in b]


def stitch(table: PageTable, following: PageTable, flow: Flow) -> None:
    """Append a table's continuation from the next page (see the module docstring)."""
    table.notes.extend(following.notes)
    rows = following.rows
    for count in range(min(4, len(rows) - 1, len(table.rows)), 0, -1):  # a header repeated on the new page
        if any(_text(c) for r in rows[:count] for c, _ in r.cells) and _same_rows(table.rows[:count], rows[:count]):
            rows = rows[count:]
            break
    if not rows:
        return
    last, first = table.rows[-1], rows[0]
    partners: list[tuple[TableCell, TableCell | None, str]] = []
    for cell, _ in first.cells:
        partner = next((c for c, _ in last.cells if _aligned(c, cell)), None)
        text = _text(cell)
        if not text:
            kind = "empty"
        elif partner is None:
            kind = "new"
        elif is_numeric(text):
            kind = "fill" if not _text(partner) else "new"
        elif _text(partner) and _is_full(table, partner, cell.lines[0], flow) and not starts_new(text, _text(partner)):
            kind = "same"
        else:
            kind = "new"
        partners.append((cell, partner, kind))
    kinds = {kind for _, _, kind in partners}
    joined = "new" not in kinds and bool(kinds & {"same", "fill"}) and all(p is not None for _, p, _ in partners)
    if joined:
        for cell, partner, _ in partners:
            if partner is not None and cell.lines:
                partner.lines.extend(cell.lines)
            if partner is not None:
                partner.hidden = partner.hidden or cell.hidden
            if partner is not None:
                _replace(rows, cell, partner)
        rows = rows[1:]
    else:
        # A new row: only a merged label beside it (a cell with the row's own label further
        # right) may be the rest of the cell above. The row's own label is its own even if
        # the cell above looks full: a browser sizes a column to its longest label, so
        # ``行政检查`` fills its cell and ``行政确认`` below it is not its rest.
        labels = [index for index, (cell, _, kind) in enumerate(partners)
                  if kind == "new" and not is_numeric(_text(cell))]
        for index, (cell, partner, kind) in enumerate(partners):
            if kind == "same" and partner is not None and any(other > index for other in labels):
                partner.lines.extend(cell.lines)
                partner.hidden = partner.hidden or cell.hidden
                cell.lines = []
    table.rows.extend(rows)


def _replace(rows: list[TableRow], old: TableCell, new: TableCell) -> None:
    """A cell of the next page that turned out to be the rest of one above: rows below it
    that it spans now point to the cell above."""
    for row in rows[1:]:
        row.cells = [(new if cell is old else cell, False if cell is old else starts) for cell, starts in row.cells]


def document_table(table: PageTable, flow: Flow) -> Table:
    texts: dict[int, str] = {}
    rows: list[Row] = []
    for row in table.rows:
        cells: list[Cell] = []
        for cell, starts in row.cells:
            line = cell.lines[0].number if cell.lines else None
            if starts:
                if id(cell) not in texts:
                    texts[id(cell)] = cell_text(cell.lines, flow, table.inner(cell))
                cells.append(Cell(texts[id(cell)], line, cell.colspan, False, cell.hidden))
            else:
                cells.append(Cell("", None, cell.colspan, True))
        if cells:
            numbers = [c.line for c in cells if c.line is not None]
            rows.append(Row(tuple(cells), min(numbers) if numbers else None))
    known = [row.line for row in rows if row.line is not None]
    return Table(tuple(rows), min(known) if known else None)

