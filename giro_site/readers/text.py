"""Reader for text that a DOCX-to-text tool wrote (the format of the seed reports).

The tool writes a paragraph as one line. A table cell starts with a tab; the cell's
further paragraphs follow on lines without a tab, and an empty paragraph inside a cell
shows as a blank line (seed 001: ``（三）不予`` / blank / ``公开``). A row ends with one
blank line and a table with one more, so:

* a tab line starts a cell (and a row, after a blank line);
* a line without a tab after at most one blank line continues the last cell, because a
  row never starts without a tab;
* a line without a tab after two blank lines is a paragraph after the table.
"""

from __future__ import annotations

import re

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.readers.encoding import decode_text

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def split_lines(text: str) -> list[str]:
    """Lines with CRLF, CR and LF ends alike, without Word's bookmark markers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return text.split("\n")


def _table(rows: list[tuple[list[list[str]], list[int], int]], line: int) -> Table:
    built = []
    for parts_of_cells, lines, row_line in rows:
        cells = []
        for parts, cell_line in zip(parts_of_cells, lines, strict=True):
            text = parts[0] if len(parts) == 1 else "\n".join(parts).strip("\n")
            cells.append(Cell(text, cell_line, 1, not text))
        built.append(Row(tuple(cells), row_line))
    return Table(tuple(built), line)


def parse_text(text: str) -> Document:
    """Split text in the DOCX-to-text layout into paragraphs and tables."""
    blocks: list[Block] = []
    rows: list[tuple[list[list[str]], list[int], int]] | None = None  # the open table's rows
    cells: list[list[str]] = []  # the open row: each cell's paragraphs
    lines: list[int] = []  # the open row: each cell's line
    table_line = 0
    blanks = 0

    def close_row() -> None:
        nonlocal cells, lines
        if cells and rows is not None:
            rows.append((cells, lines, lines[0]))
        cells, lines = [], []

    for number, line in enumerate(split_lines(text), start=1):
        if line.startswith("\t"):
            if rows is not None and blanks >= 2:
                close_row()
                blocks.append(_table(rows, table_line))
                rows = None
            if rows is None:
                rows, table_line = [], number
            elif blanks:
                close_row()
            cells.append([line[1:]])
            lines.append(number)
            blanks = 0
        elif not line.strip():
            blanks += 1
        elif rows is not None and blanks <= 1 and cells:
            cells[-1].extend([""] * blanks + [line])
            blanks = 0
        else:
            if rows is not None:
                close_row()
                blocks.append(_table(rows, table_line))
                rows = None
            blocks.append(Paragraph(line.strip(), number))
            blanks = 0
    if rows is not None:
        close_row()
        blocks.append(_table(rows, table_line))
    return Document(blocks=blocks, source_format="txt")


class TextReader:
    """Reads ``.txt`` files: decode, then parse the DOCX-to-text layout."""

    extensions = (".txt", ".text")
    format_name = "txt"
    max_bytes = 16 * 1024 * 1024  # a long report is 100 KB

    def read(self, data: bytes) -> Document:
        return parse_text(decode_text(data))
