"""A table without ruling lines as cells: its rows (``rows``, ``merged``) with the header as the
form draws it, one cell per value column, and a finding for what is in doubt. Precision
first: a row whose figures cannot be put in columns keeps blanks and a ``VALUES_SHORT`` note;
a table whose rows may be wrong (a label that is not one of the form's, a row beside an empty
merged label, sub-rows not numbered 1, 2, 3 …, a row under another block's header) is not
read at all (``Unruled.doubt``), and ``refusal`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_COLUMNS,
    ColumnGroup,
    ColumnSpec,
)
from giro_site.labels import core
from giro_site.readers.pdf.cells import cell_of
from giro_site.readers.pdf.columns import Block, column_bounds
from giro_site.readers.pdf.extract import Glyph, Segment
from giro_site.readers.pdf.headers import APPLICATIONS, PROACTIVE, REVIEW, Found
from giro_site.readers.pdf.label_columns import LabelColumns
from giro_site.readers.pdf.merged import carried_numbers, merged_labels, sub_number
from giro_site.readers.pdf.parts import Note, PageTable, TableCell, TableRow
from giro_site.readers.pdf.rows import DataRow, Group, Label, build_rows
from giro_site.readers.pdf.text import Line, make_lines


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
class Region:
    """The lines of one table on one page, block by block (``unruled`` finds them)."""

    kind: str
    blocks: list[Block]
    lines: list[Line]
    continued: bool  # from the page before
    open_end: bool = False  # reaches the foot of the page


@dataclass
class Unruled:
    """A table read from one page, ready for ``layout``: its rows and every line it holds."""

    table: PageTable
    lines: list[Line]
    top: float
    doubt: str = ""  # why its rows cannot be trusted (then the whole table is not read)
    carried: dict[int, int] = field(default_factory=dict)  # see ``merged.carried_numbers``


def build_table(region: Region, model: Model, rules: list[Segment], carried: dict[int, int]) -> Unruled | None:
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
            cell = cell_of([g for line in block.title for g in line.glyphs], left, right, width + len(block.columns))
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
        rows, merged = build_rows(block.lines, block.value_left, block.columns, labels, height, band)
        merged_labels(rows, merged, labels, height, band, open_top,
                      region.open_end and number == len(region.blocks) - 1, carried if open_top else {})
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


def _header_rows(kind: str, block: Block, labels: LabelColumns, left: float, right: float) -> list[TableRow]:
    """The header as the form draws it, with the words the page prints in each cell: the
    text format's rows of a multi-level header (``headers`` found each cell)."""
    corner_glyphs = [g for line in block.header_lines for g in line.glyphs
                     if (g.x0 + g.x1) / 2 < block.value_left]
    width = len(labels.starts)
    corner = cell_of(corner_glyphs, left, labels.right, max(1, width)) if width else None
    cells: dict[int, TableCell] = {}
    for column in block.columns:
        cells[id(column.spec)] = cell_of(column.glyphs, *column_bounds(block, column), 1)
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
        levels[level].append((cell_of(found.glyphs if found else [], *span, len(lefts)), True))
    for child in node.children:
        _tree_rows(child, level + 1, levels, cells, groups, block)


def _depth(node: ColumnSpec | ColumnGroup) -> int:
    if isinstance(node, ColumnSpec):
        return 1
    return 1 + max(_depth(child) for child in node.children)


def _leaf_ids(node: ColumnGroup) -> set[int]:
    return {id(leaf) for _, leaf in node.leaves()}


def _data_rows(rows: list[DataRow], block: Block, labels: LabelColumns, left: float, right: float,
               kind: str) -> tuple[list[TableRow], list[Note]]:
    """The rows of cells: merged label cells, each row's own label, one cell per column."""
    width = len(labels.starts)
    notes: list[Note] = []
    out: list[TableRow] = []
    group_cells = {id(group): cell_of(group.glyphs, *labels.bounds(group.column, group.column), 1)
                   for group in (g for row in rows for g in row.groups if g is not None)}
    for row in rows:
        cells: list[tuple[TableCell, bool]] = []
        for group in row.groups:
            if group is not None:
                cells.append((group_cells[id(group)], group.first_row is row))
        if width:
            own = row.own_glyphs()
            cells.append((cell_of(own, *labels.bounds(min(row.first, width - 1), width - 1), width - row.first),
                          True))
        values: dict[int, list[Glyph]] = {}
        if not row.problem:
            for run in row.runs():
                if run.column is not None:
                    values.setdefault(run.column, []).extend(run.glyphs)
        for index, column in enumerate(block.columns):
            a, b = column_bounds(block, column)
            cells.append((cell_of(values.get(index, []), a, b, 1), True))
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


TABLE_NAMES = {PROACTIVE: "表二（主动公开）", APPLICATIONS: "表三（依申请公开）", REVIEW: "表四（复议诉讼）"}


def refusal(kind: str, doubt: str, lines: list[Line]) -> tuple[Note, Line | None]:
    """The finding for a table not read (``TABLE_MISSING``), at its first line on its page."""
    message = (f"PDF 中的{TABLE_NAMES.get(kind, '表格')}没有框线，{doubt}，无法确定每个数字属于哪一行哪一列；"
               "不作猜测，这张表（或其中这一部分）未读取，其数字按空白处理。请核对原文，或找到报告的 .docx、网页版本。")
    return Note("TABLE_MISSING", message, kind), (lines[0] if lines else None)

