"""Tables printed without ruling lines, or with only some (only the rules between rows, only
the outer frame): read from where the form's column headers stand.

The form is fixed, so its headers are known words (``headers``). Each value column is the
place of its header cell; a figure belongs to the column whose header it lines up with (the
same left edge, centre or right edge) or, failing that, whose header alone spans it. A figure
that lines up with no header, or with two, is not guessed at: the row's figures are left
blank and a finding says why (``parts.Note``). The label columns start where label lines
start. Rows come from the labels (``rows``): a label that wraps goes on while its line was
full, a numbered label (``1.``, ``（二）``) starts a row, and a label beside deeper labels
(``（三）不予公开`` beside ``1.`` … ``8.``) is a merged cell over the rows beside it. Rules
between rows, where drawn, are taken as row boundaries.

A table that runs to the foot of a page continues at the top of the next with the same
columns; ``layout`` joins the two like a ruled table cut by a page break.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from giro_site.forms.grid import is_numeric
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_COLUMNS,
    ColumnGroup,
    ColumnSpec,
)
from giro_site.labels import core, flat
from giro_site.numbers import BLANK_MARKS
from giro_site.prose.sections import heading_section
from giro_site.readers.pdf.extract import Glyph, PageContent, Segment
from giro_site.readers.pdf.headers import (
    APPLICATIONS,
    PROACTIVE,
    REVIEW,
    Found,
    Header,
    find_headers,
    is_block_title,
    key,
)
from giro_site.readers.pdf.parts import Note, PageTable, TableCell, TableRow
from giro_site.readers.pdf.rows import (
    DataRow,
    Group,
    Label,
    LabelColumns,
    ValueRun,
    build_rows,
    carried_numbers,
    known_by_table,
    sub_number,
)
from giro_site.readers.pdf.text import Line, make_lines

_UNITS = set("元万件条个项次人份%％")
_ADJACENT_LINES = 0.6  # lines of one cell are less than this many glyph heights apart
_FIRST_BLOCKS = tuple(tuple(column.key for column in columns[:3]) for columns in PROACTIVE_COLUMNS.values())
_REPEAT_TOLERANCE = 3.0  # points: a repeated header's columns stand where the table's stood
_TAIL = 12  # lines at a page's foot looked at again with the next page (a header cut by the break)


@dataclass
class Column:
    """A value column: where its header cell stands (None if its header was not found)."""

    spec: ColumnSpec
    header: Found | None
    left: float = 0.0
    right: float = 0.0
    glyphs: list[Glyph] = field(default_factory=list)  # the header cell's, its note included

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclass
class Block:
    """One header's columns and the lines under it (table 二 has a block per 第二十条 item)."""

    header: Header
    columns: list[Column]
    value_left: float  # where the label area ends
    title: list[Line] = field(default_factory=list)
    header_lines: list[Line] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # the data lines


@dataclass
class Model:
    """What a table keeps from page to page: its kind, the block it ended in, its label
    columns and its extent."""

    kind: str
    block: Block
    labels: LabelColumns | None = None
    left: float = 0.0
    right: float = 0.0
    height: float = 10.0  # the usual glyph height
    first: tuple[str, ...] = ()  # the columns of the table's first header (its first block's)


@dataclass
class Unruled:
    """A table read from one page, ready for ``layout``: its rows and every line it holds."""

    table: PageTable
    lines: list[Line]
    top: float
    doubt: str = ""  # why its rows cannot be trusted (then the whole table is not read)
    carried: dict[int, int] = field(default_factory=dict)  # see ``rows.carried_numbers``


def _height(lines: list[Line]) -> float:
    heights = sorted(line.height for line in lines) or [10.0]
    return heights[len(heights) // 2]


def _columns(header: Header, lines: list[Line]) -> list[Column]:
    """Each value column's header cell, with the note that follows its name in the cell
    (``采购总金额（万元，保留四位小数）``): it shifts a centred cell's middle."""
    taken = {id(g) for found in header.found for g in found.glyphs} | {id(g) for g in in_groups(header)}
    out: list[Column] = []
    for spec, found in zip(header.leaves, header.columns, strict=True):
        if found is None:
            out.append(Column(spec, None))
            continue
        glyphs = list(found.glyphs)
        last = found.glyphs[-1]  # in reading order
        height = found.height
        for line in lines:
            if line.bottom < found.top or line.top > found.bottom + 6 * height:
                continue
            for glyph in line.glyphs:
                if id(glyph) in taken:
                    continue
                same_line = abs(glyph.top - last.top) < 0.5 * height and -1.0 <= glyph.x0 - last.x1 <= 0.8 * height
                below = (last.bottom - 0.3 * height < glyph.top < last.bottom + 0.8 * height
                         and found.left - 0.5 * height <= glyph.x0 and glyph.x1 <= found.right + 0.5 * height
                         and (_open_bracket(glyphs) or key(glyph.char) == "("))
                if same_line or below:
                    glyphs.append(glyph)
                    taken.add(id(glyph))
                    last = glyph
        out.append(Column(spec, found, min(g.x0 for g in glyphs), max(g.x1 for g in glyphs), glyphs))
    return out


def in_groups(header: Header) -> list[Glyph]:
    return [g for group in header.groups for g in group.glyphs]


def _open_bracket(glyphs: list[Glyph]) -> bool:
    text = "".join(flat(g.char) for g in sorted(glyphs, key=lambda g: (round(g.top), g.x0)))
    return text.count("(") > text.count(")")


def _block(header: Header, lines: list[Line]) -> Block | None:
    columns = _columns(header, lines)
    found = [c for c in columns if c.header is not None]
    if not found:
        return None
    header.bottom = max(header.bottom, *(g.bottom for c in found for g in c.glyphs))
    return Block(header, columns, min(c.left for c in found) - 0.5)


# --- figures and their columns ------------------------------------------------------------


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


# --- finding a table's lines --------------------------------------------------------------


def _split(line: Line, value_left: float) -> tuple[list[Glyph], list[Glyph]]:
    label = [g for g in line.glyphs if (g.x0 + g.x1) / 2 < value_left]
    return label, [g for g in line.glyphs if (g.x0 + g.x1) / 2 >= value_left]


def _is_data(line: Line, block: Block, labels: LabelColumns | None) -> bool:
    """A line that holds a placed figure, or a label that starts a row."""
    label, values = _split(line, block.value_left)
    if any(run_kind(r.text) == "figure" and place(r, block.columns) is not None for r in value_runs(values)):
        return True
    text = "".join(g.char for g in label)
    return bool(label) and Label.starts_row(text)


def _belongs(line: Line, above: Line | None, block: Block, height: float) -> bool:
    """Whether a line below the header goes on with the table: figures and blank marks in
    the value area, labels in the label area, and no wide gap or section heading before it."""
    label, values = _split(line, block.value_left)
    runs = value_runs(values)
    if any(run_kind(run.text) == "text" for run in runs):
        return False
    gap = line.top - above.bottom if above is not None else 0.0
    if not runs:
        text = "".join(g.char for g in label)
        return gap <= 0.9 * height and heading_section(text) is None
    return gap <= 2.5 * height


def _header_goes_on(line: Line, above: Line | None, block: Block, height: float) -> bool:
    """A line under the header's words that is still header: a tall cell's rest, right
    under the line above, its words within the table (the corner note, a unit)."""
    if _belongs(line, above, block, height):
        return True
    gap = line.top - above.bottom if above is not None else 0.0
    right = max(c.right for c in block.columns if c.header is not None)
    return gap <= _ADJACENT_LINES * height and line.right <= right + height and heading_section(line.text) is None


@dataclass
class PageResult:
    """What ``read_tables`` gives for a page: its tables, the lines left for the text, and
    the findings of the tables it could not read (each at its first line, if known)."""

    tables: list[Unruled]
    lines: list[Line]
    refused: list[tuple[Note, Line | None]]


@dataclass
class _Region:
    kind: str
    blocks: list[Block]
    lines: list[Line]
    continued: bool  # from the page before
    open_end: bool = False  # reaches the foot of the page


def _header_lines(header: Header, lines: list[Line], start: int) -> int:
    """The index of the first line under the header band that is not part of it."""
    index = start
    while index < len(lines) and lines[index].top < header.bottom - 0.3 * (lines[index].height or 1):
        index += 1
    return index


def _regions(lines: list[Line], headers: list[Header], model: Model | None) -> list[_Region]:
    """The page's tables: the lines each one holds, block by block."""
    regions: list[_Region] = []
    used = 0
    height = _height(lines)
    repeated: Header | None = None
    if model is not None:
        block = model.block
        skip, repeated = _repeated_header(lines, headers, model)
        index, above = skip, None
        while index < len(lines) and not _starts_header(lines[index], headers) and not is_block_title(
                lines[index].text) and _belongs(lines[index], above, block, model.height):
            above = lines[index]
            index += 1
        if index > skip:
            region = _Region(model.kind, [Block(block.header, block.columns, block.value_left,
                                                lines=lines[skip:index])], lines[:index], continued=True,
                             open_end=index >= len(lines))
            regions.append(region)
            used = index
        else:
            repeated = None
    pending = [h for h in headers if h is not repeated]
    while pending:
        header = pending.pop(0)
        start = next((i for i in range(used, len(lines)) if lines[i].bottom > header.top + 0.3 * lines[i].height),
                     None)
        if start is None:
            continue
        block = _block(header, lines)
        if block is None:
            continue
        title: list[Line] = []
        if header.kind == PROACTIVE and start > used and is_block_title(lines[start - 1].text):
            start -= 1
            title = [lines[start]]
        region = _Region(header.kind, [], [], continued=False)
        index = _take_block(lines, start + len(title), block, header, title, region, height, pending)
        while header.kind == PROACTIVE and index < len(lines):  # the next 第二十条 block
            nxt = _next_block(lines, index, pending)
            if nxt is None:
                break
            title_lines, following = nxt
            pending.remove(following)
            block = _block(following, lines)
            if block is None:
                break
            header = following
            index = _take_block(lines, index + len(title_lines), block, header, title_lines, region, height,
                                pending)
        if not any(b.lines for b in region.blocks) and index < len(lines):
            continue  # a header with nothing under it: words in the prose, not a table
        region.open_end = index >= len(lines)
        regions.append(region)
        used = index
    return regions


def _repeated_header(lines: list[Line], headers: list[Header], model: Model) -> tuple[int, Header | None]:
    """How many lines at the top of a page repeat the header of the table the page before
    ended with (Word's "repeat as header row", a browser's ``<thead>``), and that header.
    Only a header of the same table whose columns stand where the table's columns stood:
    for table 二, its first block's header (a title and header of another block begin
    that block)."""
    title = 1 if model.kind == PROACTIVE and lines and is_block_title(lines[0].text) else 0
    if len(lines) <= title:
        return 0, None
    header = next((h for h in headers if h.kind == model.kind and _starts_header(lines[title], [h])), None)
    if header is None or (model.kind == PROACTIVE and tuple(leaf.key for leaf in header.leaves) not in (
            model.first, *_FIRST_BLOCKS)):
        return 0, None
    block = _block(header, lines)
    if block is None:
        return 0, None
    for column in model.block.columns:
        if column.header is not None and not any(
                other.header is not None and min(abs(other.left - column.left), abs(other.centre - column.centre),
                                                 abs(other.right - column.right)) <= _REPEAT_TOLERANCE
                for other in block.columns):
            return 0, None
    others = [h for h in headers if h is not header]
    index = _header_lines(header, lines, title)
    while index < len(lines) and not _is_data(lines[index], block, None) and not is_block_title(
            lines[index].text) and not _starts_header(lines[index], others) and _header_goes_on(
            lines[index], lines[index - 1] if index > title else None, block, model.height):
        index += 1
    return index, header


def _dangling_title(lines: list[Line], moved: list[Line], headers: list[Header]) -> list[Line]:
    """A block title of table 二 that ended the page before (``moved`` to this page's top),
    above the table's first header repeated here (its first block's title and header, as a
    browser repeats a ``<thead>``): the title is the next block's, whose header follows
    the repeat. Set it there, so that block is read with its title and nothing is left out."""
    if len(moved) != 1 or not is_block_title(moved[0].text) or len(lines) < 3 or not is_block_title(lines[1].text):
        return lines
    proactive = [h for h in headers if h.kind == PROACTIVE]
    if len(proactive) < 2 or not _starts_header(lines[2], proactive[:1]) or tuple(
            leaf.key for leaf in proactive[0].leaves) not in _FIRST_BLOCKS:
        return lines
    following = next((i for i in range(3, len(lines)) if _starts_header(lines[i], proactive[1:2])), None)
    if following is None or any(_is_data(line, block, None) for line in lines[3:following]
                                for block in filter(None, [_block(proactive[0], lines)])):
        return lines  # the repeated header has rows of its own: not a repeat
    title = moved[0]  # a copy made for this page: moved again, it keeps its origin
    delta = lines[following].top - title.bottom - 0.3 * title.height
    title.glyphs = [g._replace(top=g.top + delta, bottom=g.bottom + delta) for g in title.glyphs]
    title.top, title.bottom = title.top + delta, title.bottom + delta
    return [*lines[1:following], title, *lines[following:]]


def _starts_header(line: Line, headers: list[Header]) -> bool:
    return any(line.top - 0.3 * line.height <= h.top <= line.bottom for h in headers)


def _next_block(lines: list[Line], index: int, pending: list[Header]) -> tuple[list[Line], Header] | None:
    """The next block of table 二 right below: its title line (if any) and its header."""
    title = [lines[index]] if is_block_title(lines[index].text) else []
    at = index + len(title)
    if at >= len(lines):
        return None
    following = next((h for h in pending if h.kind == PROACTIVE
                      and lines[at].top - 0.3 * lines[at].height <= h.top <= lines[at].bottom), None)
    return (title, following) if following is not None else None


def _take_block(lines: list[Line], start: int, block: Block, header: Header, title: list[Line],
                region: _Region, height: float, pending: list[Header]) -> int:
    """Add a block's title, header and data lines to the region; the index after them."""
    block.title = title
    index = _header_lines(header, lines, start)
    while index < len(lines) and not _is_data(lines[index], block, None) and _header_goes_on(
            lines[index], lines[index - 1] if index > start else None, block, height) and not _starts_header(
            lines[index], pending):
        index += 1  # the rest of a tall header cell (the corner note of table 三)
    block.header_lines = lines[start:index]
    first = index
    while index < len(lines) and not _starts_header(lines[index], pending) and not is_block_title(
            lines[index].text) and _belongs(lines[index], lines[index - 1] if index > first else None, block, height):
        index += 1
    block.lines = lines[first:index]
    region.blocks.append(block)
    region.lines.extend(title + block.header_lines + block.lines)
    return index


# --- the page ----------------------------------------------------------------------------


def read_tables(pages: list[tuple[PageContent, list[Line], list[Segment]]]) -> list[PageResult]:
    """For each page (its body lines and the rules no ruled table took): its tables without
    ruling lines and the lines left for the text. First every page's table lines are found
    (a table at a page's foot runs on at the top of the next); then each table is built
    with label columns measured over all its pages, the same on each."""
    found: list[list[_Region]] = []
    consumed: list[set[int]] = []  # lines a table on the next page took (its header began here)
    carried: Model | None = None
    moved: list[Line] = []
    origin: dict[int, Line] = {}  # a moved line's copy -> the line on its own page
    origin_of: set[int] = set()  # every moved copy, on any page
    for number, (_, lines, _) in enumerate(pages):
        work = moved + lines
        headers = find_headers(work) if carried is not None or _worth_looking(work) else []
        work = _dangling_title(work, moved, headers)
        regions = _regions(work, headers, carried) if headers or carried is not None else []
        consumed.append(set())
        for region in regions:
            consumed[number - 1].update(id(origin[id(line)]) for line in region.lines if id(line) in origin)
        last = regions[-1] if regions else None
        if last is not None and last.open_end and not any(b.lines for b in last.blocks):
            regions.pop()  # a header cut by the page break: read with its rest on the next page
            last = None
        found.append(regions)
        first = carried.first if carried is not None and last is not None and last.continued and len(
            regions) == 1 else ()
        carried = None
        if last is not None and last.open_end:
            first = first or tuple(leaf.key for leaf in last.blocks[0].header.leaves)
            carried = Model(last.kind, last.blocks[-1], height=_height(last.lines), first=first)
        moved, origin = [], {}
        if carried is None and number + 1 < len(pages) and pages[number + 1][1]:
            # The page's last lines after its tables, set just above the next page's first
            # line: a header that starts here and goes on there is found whole.
            end = max((work.index(region.lines[-1]) + 1 for region in regions), default=0)
            tail = [line for line in work[end:] if id(line) not in {id(m) for m in moved}][-_TAIL:]
            tail = [line for line in tail if any(line is own for own in lines)]
            if tail:
                gaps = sorted(b.top - a.bottom for a, b in itertools.pairwise(tail)) or [0.0]
                offset = pages[number + 1][1][0].top - max(0.0, gaps[len(gaps) // 2]) - tail[-1].bottom
                for line in tail:
                    copy = _shifted(line, offset)
                    moved.append(copy)
                    origin[id(copy)] = line
                    origin_of.add(id(copy))
    page_rules = {id(region): rules for (_, _, rules), regions in zip(pages, found, strict=True) for region in regions}
    tables: list[list[_Region]] = []  # regions of one table, page after page
    for regions in found:
        for region in regions:
            if region.continued and tables:
                tables[-1].append(region)
            else:
                tables.append([region])
    built: dict[int, Unruled] = {}
    refused: dict[int, tuple[Note, Line | None]] = {}  # first region of a table not read -> its finding
    for parts in tables:
        lines = [line for region in parts for line in region.lines]
        model = Model(parts[0].kind, parts[0].blocks[0], None, min(line.left for line in lines),
                      max(line.right for line in lines), _height(lines))
        model.labels = LabelColumns.find([b for region in parts for b in region.blocks], model.height)
        mine: dict[int, Unruled | None] = {}
        carried: dict[int, int] = {}
        for region in parts:
            mine[id(region)] = _build(region, model, page_rules[id(region)], carried)
            carried = mine[id(region)].carried if mine[id(region)] is not None else {}
        doubts = [table.doubt for table in mine.values() if table is not None and table.doubt]
        if doubts:  # not read at all: its lines stay text, and a finding says why
            own = [line for line in parts[0].lines if id(line) not in origin_of]
            refused[id(parts[0])] = _refusal(parts[0].kind, doubts[0], own)
            continue
        built.update({key: table for key, table in mine.items() if table is not None})
    strays = _strays(pages, found, consumed, built, refused) if any(found) else [[] for _ in pages]
    out: list[PageResult] = []
    for (page, lines, _), regions, taken, stray in zip(pages, found, consumed, strays, strict=True):
        mine: list[Unruled] = []
        notes = [refused[id(region)] for region in regions if id(region) in refused] + stray
        for region in regions:
            table = built.get(id(region))
            if table is None:
                continue
            table.table.page = page.number
            mine.append(table)
            taken.update(id(line) for line in region.lines)
        out.append(PageResult(mine, [line for line in lines if id(line) not in taken], notes))
    return out


_TABLE_NAMES = {PROACTIVE: "表二（主动公开）", APPLICATIONS: "表三（依申请公开）", REVIEW: "表四（复议诉讼）"}


def _refusal(kind: str, doubt: str, lines: list[Line]) -> tuple[Note, Line | None]:
    """The finding for a table not read (``TABLE_MISSING``), at its first line on its page."""
    message = (f"PDF 中的{_TABLE_NAMES.get(kind, '表格')}没有框线，{doubt}，无法确定每个数字属于哪一行哪一列；"
               "不作猜测，这张表（或其中这一部分）未读取，其数字按空白处理。请核对原文，或找到报告的 .docx、网页版本。")
    return Note("TABLE_MISSING", message, kind), (lines[0] if lines else None)


def _strays(pages: list[tuple[PageContent, list[Line], list[Segment]]], found: list[list[_Region]],
            consumed: list[set[int]], built: dict[int, Unruled],
            refused: dict[int, tuple[Note, Line | None]]) -> list[list[tuple[Note, Line]]]:
    """Rows of a table left in the text, page by page: a line that is a row of the form (one
    of its whole labels, then a figure or its start) or a block title of table 二, outside every table
    read. Where tables without lines were read, such a line is part of one the reader missed
    (a header it did not find, a page break it did not see across): that table gets a
    finding, so that its blanks are never taken for the report's."""
    told = {note.where for note, _ in refused.values()}
    taken = {id(line) for regions in found for region in regions if id(region) in built
             for line in region.lines}.union(*consumed)
    kinds = known_by_table()
    read = {region.kind for regions in found for region in regions if id(region) in built}
    out: list[list[tuple[Note, Line]]] = []
    for _, lines, _ in pages:
        out.append([])
        for line in lines:
            if id(line) in taken:
                continue
            kind = PROACTIVE if is_block_title(line.text) else None
            if kind is None:
                runs = value_runs(line.glyphs)
                first = next((i for i, run in enumerate(runs) if run.text.lstrip("-")[:1].isdigit()), None)
                if first:
                    kind = kinds.get(core("".join(run.text for run in runs[:first])))
            if kind is not None and kind not in told:
                told.add(kind)
                row = f"“{line.text.strip()[:30]}”一行没有读入表格"
                if kind in read:  # the figures read stay: only what this part held is blank
                    message = (f"PDF 中的{_TABLE_NAMES[kind]}没有框线，{row}，这一部分可能没有认出，其中的数字"
                               "按空白处理；表中已读入的数字照常使用。请核对原文，或找到报告的 .docx、网页版本。")
                    out[-1].append((Note("TABLE_MISSING", message, kind), line))
                else:
                    out[-1].append((_refusal(kind, row, [line])[0], line))
    return out


def _shifted(line: Line, offset: float) -> Line:
    glyphs = [g._replace(top=g.top + offset, bottom=g.bottom + offset) for g in line.glyphs]
    return Line(glyphs, line.left, line.right, line.top + offset, line.bottom + offset, line.text)


def _worth_looking(lines: list[Line]) -> bool:
    """Whether the page may hold a table: a line with two figures apart, or a header word."""
    for line in lines:
        runs = value_runs(line.glyphs)
        if sum(run_kind(r.text) == "figure" for r in runs) >= 2 or any(
                w in line.text for w in ("信息内容", "申请人情况", "行政复议", "结果维持", "自然人")):
            return True
    return False


def _build(region: _Region, model: Model, rules: list[Segment], carried: dict[int, int]) -> Unruled | None:
    """Rows and cells of one region (``rows.build_rows``), as a ``PageTable``; ``carried``:
    the sub-row numbers the table's part on the page before ended with."""
    labels = model.labels or LabelColumns([], [])
    left, right, height = model.left, model.right, model.height
    rows_out: list[TableRow] = []
    notes: list[Note] = []
    cell_lines: list[Line] = []
    doubt = ""
    width = len(labels.starts)
    ended: dict[int, int] = {}
    for number, block in enumerate(region.blocks):
        ended = {}
        if block.title:
            cell = _cell([g for line in block.title for g in line.glyphs], left, right, width + len(block.columns))
            rows_out.append(TableRow([(cell, True)]))
            cell_lines.extend(cell.lines)
        if block.header_lines or (number == 0 and not region.continued):
            header_rows = _header_rows(region.kind, block, labels, left, right)
            rows_out.extend(header_rows)
            cell_lines.extend(line for row in header_rows for cell, starts in row.cells if starts
                              for line in cell.lines)
        if not block.lines:
            continue
        band = [r for r in rules if block.lines[0].top - 2 <= r.at <= block.lines[-1].bottom + 2]
        open_top = region.continued and number == 0
        rows = build_rows(block.lines, block.value_left, block.columns, labels, height, band,
                          open_top=open_top, open_bottom=region.open_end and number == len(region.blocks) - 1,
                          carried=carried if open_top else None)
        ended = carried_numbers(rows)
        emitted, block_notes = _data_rows(rows, block, labels, left, right, region.kind)
        doubt = doubt or _doubt(rows, open_top, region.kind, carried if open_top else {}) or _misplaced(rows, block)
        unfound = [column.spec.label or column.spec.key for column in block.columns if column.header is None]
        if unfound and not doubt:  # its figures would be read by the form's order: not certain
            doubt = f"表头中找不到“{unfound[0]}”一列"
        rows_out.extend(emitted)
        notes.extend(block_notes)
        cell_lines.extend(line for row in emitted for cell, starts in row.cells if starts for line in cell.lines)
    if not rows_out:
        return None
    table = PageTable(rows_out, left, right, 0, 0.0, notes)
    return Unruled(table, cell_lines, min(line.top for line in region.lines), doubt, ended)


def _numbering(rows: list[DataRow], open_top: bool, carried: dict[int, int]) -> str:
    """The sub-rows beside each merged label are numbered 1, 2, 3 … (from where the page
    before left off, at the top of a continued page): a merged label set over rows of
    another (``（六）其他处理`` beside ``5.``) shows which row a label was put beside wrongly."""
    children: dict[int, list[int]] = {}
    groups: dict[int, Group] = {}
    columns: dict[int, int] = {}
    for row in rows:
        group = row.groups[row.first - 1] if 0 < row.first <= len(row.groups) else None
        number = sub_number(row)
        if group is not None and number is not None:
            children.setdefault(id(group), []).append(number)
            groups[id(group)] = group
            columns[id(group)] = row.first - 1
    for ident, numbers in children.items():
        start = 1
        if open_top and groups[ident].first_row is rows[0] and numbers[0] != 1:
            known = carried.get(columns[ident])
            start = known + 1 if known is not None else numbers[0]
        if numbers != list(range(start, start + len(numbers))):
            return f"合并行名旁的小项编号为 {'、'.join(map(str, numbers))}"
    return ""


def _doubt(rows: list[DataRow], open_top: bool, kind: str, carried: dict[int, int]) -> str:
    """Why the rows themselves may be wrong (empty if they hold). A label that does not
    begin as a label of the form begins (numbered, or one of its whole labels) is the rest
    of a cell cut in two, or figures taken for words (``于国家秘密``, ``提供``, ``-1``): on
    a row with figures of its own, or as a merged label over rows, which row a figure is in
    is then a guess. Allowed: a label's rest without figures (a label that wrapped, or
    was cut by the page break, goes on from the row above), and at the top of a page a
    merged label's rest over the rows the page before began (elsewhere a row beside an empty
    merged label is in doubt: its label's place was not found); in table 二, the agency's own
    names of a known row's sub-rows (``行政检查`` under ``其他对外管理服务事项``) if they
    hold no digit."""
    for row in rows:
        text = row.label_text()
        sub_row = kind == PROACTIVE and any(row.groups) and not any(char.isdigit() for char in text)
        if text.strip() and row.values and not sub_row and not Label.starts_row(text):
            return f"标签“{text}”不是表中的行名"
        for group in row.groups:
            if group is None or (open_top and group.first_row is rows[0]):
                continue
            text = "".join(line.text for line in make_lines(group.glyphs))
            if not text.strip():  # a row set beside no merged label: where its label is, is a guess
                return f"“{row.label_text() or '一行'}”旁边没有合并的行名"
            if not Label.starts_row(text):
                return f"标签“{text}”不是表中的行名"
    return _numbering(rows, open_top, carried)


@lru_cache(maxsize=1)
def _proactive_columns() -> dict[str, list[frozenset[str]]]:
    """Each row label of table 二 (``core`` words) -> the columns its block has, per form."""
    out: dict[str, list[frozenset[str]]] = {}
    for rows in PROACTIVE_ROWS.values():
        for spec, columns in rows:
            for phrase in spec.phrases:
                out.setdefault(phrase, []).append(frozenset(columns))
    return out


def _misplaced(rows: list[DataRow], block: Block) -> str:
    """A row of table 二 under a header that is not its block's (``行政强制`` under the
    first block's 本年新制作数量 …: a header repeated on a new page that was not seen as
    one): its figures would be read into another block's columns."""
    if block.header.kind != PROACTIVE:
        return ""
    found = {column.spec.key for column in block.columns if column.header is not None}
    for row in rows:
        wanted = _proactive_columns().get(core(row.label_text()))
        if wanted and row.values and not any(columns <= found for columns in wanted):
            return f"“{row.label_text()}”一行不在它所属的表头之下"
    return ""


def _cell(glyphs: list[Glyph], left: float, right: float, colspan: int) -> TableCell:
    return TableCell(make_lines(glyphs), left, right, colspan)


def _header_rows(kind: str, block: Block, labels: LabelColumns, left: float, right: float) -> list[TableRow]:
    """The header as the form draws it, with the words the page prints in each cell: the
    text format's rows of a multi-level header (``headers`` found each cell)."""
    corner_glyphs = [g for line in block.header_lines for g in line.glyphs
                     if (g.x0 + g.x1) / 2 < block.value_left]
    width = len(labels.starts)
    corner = _cell(corner_glyphs, left, labels.right, max(1, width)) if width else None
    cells: dict[int, TableCell] = {}
    for column in block.columns:
        cells[id(column.spec)] = _cell(column.glyphs, *column_bounds(block, column), 1)
    if kind == PROACTIVE:
        row = [(corner, True)] if corner is not None else []
        return [TableRow(row + [(cells[id(c.spec)], True) for c in block.columns])]
    tree = APPLICANT_COLUMNS if kind == APPLICATIONS else REVIEW_COLUMNS
    found_groups = {id(g.node): g for g in block.header.groups}
    levels: list[list[tuple[TableCell, bool]]] = []
    _tree_rows(tree, 0 if tree.phrases else -1, levels, cells, found_groups, block)
    depth = len(levels)
    rows: list[TableRow] = []
    for level in range(depth):
        row = [(corner, level == 0)] if corner is not None else []
        rows.append(TableRow(row + levels[level]))
    return rows


def _tree_rows(node: ColumnSpec | ColumnGroup, level: int, levels: list[list[tuple[TableCell, bool]]],
               cells: dict[int, TableCell], groups: dict[int, Found], block: Block) -> None:
    """Fill each header level's cells: a node's cell on its level; below a column's own
    cell, the placeholder of a cell merged from above, as the text format has it."""
    depth = _depth(node) + level
    while len(levels) < depth:
        levels.append([])
    if isinstance(node, ColumnSpec):
        cell = cells[id(node)]
        levels[level].append((cell, True))
        for below in range(level + 1, len(levels)):
            levels[below].append((cell, False))
        return
    if level >= 0:
        found = groups.get(id(node))
        lefts = [column_bounds(block, c) for c in block.columns if id(c.spec) in _leaf_ids(node)]
        span = (min(a for a, _ in lefts), max(b for _, b in lefts)) if lefts else (0.0, 0.0)
        levels[level].append((_cell(found.glyphs if found else [], *span, len(lefts)), True))
    for child in node.children:
        _tree_rows(child, level + 1, levels, cells, groups, block)


def _depth(node: ColumnSpec | ColumnGroup) -> int:
    if isinstance(node, ColumnSpec):
        return 1
    return 1 + max(_depth(child) for child in node.children)


def _leaf_ids(node: ColumnGroup) -> set[int]:
    return {id(leaf) for _, leaf in node.leaves()}


def column_bounds(block: Block, column: Column) -> tuple[float, float]:
    """Where a value column's cells are taken to stand: halfway to the next column's header
    on either side (the same on every page, so that a continued table lines up)."""
    found = [c for c in block.columns if c.header is not None]
    if column.header is None:
        return (0.0, 0.0)
    index = found.index(column)
    left = (found[index - 1].right + column.left) / 2 if index else column.left
    right = (column.right + found[index + 1].left) / 2 if index + 1 < len(found) else column.right
    return left, right


def _data_rows(rows: list[DataRow], block: Block, labels: LabelColumns, left: float, right: float,
               kind: str) -> tuple[list[TableRow], list[Note]]:
    """The rows of cells: merged label cells, each row's own label, one cell per column."""
    width = len(labels.starts)
    notes: list[Note] = []
    out: list[TableRow] = []
    group_cells = {id(group): _cell(group.glyphs, *labels.bounds(group.column, group.column), 1)
                   for group in (g for row in rows for g in row.groups if g is not None)}
    for row in rows:
        cells: list[tuple[TableCell, bool]] = []
        for group in row.groups:
            if group is not None:
                cells.append((group_cells[id(group)], group.first_row is row))
        if width:
            own = row.own_glyphs()
            cells.append((_cell(own, *labels.bounds(min(row.first, width - 1), width - 1), width - row.first),
                          True))
        values: dict[int, list[Glyph]] = {}
        if not row.problem:
            for run in row.runs():
                if run.column is not None:
                    values.setdefault(run.column, []).extend(run.glyphs)
        for index, column in enumerate(block.columns):
            a, b = column_bounds(block, column)
            cells.append((_cell(values.get(index, []), a, b, 1), True))
        out.append(TableRow(cells))
        if row.problem:
            notes.append(_note(row, kind, out[-1]))
    return out, notes


def _note(row: DataRow, kind: str, emitted: TableRow) -> Note:
    label = row.label_text()
    raw = [run.text for run in row.runs()]
    shown = f"“{label}”一行" if label else "一行"
    return Note("VALUES_SHORT", f"PDF 中的表格没有框线，{shown}的数字（{' '.join(raw)}）{row.problem}，"
                "无法确定各属哪一列；不作猜测，该行按空白处理，原文列入附加行。",
                kind, emitted, raw, label)


def bisect_column(starts: list[float], x: float) -> int:
    return max(0, bisect_right(starts, x + 1.5) - 1)
