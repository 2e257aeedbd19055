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

This module finds each table's lines, page after page: under a header while they hold
figures and labels, and on at the top of the next page where a table ran to the foot of one
(a header repeated there skipped). The steps after it read one way: ``columns`` (where the
value columns stand), ``cells`` (figures into columns), ``label_columns`` and ``rows`` (rows
from the labels), ``merged`` (the merged labels' rows), ``assemble`` (the table's cells and
what is in doubt). ``layout`` joins a table's parts on two pages like a ruled table's
(``join``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from giro_site.forms.spec import (
    PROACTIVE_COLUMNS,
)
from giro_site.labels import core
from giro_site.prose.sections import heading_section
from giro_site.readers.pdf.assemble import TABLE_NAMES, Model, Region, Unruled, build_table, refusal
from giro_site.readers.pdf.cells import place, run_kind, value_runs
from giro_site.readers.pdf.columns import Block, make_block, usual_height
from giro_site.readers.pdf.extract import Glyph, PageContent, Segment
from giro_site.readers.pdf.headers import PROACTIVE, Header, find_headers, is_block_title
from giro_site.readers.pdf.label_columns import LabelColumns
from giro_site.readers.pdf.parts import Note
from giro_site.readers.pdf.rows import Label, known_by_table
from giro_site.readers.pdf.text import Line

_ADJACENT_LINES = 0.6  # lines of one cell are less than this many glyph heights apart


_FIRST_BLOCKS = tuple(tuple(column.key for column in columns[:3]) for columns in PROACTIVE_COLUMNS.values())


_REPEAT_TOLERANCE = 3.0  # points: a repeated header's columns stand where the table's stood


_TAIL = 12  # lines at a page's foot looked at again with the next page (a header cut by the break)


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


def _header_lines(header: Header, lines: list[Line], start: int) -> int:
    """The index of the first line under the header band that is not part of it."""
    index = start
    while index < len(lines) and lines[index].top < header.bottom - 0.3 * (lines[index].height or 1):
        index += 1
    return index


def _regions(lines: list[Line], headers: list[Header], model: Model | None) -> list[Region]:
    """The page's tables: the lines each one holds, block by block."""
    regions: list[Region] = []
    used = 0
    height = usual_height(lines)
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
            region = Region(model.kind, [Block(block.header, block.columns, block.value_left,
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
        block = make_block(header, lines)
        if block is None:
            continue
        title: list[Line] = []
        if header.kind == PROACTIVE and start > used and is_block_title(lines[start - 1].text):
            start -= 1
            title = [lines[start]]
        region = Region(header.kind, [], [], continued=False)
        index = _take_block(lines, start + len(title), block, header, title, region, height, pending)
        while header.kind == PROACTIVE and index < len(lines):  # the next 第二十条 block
            nxt = _next_block(lines, index, pending)
            if nxt is None:
                break
            title_lines, following = nxt
            pending.remove(following)
            block = make_block(following, lines)
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
    block = make_block(header, lines)
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
                                for block in filter(None, [make_block(proactive[0], lines)])):
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
                region: Region, height: float, pending: list[Header]) -> int:
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


def read_tables(pages: list[tuple[PageContent, list[Line], list[Segment]]]) -> list[PageResult]:
    """For each page (its body lines and the rules no ruled table took): its tables without
    ruling lines and the lines left for the text. First every page's table lines are found
    (a table at a page's foot runs on at the top of the next); then each table is built
    with label columns measured over all its pages, the same on each."""
    found: list[list[Region]] = []
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
            carried = Model(last.kind, last.blocks[-1], height=usual_height(last.lines), first=first)
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
    tables: list[list[Region]] = []  # regions of one table, page after page
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
                      max(line.right for line in lines), usual_height(lines))
        model.labels = LabelColumns.find([b for region in parts for b in region.blocks], model.height)
        mine: dict[int, Unruled | None] = {}
        carried: dict[int, int] = {}
        for region in parts:
            mine[id(region)] = build_table(region, model, page_rules[id(region)], carried)
            carried = mine[id(region)].carried if mine[id(region)] is not None else {}
        doubts = [table.doubt for table in mine.values() if table is not None and table.doubt]
        if doubts:  # not read at all: its lines stay text, and a finding says why
            own = [line for line in parts[0].lines if id(line) not in origin_of]
            refused[id(parts[0])] = refusal(parts[0].kind, doubts[0], own)
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


def _strays(pages: list[tuple[PageContent, list[Line], list[Segment]]], found: list[list[Region]],
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
                    message = (f"PDF 中的{TABLE_NAMES[kind]}没有框线，{row}，这一部分可能没有认出，其中的数字"
                               "按空白处理；表中已读入的数字照常使用。请核对原文，或找到报告的 .docx、网页版本。")
                    out[-1].append((Note("TABLE_MISSING", message, kind), line))
                else:
                    out[-1].append((refusal(kind, row, [line])[0], line))
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

