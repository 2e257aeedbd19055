"""Rows of a table without ruling lines (see ``unruled``), from the vertical positions of
its labels and figures.

* The label area is cut into label columns where label lines start; a line whose glyphs
  run across a column's start is one label spanning both (``一、本年新收…`` over all three).
* A label beside a deeper label (``（三）不予公开`` beside ``1.属于国家秘密`` …) is a merged
  cell over several rows; every other label is a row's own. A row's own label goes on to
  the next line while its line was full (it wrapped) and the next line does not start a
  numbered label (``2.``, ``（四）``); a rule drawn between rows ends it too.
* Each line of figures belongs to the own label beside it, or is a row of its own (a row
  whose label cell is empty). A second line of figures in a row is the wrapped rest of the
  first only where every figure above filled its column; otherwise the row's figures are
  not placed (``DataRow.problem``).
* A merged label covers the rows from where it starts to where the next one in its column
  starts. Where its first row is depends on how the cell's text is set: at the top of the
  cell (Word) or in its middle (a browser). Each column's labels are fitted both ways and
  the better fit is taken.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from giro_site.forms.spec import APPLICATION_GROUPS, APPLICATION_ROWS, PROACTIVE_ROWS
from giro_site.labels import core
from giro_site.readers.pdf.extract import Glyph, Segment
from giro_site.readers.pdf.text import Line, fits_not, make_lines

if TYPE_CHECKING:
    from giro_site.readers.pdf.unruled import Block, Column

_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．](?!\d))")
_ADJACENT = 0.6  # lines of one cell are less than this many glyph heights apart
_BLANK_LINE = 2.2  # a merged label's lines may have an empty line between them (a full one: 2.1)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Whole row and group labels of the forms (``core`` words), not the phrases that
    identify them (``收费通知`` is the middle of a label, not one)."""
    words = {core(spec.label) for spec in APPLICATION_ROWS} | {group[0] for group in APPLICATION_GROUPS}
    for rows in PROACTIVE_ROWS.values():
        for spec, _ in rows:
            words.update(spec.phrases)
    return frozenset(words)


@lru_cache(maxsize=1)
def known_by_table() -> dict[str, str]:
    """Each whole row label of the forms (``core`` words) -> the table it is a row of."""
    out = {core(spec.label): "applications" for spec in APPLICATION_ROWS if spec.label}
    for rows in PROACTIVE_ROWS.values():
        for spec, _ in rows:
            out.update(dict.fromkeys(spec.phrases, "proactive"))
    return out


class Label:
    @staticmethod
    def starts_row(text: str, ahead: str = "") -> bool:
        """A label that begins a row or a merged label: numbered (``ahead``: with the next
        lines, for a number set over two), or one of the form's whole labels."""
        return bool(_NUMBERED.match(ahead or text)) or core(text) in _known()


@dataclass
class ValueRun:
    """Characters set close together in the value area: a figure, a blank mark, a unit."""

    glyphs: list[Glyph]
    column: int | None = None
    kind: str = ""

    def add(self, glyph: Glyph) -> None:
        self.glyphs.append(glyph)

    @property
    def left(self) -> float:
        return self.glyphs[0].x0

    @property
    def right(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def text(self) -> str:
        from giro_site.readers.pdf.text import normal_char

        return "".join(normal_char(g.char) for g in self.glyphs)


@dataclass(eq=False)
class Piece:
    """A line's part in the label area: one label column's, or several where it spans."""

    line: Line
    first: int
    last: int
    deeper: bool = False  # another label stands beside it further right
    values: list[ValueRun] | None = None  # the figures on its line

    @property
    def top(self) -> float:
        return self.line.top

    @property
    def bottom(self) -> float:
        return self.line.bottom

    @property
    def centre(self) -> float:
        return (self.line.top + self.line.bottom) / 2


@dataclass(eq=False)
class LabelBlock:
    """Consecutive pieces of one cell."""

    pieces: list[Piece]

    @property
    def first(self) -> int:
        return self.pieces[0].first

    @property
    def last(self) -> int:
        return max(p.last for p in self.pieces)

    @property
    def top(self) -> float:
        return self.pieces[0].top

    @property
    def bottom(self) -> float:
        return self.pieces[-1].bottom

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(eq=False)
class Group:
    """A merged label cell: its column, its glyphs and the first row it covers."""

    column: int
    glyphs: list[Glyph]
    first_row: DataRow | None = None


@dataclass(eq=False)
class DataRow:
    own: LabelBlock | None
    first: int  # the label column the row's own label starts in
    values: list[list[ValueRun]] = field(default_factory=list)  # lines of figures
    groups: list[Group | None] = field(default_factory=list)  # for each label column before ``first``
    problem: str = ""

    @property
    def top(self) -> float:
        tops = [r.top for line in self.values for r in line]
        if self.own is not None:
            tops.append(self.own.top)
        return min(tops)

    @property
    def bottom(self) -> float:
        bottoms = [r.bottom for line in self.values for r in line]
        if self.own is not None:
            bottoms.append(self.own.bottom)
        return max(bottoms)

    def runs(self) -> list[ValueRun]:
        return [run for line in self.values for run in line]

    def own_glyphs(self) -> list[Glyph]:
        return [g for piece in self.own.pieces for g in piece.line.glyphs] if self.own else []

    def label_text(self) -> str:
        return "".join(piece.line.text for piece in self.own.pieces) if self.own else ""

    def first_line(self) -> Line | None:
        if self.own is not None:
            return self.own.pieces[0].line
        return None


@dataclass
class LabelColumns:
    """Where each label column starts and where its text ends."""

    starts: list[float]
    rights: list[float]

    @property
    def right(self) -> float:
        return self.rights[-1] if self.rights else 0.0

    def column(self, x: float) -> int:
        return max(0, bisect_right(self.starts, x + 1.5) - 1)

    def bounds(self, first: int, last: int) -> tuple[float, float]:
        return self.starts[first], self.rights[last]

    @classmethod
    def find(cls, blocks: list[Block], height: float) -> LabelColumns:
        """Label columns start where label lines start (or after a wide gap in one)."""
        starts: list[float] = []
        for block in blocks:
            for line in block.lines:
                glyphs = [g for g in line.glyphs if (g.x0 + g.x1) / 2 < block.value_left and not g.char.isspace()]
                if not glyphs:
                    continue
                starts.append(glyphs[0].x0)
                for index, (a, b) in enumerate(itertools.pairwise(glyphs), start=1):
                    gap = b.x0 - a.x1
                    numbered = gap > 0.2 * height and _NUMBERED.match("".join(g.char for g in glyphs[index:index + 6]))
                    if gap > 1.2 * height or numbered:
                        starts.append(b.x0)
        clusters: list[list[float]] = []
        for x in sorted(starts):
            if clusters and x - clusters[-1][-1] <= 2.0:
                clusters[-1].append(x)
            else:
                clusters.append([x])
        columns = cls([min(c) for c in clusters], [])
        columns.rights = [0.0] * len(columns.starts)
        for block in blocks:
            for line in block.lines:
                for piece in columns.pieces(line, block.value_left):
                    columns.rights[piece.last] = max(columns.rights[piece.last], piece.line.right)
        for index in range(len(columns.rights)):  # a column no piece ends in: up to the next one
            if columns.rights[index] == 0.0:
                following = columns.starts[index + 1] if index + 1 < len(columns.starts) else columns.starts[index]
                columns.rights[index] = following - 1.0
        return columns

    def pieces(self, line: Line, value_left: float) -> list[Piece]:
        """The line's label-area glyphs cut at the label columns' starts, except where a
        glyph runs across a start (one label spanning both columns)."""
        glyphs = [g for g in line.glyphs if (g.x0 + g.x1) / 2 < value_left]
        if not glyphs or not self.starts:
            return []
        cuts = [s for s in self.starts[1:] if not any(g.x0 < s - 1.0 < g.x1 for g in glyphs)]
        groups: list[list[Glyph]] = []
        boundary = 0
        for glyph in glyphs:
            while boundary < len(cuts) and (glyph.x0 + glyph.x1) / 2 >= cuts[boundary] - 1.0:
                boundary += 1
                groups.append([])
            if not groups:
                groups.append([])
            groups[-1].append(glyph)
        out: list[Piece] = []
        for group in groups:
            if not group or all(g.char.isspace() for g in group):
                continue
            made = make_lines(group)
            if not made:
                continue
            piece_line = made[0] if len(made) == 1 else Line(group, min(g.x0 for g in group),
                                                                 max(g.x1 for g in group), min(g.top for g in group),
                                                                 max(g.bottom for g in group),
                                                                 "".join(m.text for m in made))
            out.append(Piece(piece_line, self.column(group[0].x0), self.column(max(g.x1 for g in group) - 2.0)))
        return out


# --- rows ----------------------------------------------------------------------------------


def _rule_between(rules: list[Segment], upper: float, lower: float, x: float) -> bool:
    return any(upper - 1.0 <= rule.at <= lower + 1.0 and rule.start - 1.0 <= x <= rule.end + 1.0 for rule in rules)


def _own_blocks(pieces: list[Piece], labels: LabelColumns, height: float, rules: list[Segment],
                by_column: dict[int, float]) -> list[LabelBlock]:
    blocks: list[LabelBlock] = []
    ordered = sorted(pieces, key=lambda p: p.top)
    for index, piece in enumerate(ordered):
        block = blocks[-1] if blocks else None
        if block is not None:
            above = block.pieces[-1]
            room = labels.rights[block.last] - above.line.right
            figures = next((p.values for p in reversed(block.pieces) if p.values), None)
            own_row = (figures is not None and piece.values is not None and piece.values is not figures
                       and not _continues(figures, piece.values, by_column))  # each has its own figures
            if (piece.first == block.first and piece.top - above.bottom <= _ADJACENT * height
                    and not Label.starts_row(piece.line.text, _ahead(ordered, index)) and fits_not(room, piece.line)
                    and not own_row
                    and not _rule_between(rules, above.bottom, piece.top, labels.starts[piece.first] + 1.0)):
                block.pieces.append(piece)
                continue
        blocks.append(LabelBlock([piece]))
    return blocks


def _ahead(pieces: list[Piece], index: int) -> str:
    """A piece's text with the next lines of its column: a label set one character a line
    shows its number (``2`` / ``.``) only over two lines."""
    piece = pieces[index]
    text = piece.line.text
    for other in pieces[index + 1:index + 4]:
        if other.first == piece.first and len(text) < 4:
            text += other.line.text
    return text


def _group_blocks(pieces: list[Piece], labels: LabelColumns, height: float,
                  rules: list[Segment]) -> tuple[list[LabelBlock], list[Piece]]:
    """Merged labels (pieces beside deeper ones, with their lines that are not), and the
    pieces left for rows' own labels."""
    by_column: dict[int, list[Piece]] = {}
    for piece in pieces:
        by_column.setdefault(piece.first, []).append(piece)
    groups: list[LabelBlock] = []
    own: list[Piece] = []
    for column_pieces in by_column.values():
        column_pieces.sort(key=lambda p: p.top)
        current: LabelBlock | None = None
        for piece in column_pieces:
            if current is not None:
                above = current.pieces[-1]
                gap = piece.top - above.bottom
                joins = (gap <= _BLANK_LINE * height and not Label.starts_row(piece.line.text)
                         and not _rule_between(rules, above.bottom, piece.top, labels.starts[piece.first] + 1.0))
                if joins and (piece.deeper or (gap <= _ADJACENT * height and fits_not(
                        labels.rights[current.last] - above.line.right, piece.line))):
                    current.pieces.append(piece)
                    continue
            if piece.deeper:
                current = LabelBlock([piece])
                groups.append(current)
            else:
                current = None
                own.append(piece)
    return groups, own


def _continues(upper: list[ValueRun], lower: list[ValueRun], edges: dict[int, float]) -> bool:
    """Whether a line of figures is the wrapped rest of the one above: each of its runs is
    under a run that left no room in its column for the run's first character (or is a
    unit, ``元``). ``edges``: how far right each column's text reaches."""
    above = {run.column: run for run in upper}
    height = max(g.bottom - g.top for run in upper for g in run.glyphs)
    if min(r.top for r in lower) - max(r.bottom for r in upper) > _ADJACENT * height:
        return False  # not the next line: a wrapped figure goes on right below
    for run in lower:
        over = above.get(run.column)
        if over is None or run.column is None:
            return False
        if run.kind == "unit":
            continue
        first = run.glyphs[0]
        if edges[run.column] - over.right >= (first.x1 - first.x0) + 0.1 * (first.bottom - first.top):
            return False
    return True


def build_rows(lines: list[Line], value_left: float, columns: list[Column], labels: LabelColumns, height: float,
               rules: list[Segment], open_top: bool, open_bottom: bool,
               carried: dict[int, int] | None = None) -> list[DataRow]:
    """The data rows of one block on one page (see the module docstring); ``carried``: see
    ``_merged_labels``."""
    from giro_site.readers.pdf.unruled import place, run_kind, value_runs

    pieces: list[Piece] = []
    value_lines: list[list[ValueRun]] = []
    for line in lines:
        pieces.extend(labels.pieces(line, value_left))
        runs = value_runs([g for g in line.glyphs if (g.x0 + g.x1) / 2 >= value_left])
        for run in runs:
            run.kind = run_kind(run.text)
            run.column = place(run, columns) if run.kind != "unit" else _unit_column(run, columns)
        if runs:
            value_lines.append(runs)
    by_column: dict[int, float] = {}  # how far right each column's text reaches, its header's too
    for index, column in enumerate(columns):
        if column.header is not None:
            by_column[index] = column.right
    for runs in value_lines:
        for run in runs:
            if run.column is not None:
                by_column[run.column] = max(by_column.get(run.column, run.right), run.right)
    for piece in pieces:
        piece.deeper = any(other.first > piece.last and _shared(other, piece) > 0.1 for other in pieces)
        piece.values = next((runs for runs in value_lines if min(piece.bottom, max(r.bottom for r in runs))
                             - max(piece.top, min(r.top for r in runs)) > 0.5 * piece.line.height), None)
    group_blocks, own_pieces = _group_blocks(pieces, labels, height, rules)
    rows = [DataRow(block, block.first) for block in _own_blocks(own_pieces, labels, height, rules, by_column)]
    last_width = max(0, len(labels.starts) - 1)
    for runs in value_lines:
        middle = (min(r.top for r in runs) + max(r.bottom for r in runs)) / 2
        owner = next((row for row in rows if row.own is not None
                      and row.own.top - 0.3 * height <= middle <= row.own.bottom + 0.3 * height), None)
        if owner is None:
            previous = max((row for row in rows if row.values and row.top < middle), key=lambda r: r.top,
                           default=None)
            if (previous is not None and min(r.top for r in runs) - previous.bottom <= _ADJACENT * height
                    and _continues(previous.values[-1], runs, by_column)):
                owner = previous
        if owner is None:
            owner = DataRow(None, last_width)
            rows.append(owner)
        owner.values.append(runs)
    rows.sort(key=lambda r: r.top)
    for row in rows:
        row.problem = _problem(row, by_column)
    _merged_labels(rows, group_blocks, labels, height, rules, open_top, open_bottom, carried or {})
    return rows


def _shared(a: Piece, b: Piece) -> float:
    """How much of the lower of two pieces' heights they share."""
    return (min(a.bottom, b.bottom) - max(a.top, b.top)) / max(0.1, min(a.line.height, b.line.height))


def _unit_column(run: ValueRun, columns: list[Column]) -> int | None:
    from giro_site.readers.pdf.unruled import place

    return place(run, columns)


def _problem(row: DataRow, by_column: dict[int, float]) -> str:
    """Why a row's figures cannot be put in columns with certainty (empty if they can)."""
    for line in row.values:
        placed = [run.column for run in line if run.kind in ("figure", "blank")]
        if any(column is None for column in placed):
            return "与表头对不齐"
        if len(placed) != len(set(placed)):
            return "多于表头的列数"
    for upper, lower in zip(row.values, row.values[1:], strict=False):
        if not _continues(upper, lower, by_column):
            return "分在上下几行"
    return ""


# --- merged labels -------------------------------------------------------------------------

_SUB_NUMBER = re.compile(r"^\s*(\d+)\s*[.、．](?!\d)")


def sub_number(row: DataRow) -> int | None:
    """The number a row's own label begins with (``3.要求提供公开出版物`` -> 3), if any."""
    match = _SUB_NUMBER.match(row.label_text())
    return int(match.group(1)) if match else None


def carried_numbers(rows: list[DataRow]) -> dict[int, int]:
    """For each label column whose merged label the rows end beside, the number of the last
    sub-row under it (what the next page's rows go on from)."""
    out: dict[int, int] = {}
    for column in range(rows[-1].first if rows else 0):
        for row in reversed(rows):
            if row.first <= column:
                break
            number = sub_number(row) if row.first == column + 1 else None
            if number is not None:
                out[column] = number
                break
    return out


def _merged_labels(rows: list[DataRow], blocks: list[LabelBlock], labels: LabelColumns, height: float,
                   rules: list[Segment], open_top: bool, open_bottom: bool, carried: dict[int, int]) -> None:
    """Give each row a merged-label cell for every label column before its own label.
    ``carried``: for each label column, the number of the last sub-row the page before
    ended with under a merged label of that column (the rows at this page's top go on
    from it)."""
    width = len(labels.starts)
    for row in rows:
        row.groups = [None] * min(row.first, width)
    for column in range(width):
        runs: list[list[DataRow]] = []
        for index, row in enumerate(rows):
            if column < row.first:
                previous = rows[index - 1] if index else None
                x = labels.starts[column] + 1.0
                if runs and previous is runs[-1][-1] and not _rule_between(rules, previous.bottom, row.top, x):
                    runs[-1].append(row)
                else:
                    runs.append([row])
        mine = [b for b in blocks if b.first == column]
        for run in runs:
            inside = [b for b in mine if run[0].top - height <= b.centre <= run[-1].bottom + height]
            for block in inside:
                mine.remove(block)
            starts_open = open_top and run[0] is rows[0]
            ends_open = open_bottom and run[-1] is rows[-1]
            numbers = [sub_number(row) if row.first == column + 1 else None for row in run]
            _fit(run, inside, column, height, starts_open, ends_open, numbers,
                 carried.get(column) if starts_open else None)
        for block in mine:  # a merged label beside no open row: keep its words in the nearest
            nearest = min((r for r in rows if column < r.first), default=None,
                          key=lambda r: abs((r.top + r.bottom) / 2 - block.centre))
            if nearest is not None and nearest.groups[column] is not None:
                nearest.groups[column].glyphs.extend(g for p in block.pieces for g in p.line.glyphs)


def _fit(run: list[DataRow], blocks: list[LabelBlock], column: int, height: float,
         starts_open: bool, ends_open: bool, numbers: list[int | None], carried: int | None) -> None:
    """Spread a run of rows over the merged labels beside it: each label covers the rows
    from its first to the next label's; its first row is where it is best set at the top
    of its rows, or best centred on them, whichever fits the column better. Where the rows
    beside the labels are numbered (``1.`` … ``8.``), only a spread that numbers each
    label's rows 1, 2, 3 … is tried (see ``_partition``)."""
    count = len(run)
    blocks = sorted(blocks, key=lambda b: b.top)
    if not blocks:
        cuts = [0]
    else:
        best: tuple[float, list[int]] | None = None
        for mode in ("top", "middle"):
            found = _partition(run, blocks, mode, height, starts_open, ends_open, numbers, carried)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        cuts = best[1] if best is not None else _by_top(run, blocks)
    lead = cuts[0] > 0 or not blocks
    spans = ([0] if cuts[0] > 0 else []) + cuts
    texts: list[LabelBlock | None] = ([None] if lead else []) + list(blocks)
    for number, start in enumerate(spans):
        end = spans[number + 1] if number + 1 < len(spans) else count
        block = texts[number]
        group = Group(column, [g for p in block.pieces for g in p.line.glyphs] if block else [], run[start])
        for row in run[start:end]:
            row.groups[column] = group


def _partition(run: list[DataRow], blocks: list[LabelBlock], mode: str, height: float, starts_open: bool,
               ends_open: bool, numbers: list[int | None], carried: int | None) -> tuple[float, list[int]] | None:
    """The first row of each block minimising how far each sits from the top (or middle) of
    its rows; the first block may start below the run's top only where the run comes from
    the page before. Numbered rows decide where a block may start: its rows are numbered 1,
    2, 3 …, except the rows at the top of a continued page, which go on from the number the
    page before ended with (``carried``, where known)."""
    count, many = len(run), len(blocks)
    if many > count:
        return None
    infinite = float("inf")
    # cost[j][s]: the least cost of blocks j.. with block j starting at row s.
    memo: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def numbered(start: int, end: int) -> bool:
        """Whether rows start..end-1 can be one label's: numbered on from 1 (or, at the top of
        a continued page, from where the page before left off)."""
        found = [n for n in numbers[start:end] if n is not None]
        if not found:
            return True
        first = 1
        if starts_open and start == 0 and found[0] != 1:  # not a label that begins here
            first = carried + 1 if carried is not None else found[0]
        return found == list(range(first, first + len(found)))

    def span_cost(block: LabelBlock, start: int, end: int) -> float:
        top, bottom = run[start].top, run[end - 1].bottom
        if not (top - height <= block.centre <= bottom + height) or not numbered(start, end):
            return infinite
        slack = 0.3 * height  # glyph boxes differ by this much between fonts and lines
        if mode == "top":
            return max(0.0, abs(block.top - top) - slack)
        middle = (top + bottom) / 2
        # A cell the page break cut is centred over all its rows, some on the other page:
        # its words stand above (or below) the middle of the rows on this page.
        if starts_open and start == 0:
            return max(0.0, block.centre - middle - slack)
        if ends_open and end == count:
            return max(0.0, middle - block.centre - slack)
        return max(0.0, abs(block.centre - middle) - slack)

    def best(j: int, start: int) -> tuple[float, list[int]]:
        key = (j, start)
        if key in memo:
            return memo[key]
        if j == many - 1:
            result = (span_cost(blocks[j], start, count), [start])
        else:
            result = (infinite, [])
            for end in range(start + 1, count - (many - j - 1) + 1):
                here = span_cost(blocks[j], start, end)
                if here == infinite:
                    continue
                rest, cuts = best(j + 1, end)
                if here + rest < result[0]:
                    result = (here + rest, [start, *cuts])
        memo[key] = result
        return result

    options = [s for s in (range(count - many + 1) if starts_open else range(1)) if s == 0 or numbered(0, s)]
    chosen = min((best(0, s) for s in options), key=lambda r: r[0])
    return chosen if chosen[0] < infinite else None


def _by_top(run: list[DataRow], blocks: list[LabelBlock]) -> list[int]:
    """Each label from the row it starts beside (when no fit was found)."""
    cuts: list[int] = []
    for block in blocks:
        index = next((i for i, row in enumerate(run) if row.bottom >= block.top), len(run) - 1)
        cuts.append(max(index, cuts[-1] + 1 if cuts else 0))
    return [min(c, len(run) - 1) for c in cuts]
