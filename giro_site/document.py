"""The one document type every reader produces and the forms module consumes.

A report, whatever its format, is a sequence of blocks: paragraphs and tables. A table
is rows of cells as the author laid them out, one cell per physical cell:

* a cell merged across columns appears once, with ``colspan`` set when the format
  knows it (HTML, DOCX); the text format cannot know it and leaves 1;
* a cell merged across rows appears in its first row only; the rows below get an
  empty placeholder cell (``merged=True``) in its place, which is exactly how the
  DOCX-to-text tool writes vertical merges. HTML and DOCX readers insert the same
  placeholders, so the forms module sees one shape whatever the input format.

Line numbers point into the source where the format has lines (text, HTML); they let
findings tell a maintainer where to look. A PDF has pages: its reader numbers the lines of
all pages in one sequence and records where each page starts (``page_starts``), so that
a line number can be shown as a page and a line on it (``place``).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

# Cells, rows, tables and paragraphs are immutable named tuples: a report has hundreds of
# cells, and a tuple is made several times faster than a frozen dataclass.


class Cell(NamedTuple):
    """One table cell; ``text`` keeps the author's characters (normalising is later).

    ``hidden``: the reader dropped characters from this cell that a reader of the original
    could not see (transparent or background-coloured text, a vanishing run, a glyph too
    small to read); ``text`` holds only what is visible, and the forms stage says so."""

    text: str
    line: int | None = None
    colspan: int = 1
    merged: bool = False
    hidden: bool = False


class Row(NamedTuple):
    """``declared``: how many cells the row's table says a row has, where the format does
    not fix a cell's place and converters add or drop empty cells at a row's edges (a
    Markdown or pipe table: the count of its ``|---|`` rule); 0 where every cell's place is
    known (HTML, DOCX, the seeds' tab layout). A row of another count is aligned by the
    form's columns, or put in doubt, by the forms stage."""

    cells: tuple[Cell, ...]
    line: int | None = None
    declared: int = 0

    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]


class Table(NamedTuple):
    rows: tuple[Row, ...]
    line: int | None = None


class Paragraph(NamedTuple):
    text: str
    line: int | None = None


Block = Paragraph | Table


class ReaderNote(NamedTuple):
    """What a reader could not read with certainty (a PDF table without ruling lines whose
    figures do not line up with its headers): a finding's code, message, table and line,
    and the row as printed, kept among the report's extra rows."""

    code: str
    message: str
    where: str
    line: int | None = None
    label: str = ""
    raw: tuple[str, ...] = ()


@dataclass(slots=True)
class Document:
    """A report as read from one file, before anything is known about the form."""

    blocks: list[Block] = field(default_factory=list)
    source_format: str = "txt"
    # Facts computed from the blocks once and shared by the steps that need them
    # (the section headings); a document is not changed after a reader made it.
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    # For paged formats (PDF): the line number each page starts with, in page order.
    page_starts: tuple[int, ...] = ()
    notes: tuple[ReaderNote, ...] = ()  # the reader's own findings (PDF tables read by position)

    def place(self, line: int) -> tuple[int, int] | None:
        """(page, line on that page) of a line number, for a paged document; else None."""
        if not self.page_starts or line < self.page_starts[0]:
            return None
        page = bisect_right(self.page_starts, line)
        return page, line - self.page_starts[page - 1] + 1

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
