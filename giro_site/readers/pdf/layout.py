"""Pages to a Document: the report's paragraphs and tables in reading order, as if the
PDF had never been cut into pages.

* Running headers, footers and page numbers (``- 4 -``, ``第 4 页``, ``4/6``, a browser's
  date and address lines) are dropped: lines at a page's top or bottom edge that look like
  a page number or repeat from page to page.
* Lines join into paragraphs where the line above was full (``text.Flow``); an indented
  line or a wider gap starts a paragraph. A paragraph continues across a page break.
* Ruled tables come from ``frame`` (their boxes) and ``cells`` (the characters in each box),
  tables without ruling lines from ``unruled``; a table at the top of a page that lines up
  with the table closing the page before continues it (``join``).

Every line is numbered by page: ``Document.page_starts`` holds the number of each page's
first line, so a finding's line can be shown as a page and a line on it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from giro_site.document import Block, Document, Paragraph, ReaderNote
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    PROACTIVE_COLUMNS,
    REVIEW_COLUMNS,
    ColumnGroup,
    ColumnSpec,
)
from giro_site.labels import flat
from giro_site.readers.pdf.cells import table_rows
from giro_site.readers.pdf.extract import PageContent
from giro_site.readers.pdf.frame import PageTables, find_tables
from giro_site.readers.pdf.join import document_table, stitch
from giro_site.readers.pdf.parts import Note, PageTable, mark_hidden, padding
from giro_site.readers.pdf.text import Flow, Line, fits_not, join_two, make_lines
from giro_site.readers.pdf.unruled import read_tables as read_unruled

_EDGE = 0.12  # the top and bottom share of a page where running headers and footers stand,


_EDGE_POINTS = 72.0  # but at least an inch (a small page's header is as far from its edge)


_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·•]*\d{1,4}[-—–－_~·•]*|第\d{1,4}页(?:共\d{1,4}页)?|共\d{1,4}页第\d{1,4}页|\d{1,4}/\d{1,4}"
    r"|page\d{1,4}(?:of\d{1,4})?|-?[ivxlc]{1,6}-?)$", re.IGNORECASE)


_BROWSER_LINE = re.compile(r"^(?:(?:https?|file)://|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[,，]?\s*\d{1,2}:\d{2})")


_LETTER = re.compile(r"[^\W\d_]")  # a letter or an ideograph: what a running header's words have


@dataclass
class _Page:
    number: int
    items: list[Line | PageTable] = field(default_factory=list)  # in reading order
    left: float = 0.0  # the text column's left and right edges
    right: float = 0.0


def _number_lines(lines: list[Line], start: int) -> int:
    """Number the page's lines from the top (lines side by side share a number); returns
    the next free number."""
    number = start - 1
    previous_top = previous_height = None
    for line in sorted(lines, key=lambda item: item.top):
        if previous_top is None or line.top - previous_top > 0.5 * min(previous_height or 0, line.height):
            number += 1
            previous_top, previous_height = line.top, line.height
        line.number = number
    return number + 1


@lru_cache(maxsize=1)
def _header_words() -> tuple[str, ...]:
    """Words of the forms' table headers that no running header has: a table's header that
    a file repeats at the top of every page the table runs on is the table's, not furniture."""
    words = {"信息内容", "自然人", "申请人情况", "第二十条"}
    pending: list[ColumnSpec | ColumnGroup] = [APPLICANT_COLUMNS, REVIEW_COLUMNS,
                                               *(c for cs in PROACTIVE_COLUMNS.values() for c in cs)]
    while pending:
        node = pending.pop()
        words.update(phrase for phrase in node.phrases if len(phrase) >= 4)
        if isinstance(node, ColumnGroup):
            pending.extend(node.children)
    return tuple(sorted(words))


def _in_table(line: Line, lines: list[Line], zone: str) -> bool:
    """Whether a bare number at a page's edge is a table's figure rather than the page's
    number: words stand beside it, or between it and the edge (a page number is alone on
    its line and outermost, or beside a browser's address only)."""
    for other in lines:
        if other is line or _BROWSER_LINE.match(flat(other.text)):
            continue
        beside = other.top < line.bottom and line.top < other.bottom
        outer = other.bottom <= line.top if zone == "top" else other.top >= line.bottom
        if beside or outer:
            return True
    return False


def _furniture(pages: list[tuple[PageContent, list[Line]]]) -> set[int]:
    """ids of the lines that are running headers, footers or page numbers. Lines that repeat
    at a page's top from the first that holds a table header's words on are that table's
    header repeated on a new page (Word's "repeat as header row", a browser's ``<thead>``)."""
    dropped: set[int] = set()
    repeats: Counter[tuple[str, str]] = Counter()
    edges: list[tuple[int, Line, str, str]] = []
    for number, (page, lines) in enumerate(pages):
        edge = min(max(page.height * _EDGE, _EDGE_POINTS), page.height / 4)
        for line in lines:
            zone = "top" if line.bottom <= edge else "bottom" if line.top >= page.height - edge else ""
            if not zone:
                continue
            text = flat(line.text)
            if (_PAGE_NUMBER.match(text) and not (text.isdigit() and _in_table(line, lines, zone))) or \
                    _BROWSER_LINE.match(text):
                dropped.add(id(line))
                continue
            if not _LETTER.search(text):  # a table's line of figures ("0 0 1 0"), not a running header
                continue
            key = (zone, re.sub(r"\d+", "#", text))
            edges.append((number, line, *key))
            repeats[key] += 1
    if len(pages) >= 2:
        table_from: dict[int, float] = {}  # page -> top of its first repeated line with header words
        for number, line, zone, key in edges:
            if zone == "top" and repeats[(zone, key)] >= 2 and any(w in key for w in _header_words()):
                table_from[number] = min(table_from.get(number, line.top), line.top)
        for number, line, zone, key in edges:
            if repeats[(zone, key)] >= max(2, len(pages) // 2) and not (
                    zone == "top" and line.bottom > table_from.get(number, float("inf"))):
                dropped.add(id(line))
    return dropped


def _clusters(values: list[float]) -> list[tuple[float, float, int]]:
    """Positions that lie within 1.5 points of each other, as (first, last, count)."""
    out: list[tuple[float, float, int]] = []
    for value in sorted(values):
        if out and value - out[-1][1] <= 1.5:
            out[-1] = (out[-1][0], value, out[-1][2] + 1)
        else:
            out.append((value, value, 1))
    return out


def _left_edge(values: list[float]) -> float:
    """Where lines without indent start: the leftmost position several lines share (a
    paragraph's continuation lines; first lines, headings and titles are indented)."""
    clusters = _clusters(values)
    needed = max(2, len(values) // 20)
    return next((first for first, _, count in clusters if count >= needed), clusters[0][0])


def _right_edge(values: list[float]) -> float:
    """Where full lines end: the end most lines share. Short lines end anywhere, and a line
    with punctuation hanging into the margin ends past the others."""
    clusters = _clusters(values)
    most = max(count for _, _, count in clusters)
    return max(last for _, last, count in clusters if count == most)


def _text_column(pages: list[tuple[PageContent, list[Line]]]) -> dict[int, tuple[float, float]]:
    """Each page's text column (left, right). Pages of the common size share one, taken
    from all their lines: a page with a few short lines cannot show its own."""
    sizes = Counter((round(page.width), round(page.height)) for page, _ in pages)
    common = sizes.most_common(1)[0][0] if sizes else None
    shared = [line for page, lines in pages for line in lines if (round(page.width), round(page.height)) == common]
    out: dict[int, tuple[float, float]] = {}
    for page, lines in pages:
        own = shared if (round(page.width), round(page.height)) == common else lines
        if own:
            # Full lines are long: short ones (a table's cells read as text) must not vote.
            long = [line.right for line in own if line.right - line.left >= 0.4 * page.width]
            out[page.number] = (_left_edge([line.left for line in own]),
                                _right_edge(long or [line.right for line in own]))
    return out


def _pages(content: list[PageContent]) -> tuple[list[_Page], tuple[int, ...], list[tuple[Note, Line | None]]]:
    """Each page's lines and tables in reading order, furniture dropped, lines numbered.
    Ruled tables come from their lines (``frame``); tables without ruling lines from the
    body text that is left, page after page (``unruled``: a table can run on), with the
    findings of the tables without lines it would not read."""
    read: list[tuple[PageContent, list[Line], list[tuple[float, PageTable, list[Line]]], PageTables]] = []
    for page in content:
        found = find_tables(page)
        tables = []
        for grid in found.tables:
            rows, lines = table_rows(grid)
            tables.append((grid.top, PageTable(rows, grid.left, grid.right, page.number, padding(rows)), lines))
        read.append((page, make_lines(found.free), tables, found))
    dropped = _furniture([(page, free) for page, free, _, _ in read])
    bodies: list[list[Line]] = []
    unruled = read_unruled([(page, [line for line in free if id(line) not in dropped], found.rules)
                            for page, free, _, found in read])
    refused: list[tuple[Note, Line | None]] = []
    for (page, _, tables, _), result in zip(read, unruled, strict=True):
        for table in result.tables:
            mark_hidden(table.table, page.hidden)
        tables.extend((table.top, table.table, table.lines) for table in result.tables)
        bodies.append(result.lines)
        refused.extend(result.refused)
    columns = _text_column([(page, body) for (page, _, _, _), body in zip(read, bodies, strict=True)])
    pages: list[_Page] = []
    starts: list[int] = []
    number = 1
    for (page, _, tables, _), body in zip(read, bodies, strict=True):
        starts.append(number)
        number = _number_lines(body + [line for _, _, lines in tables for line in lines], number)
        out = _Page(page.number)
        items: list[tuple[float, Line | PageTable]] = [(line.top, line) for line in body]
        items += [(top, table) for top, table, _ in tables]
        out.items = [item for _, item in sorted(items, key=lambda pair: pair[0])]
        out.left, out.right = columns.get(page.number, (0.0, page.width))
        pages.append(out)
    return pages, tuple(starts), refused


def estimate_flow(pages: list[_Page]) -> Flow:
    """The single-spacing line pitch of this file (as a share of line height), from the
    distances between neighbouring lines of text: most of them are wrapped lines."""
    ratios = []
    for page in pages:
        for above, below in zip(page.items, page.items[1:], strict=False):
            if (isinstance(above, Line) and isinstance(below, Line) and above.height > 0
                    and abs(above.height - below.height) <= 0.2 * above.height and below.top > above.top):
                ratios.append((below.top - above.top) / above.height)
    if len(ratios) < 3:
        return Flow()
    ratios.sort()
    return Flow(min(2.5, max(1.0, ratios[len(ratios) // 4])))


def _continues_paragraph(above: Line, below: Line, left: float, right: float, flow: Flow,
                         same_page: bool) -> bool:
    height = max(above.height, below.height)
    if below.left > left + 0.8 * height:  # a first-line indent (or a centred line)
        return False
    if abs(above.height - below.height) > 0.25 * height:
        return False
    if same_page and below.top - above.top > 1.45 * flow.pitch * height:
        return False
    return fits_not(right - above.right, below)


def to_document(content: list[PageContent]) -> Document:
    pages, starts, refused = _pages(content)
    flow = estimate_flow(pages)
    blocks: list[Block] = []
    paragraph: list[Line] = []
    open_table: PageTable | None = None  # the table the text so far ends with
    previous: tuple[Line, _Page] | None = None  # the last line of the open paragraph

    def close_paragraph() -> None:
        nonlocal paragraph
        if paragraph:
            text = paragraph[0].text
            for line in paragraph[1:]:
                text = join_two(text, line.text)
            blocks.append(Paragraph(text, paragraph[0].number))
        paragraph = []

    tables: list[tuple[int, PageTable]] = []  # (block index, table) to be turned into Tables at the end
    for page in pages:
        for position, item in enumerate(page.items):
            if isinstance(item, PageTable):
                close_paragraph()
                previous = None
                if (open_table is not None and position == 0 and open_table.page == page.number - 1
                        and abs(open_table.left - item.left) <= 4.0 and abs(open_table.right - item.right) <= 4.0):
                    stitch(open_table, item, flow)
                    open_table.page = page.number
                    continue
                open_table = item
                tables.append((len(blocks), item))
                blocks.append(Paragraph("", None))  # replaced below
                continue
            open_table = None
            if previous is not None and _continues_paragraph(
                    previous[0], item, page.left, previous[1].right, flow, previous[1] is page):
                paragraph.append(item)
            else:
                close_paragraph()
                paragraph = [item]
            previous = (item, page)
    close_paragraph()
    notes: list[ReaderNote] = []
    for index, table in tables:
        blocks[index] = document_table(table, flow)
        for note in table.notes:
            numbers = [line.number for cell, _ in (note.row.cells if note.row else []) for line in cell.lines]
            notes.append(ReaderNote(note.code, note.message, note.where, min(numbers) if numbers else None,
                                    note.label, tuple(note.raw)))
    for note, line in refused:
        notes.append(ReaderNote(note.code, note.message, note.where, line.number if line is not None else None))
    return Document(blocks=blocks, source_format="pdf", page_starts=starts, notes=tuple(notes))

