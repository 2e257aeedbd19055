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
from dataclasses import dataclass, field

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.readers.encoding import decode_text

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def split_lines(text: str) -> list[str]:
    """Lines with CRLF, CR and LF ends alike, without Word's bookmark markers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return text.split("\n")


@dataclass
class _CellDraft:
    parts: list[str]
    line: int


@dataclass
class _TableDraft:
    line: int
    rows: list[Row] = field(default_factory=list)
    cells: list[_CellDraft] = field(default_factory=list)
    row_line: int = 0

    def add_cell(self, text: str, line: int) -> None:
        if not self.cells:
            self.row_line = line
        self.cells.append(_CellDraft([text], line))

    def continue_cell(self, text: str, blank_lines: int) -> None:
        self.cells[-1].parts.extend([""] * blank_lines + [text])

    def end_row(self) -> None:
        if self.cells:
            cells = tuple(
                Cell(text="\n".join(c.parts).strip("\n"), line=c.line, merged=not "".join(c.parts))
                for c in self.cells
            )
            self.rows.append(Row(cells=cells, line=self.row_line))
            self.cells = []

    def finish(self) -> Table:
        self.end_row()
        return Table(rows=tuple(self.rows), line=self.line)


def parse_text(text: str) -> Document:
    """Split text in the DOCX-to-text layout into paragraphs and tables."""
    blocks: list[Block] = []
    table: _TableDraft | None = None
    blanks = 0
    for number, line in enumerate(split_lines(text), start=1):
        if line.startswith("\t"):
            if table is not None and blanks >= 2:
                blocks.append(table.finish())
                table = None
            if table is None:
                table = _TableDraft(line=number)
            elif blanks:
                table.end_row()
            table.add_cell(line[1:], number)
            blanks = 0
        elif not line.strip():
            blanks += 1
        elif table is not None and blanks <= 1 and table.cells:
            table.continue_cell(line, blanks)
            blanks = 0
        else:
            if table is not None:
                blocks.append(table.finish())
                table = None
            blocks.append(Paragraph(text=line.strip(), line=number))
            blanks = 0
    if table is not None:
        blocks.append(table.finish())
    return Document(blocks=blocks, source_format="txt")


class TextReader:
    """Reads ``.txt`` files: decode, then parse the DOCX-to-text layout."""

    extensions = (".txt", ".text")
    format_name = "txt"

    def read(self, data: bytes) -> Document:
        return parse_text(decode_text(data))
