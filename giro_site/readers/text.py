"""Reader for report text: the layout a DOCX-to-text tool writes (the seeds), and the
one-line-per-row layouts that other tools write.

The DOCX-to-text layout writes a paragraph as one line. A table cell starts with a tab;
the cell's further paragraphs follow on lines without a tab, and an empty paragraph inside
a cell shows as a blank line (seed 001: ``（三）不予`` / blank / ``公开``). A row ends with
one blank line and a table with one more, so:

* a tab line starts a cell (and a row, after a blank line);
* a line without a tab after at most one blank line continues the last cell, because a
  row never starts without a tab — unless it is a section heading of the national form
  (``三、收到和处理政府信息公开申请情况``): a heading ends a table whatever the blank lines,
  as some tools write one blank line between a table and the next heading, not two;
* a line without a tab after two blank lines is a paragraph after the table.

One line per row is how a copy-paste from a web page (cells separated by tabs), a Markdown
or other pipe table (``| 规章 | 0 | 0 | 0 |``) and ``pdftotext -layout`` or hand-typed text
(``一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21``) write a table. Such lines make a
table when two or more of them stand together (at most one blank line apart):

* tab and pipe rows anywhere, since prose never separates words with them;
* "label n n n" rows — words, then figures or blank marks separated by spaces — only in
  sections 二 to 四, where the form's tables are, and never when the words hold a sentence
  mark (。；！？): a sentence that ends with a number does not become a row.

Lines of words without figures directly above, between or below those rows (column
headers, ``第二十条第（一）项``, a label on its own) belong to the table, split into cells at
spaces; a sentence or a heading never does. In a "label n n n" row the figures are cells and
the words before them are split at spaces into label cells (``（三）不予公开 1.属于国家秘密``),
an enumerator alone (``四、``) staying with the words after it. A cell merged across rows
cannot be written on one line; the forms module infers it from the labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache, partial
from itertools import compress, count, islice, repeat
from operator import itemgetter, not_

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.labels import core, is_enumerator
from giro_site.numbers import BLANK_MARKS
from giro_site.prose.sections import heading_section
from giro_site.readers.encoding import decode_text
from giro_site.readers.limits import check_lines

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

# Kinds of line.
BLANK, TAB, TEXT, TSV, PIPE, RULE, FIGURES = range(7)
_ROWS = frozenset((TSV, PIPE, FIGURES))  # lines that are a whole table row
_TABLE_SECTIONS = (1, 2, 3)  # 二、三、四: the sections holding the form's tables

_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")  # Markdown's |---|:--:|
_VALUE = re.compile(r"[+\-]?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d+)?(?:亿元|万元|千元|元|件|条|个|项)?")
# A token that may be a figure or a blank mark: at the start of the line or after a space.
_FIGURE_TOKEN = re.compile(r"(?:^|\s)[-+/—－／\d０-９无]")
_SENTENCE_MARKS = frozenset("。；！？!?;")
_MAX_VALUE = 24  # characters of a figure at most (``3,739,265.00万元``)
_MAX_CELL_LINE = 80  # characters: a line of header words or a label; longer is prose
_LONE_ROW = 5  # cells a row alone under its header needs to be a table (table 四: 15 figures)


def split_lines(text: str) -> list[str]:
    """Lines with CRLF, CR and LF ends alike, without Word's bookmark markers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return text.split("\n")


# --- one line, one row -------------------------------------------------------------------


@lru_cache(maxsize=1 << 14)
def _is_value(token: str) -> bool:
    """A figure (``12``, ``-3``, ``3739265元``, ``1,234``) or a blank mark (``/``, ``—``).

    A number with a leading zero (``0451``, a telephone code) is not a figure."""
    text = unicodedata.normalize("NFKC", token)
    return text in BLANK_MARKS or _VALUE.fullmatch(text) is not None


_CACHED_LINE = 256  # characters: longer lines are split uncached, so the cache stays small


def _figures_split(line: str) -> tuple[str, tuple[str, ...]] | None:
    """(words, figures) of a "label n n n" line, or None if it does not end in figures.

    Cached for short lines: a line is looked at when its kind is decided and again when it
    is cut into cells, and header lines recur in every report."""
    return _split_cached(line) if len(line) <= _CACHED_LINE else _split_figures(line)


def _split_figures(line: str) -> tuple[str, tuple[str, ...]] | None:
    if _FIGURE_TOKEN.search(line) is None:
        return None
    tokens = line.split()
    count = 0
    while count < len(tokens) and len(tokens[-1 - count]) <= _MAX_VALUE and _is_value(tokens[-1 - count]):
        count += 1
    if count == 0:
        return None
    values = tuple(tokens[len(tokens) - count:])
    if count == 1 and not any(ch.isdigit() for ch in values[0]):
        return None
    words = line.rstrip()
    for value in reversed(values):
        words = words[: len(words) - len(value)].rstrip()
    words = words.strip()
    if any(ch in _SENTENCE_MARKS for ch in words) or len(words) > _MAX_CELL_LINE:
        return None
    return words, values


_split_cached = lru_cache(maxsize=1 << 12)(_split_figures)


def _word_cells(words: str) -> list[str]:
    """Words split at spaces into cells; an enumerator alone joins the words after it and a
    piece without words (a note, a mark) joins the words before it, spaces kept."""
    spans: list[list[int]] = []
    carry: int | None = None  # where an enumerator waiting for its words starts
    for match in re.finditer(r"\S+", words):
        piece, start = match.group(), match.start() if carry is None else carry
        carry = None
        if is_enumerator(piece):
            carry = start
        elif not core(piece) and spans:
            spans[-1][1] = match.end()
        else:
            spans.append([start, match.end()])
    if carry is not None:
        spans.append([carry, len(words.rstrip())])
    return [words[start:end] for start, end in spans]


def _kind(line: str) -> int:
    if line.startswith("\t"):  # a cell, even an empty one, unless more tabs split the line
        return TSV if "\t" in line.rstrip("\t")[1:] else TAB
    if "\t" in line.rstrip("\t"):  # cells between tabs, blank ones too
        return TSV
    stripped = line.strip()
    if not stripped:
        return BLANK
    if "|" in stripped:
        if _RULE.fullmatch(stripped) and "|" in stripped:
            return RULE
        bars = stripped.count("|")
        if bars >= 3 or (bars >= 2 and (stripped.startswith("|") or stripped.endswith("|"))):
            return PIPE
    if _figures_split(line) is not None:
        return FIGURES
    return TEXT


def _cellish(line: str) -> bool:
    """Header words or a label on a line of its own, not a sentence."""
    stripped = line.strip()
    return len(stripped) <= _MAX_CELL_LINE and not any(ch in _SENTENCE_MARKS for ch in stripped)


def _row_cells(line: str, kind: int) -> list[str]:
    if kind == TSV:
        return [cell.strip(" ") for cell in line.split("\t")]
    if kind == PIPE:
        stripped = line.strip()
        stripped = stripped[1:] if stripped.startswith("|") else stripped
        stripped = stripped[:-1] if stripped.endswith("|") else stripped
        if "<" in stripped:  # a converter's line break inside a cell
            stripped = _HTML_BREAK.sub("\n", stripped)
        return [cell.strip(" ") for cell in stripped.split("|")]
    if kind == FIGURES:
        split = _figures_split(line)
        assert split is not None
        return [*_word_cells(split[0]), *split[1]]
    return _word_cells(line)


class _Run:
    """A table written one line per row: the line indexes of its rows, in order."""

    def __init__(self, first: int) -> None:
        self.lines = [first]
        self.rows = 1


def _one_line_tables(lines: list[str], kinds: list[int]) -> dict[int, _Run]:
    """The tables written one line per row, keyed by the index of their first line."""
    runs: dict[int, _Run] = {}
    section = -1
    claimed = -1  # the last line that belongs to a run found already

    def is_row(index: int) -> bool:
        kind = kinds[index]
        return kind in (TSV, PIPE) or (kind == FIGURES and section in _TABLE_SECTIONS)

    def attachable(index: int) -> bool:
        return (kinds[index] in (TEXT, FIGURES) and _cellish(lines[index])
                and heading_section(lines[index].strip()) is None)

    index = 0
    while index < len(lines):
        kind = kinds[index]
        if kind in (TEXT, FIGURES):
            heading = heading_section(lines[index].strip())
            if heading is not None and heading > section:
                section = heading
        if not is_row(index):
            index += 1
            continue
        run = _Run(index)
        pending: list[int] = []
        cursor = index + 1
        while cursor < len(lines):
            following = cursor
            while following < len(lines) and kinds[following] == BLANK:
                following += 1
            if following - cursor > 1 or following == len(lines):
                break
            if kinds[following] == RULE or is_row(following):
                run.lines += pending
                pending = []
                run.lines.append(following)
                run.rows += kinds[following] != RULE
            elif attachable(following):
                pending.append(following)
            else:
                break
            cursor = following + 1
        last = run.lines[-1]
        for line_index in pending:  # words below the last row: only lines right under it
            if line_index != last + 1:
                break
            run.lines.append(line_index)
            last = line_index
        above = index - 1
        while above > claimed and kinds[above] != BLANK and attachable(above):
            run.lines.insert(0, above)
            above -= 1
        if run.rows >= 2 or (len(run.lines) >= 2 and len(_row_cells(lines[index], kinds[index])) >= _LONE_ROW):
            runs[run.lines[0]] = run
            claimed = run.lines[-1]
            index = claimed + 1
        else:
            index += 1
    return runs


# --- the document ------------------------------------------------------------------------


# A cell made as the tuple it is, without the Python-level __new__ that Cell(...) runs: three
# times faster, and a report has hundreds of cells. Takes every field of Cell, in order.
_cell = partial(tuple.__new__, Cell)


_row = partial(tuple.__new__, Row)  # likewise: (cells, line, declared)


def _cells(texts: list[str], lines: Iterable[int]) -> tuple[Cell, ...]:
    """Cell(text, line, 1, merged when empty, not hidden) for each text, made at C speed."""
    return tuple(map(_cell, zip(texts, lines, repeat(1), map(not_, texts), repeat(False))))


def _table(rows: list[tuple[list[list[str]], list[int], int]], line: int) -> Table:
    built = []
    for parts_of_cells, lines, row_line in rows:
        texts = [parts[0] if len(parts) == 1 else "\n".join(parts).strip("\n") for parts in parts_of_cells]
        built.append(_row((_cells(texts, lines), row_line, 0)))
    return Table(tuple(built), line)


def _declared(run: _Run, lines: list[str], kinds: list[int]) -> int:
    """How many cells a pipe table's rows should have: its header's (its Markdown rule's
    count, else its first pipe row's); 0 for a table without pipe rows."""
    first = 0
    for index in run.lines:
        if kinds[index] == RULE:
            return len(_row_cells(lines[index], PIPE))
        if kinds[index] == PIPE and not first:
            first = len(_row_cells(lines[index], PIPE))
    return first


def _run_table(run: _Run, lines: list[str], kinds: list[int]) -> Table:
    rows = []
    declared = _declared(run, lines, kinds)
    for index in run.lines:
        kind = kinds[index]
        if kind == RULE:
            continue
        number = index + 1
        # A label on its own line in a pipe table is one cell, spaces and all.
        texts = [lines[index].strip()] if declared and kind == TEXT else _row_cells(lines[index], kind)
        cells = tuple(_cell((text, number, 1, not text, False)) for text in texts)
        rows.append(Row(cells, number, declared if kind in (PIPE, TEXT) else 0))
    return Table(tuple(rows), run.lines[0] + 1)


_AFTER_TAB = itemgetter(slice(1, None))  # a cell line's text after its tab, at C speed
# A table of the tab layout whose every line is a cell or the one blank line ending a row,
# in a string of one letter a line ("T" a cell, "B" blank, "X" anything else).
_CELL_LINES = re.compile(r"T(?:B?T)*")
_KIND_LETTERS = bytes.maketrans(bytes((BLANK, TAB, TEXT, TSV, PIPE, RULE, FIGURES)), b"BTXXXXX")


def _tab_table(lines: list[str], letters: str, start: int, one_line: dict[int, _Run]) -> tuple[Table, int] | None:
    """The tab-layout table starting at line ``start`` and the index of the line after its
    last cell, made at once when nothing in it needs the line-by-line reading: its lines are
    cells and single blank lines only, and what follows ends it (the end of the text, two
    blank lines, a one-line table or a section heading). None otherwise: a line of words
    that may continue a cell is read by the loop of ``parse_text``, which gives the same
    table for the tables read here (``tests/test_text_fast_path.py`` compares both)."""
    end = _CELL_LINES.match(letters, start).end()  # type: ignore[union-attr]
    after = end + 1 if letters[end: end + 1] == "B" else end
    if after < len(letters) and letters[after] != "B" and after not in one_line \
            and heading_section(lines[after].strip()) is None:
        return None
    # Every line's cell made in one pass (the blank lines between rows too, a few cells
    # made for nothing), then cut into rows: cheaper than a pass per row.
    cells = _cells(list(map(_AFTER_TAB, lines[start:end])), range(start + 1, end + 1))
    rows = []
    first = 0
    for group in letters[start:end].split("B"):
        rows.append(_row((cells[first: first + len(group)], start + first + 1, 0)))
        first += len(group) + 1
    return Table(tuple(rows), start + 1), end


def parse_text(text: str, *, fast: bool = True) -> Document:
    """Split report text into paragraphs and tables (see the module's docstring). ``fast``:
    read the usual tab-layout tables whole (``_tab_table``); False reads every line in the
    loop below, for the tests that compare both."""
    lines = split_lines(text)
    # Most lines are a cell or empty, told apart without a call per line (a report has
    # hundreds of lines and the build reads thousands of reports); only text with a pipe or
    # a tab inside a line needs every line looked at, and otherwise only the lines of words.
    kinds = [TAB if line[:1] == "\t" else TEXT if line.strip() else BLANK for line in lines]
    letters = ""
    if "|" in text or text.count("\t") != text.count("\n\t") + (text[:1] == "\t"):
        kinds = [_kind(line) for line in lines]
    else:
        if fast:
            letters = bytes(kinds).translate(_KIND_LETTERS).decode("ascii")  # at C speed
        for index in list(compress(count(), map(TEXT.__eq__, kinds))):  # the lines of words, found at C speed
            if _figures_split(lines[index]) is not None:
                kinds[index] = FIGURES
    one_line = _one_line_tables(lines, kinds) if not _ROWS.isdisjoint(kinds) else {}
    blocks: list[Block] = []
    rows: list[tuple[list[list[str]], list[int], int]] | None = None  # the open table's rows
    cells: list[list[str]] = []  # the open row: each cell's paragraphs
    cell_lines: list[int] = []  # the open row: each cell's line
    table_line = 0
    blanks = 0

    def close_row() -> None:
        nonlocal cells, cell_lines
        if cells and rows is not None:
            rows.append((cells, cell_lines, cell_lines[0]))
        cells, cell_lines = [], []

    def close_table() -> None:
        nonlocal rows
        if rows is not None:
            close_row()
            blocks.append(_table(rows, table_line))
            rows = None

    resume = 0  # the line after the last one-line table
    numbered = enumerate(zip(lines, kinds, strict=True))
    for index, (line, kind) in numbered:
        if index < resume:
            continue
        if one_line and index in one_line:
            close_table()
            run = one_line[index]
            blocks.append(_run_table(run, lines, kinds))
            blanks = 0
            resume = run.lines[-1] + 1
            continue
        if kind == TAB or (kind == TSV and line[:1] == "\t"):
            if rows is not None and blanks >= 2:
                close_table()
            if rows is None and letters and (whole := _tab_table(lines, letters, index, one_line)) is not None:
                blocks.append(whole[0])
                resume = whole[1]
                if resume - index > 1:  # its other lines passed over at C speed
                    next(islice(numbered, resume - index - 2, None))
                blanks = 0
                continue
            if rows is None:
                rows, table_line = [], index + 1
            elif blanks:
                close_row()
            cells.append([line[1:]])
            cell_lines.append(index + 1)
            blanks = 0
        elif kind == BLANK:
            blanks += 1
        elif rows is not None and blanks <= 1 and cells and heading_section(line.strip()) is None:
            cells[-1].extend([""] * blanks + [line])
            blanks = 0
        else:
            close_table()
            blocks.append(Paragraph(line.strip(), index + 1))
            blanks = 0
    close_table()
    return Document(blocks=blocks, source_format="txt")


class TextReader:
    """Reads ``.txt`` files and the Markdown that PDF converters write (``.md``): decode,
    then parse the layouts above."""

    extensions = (".txt", ".text", ".md", ".markdown")
    format_name = "txt"
    max_bytes = 16 * 1024 * 1024  # a long report is 100 KB

    def read(self, data: bytes) -> Document:
        return parse_text(check_lines(decode_text(data)))
