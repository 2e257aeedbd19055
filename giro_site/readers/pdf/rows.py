"""Rows of a table without ruling lines (see ``unruled``), from the vertical positions of
its labels and figures (cut into label columns by ``label_columns``, figures put in value
columns by ``cells``).

* A label beside a deeper label (``（三）不予公开`` beside ``1.属于国家秘密`` …) is a merged
  cell over several rows; every other label is a row's own. A row's own label goes on to
  the next line while its line was full (it wrapped) and the next line does not start a
  numbered label (``2.``, ``（四）``); a rule drawn between rows ends it too.
* Each line of figures belongs to the own label beside it, or is a row of its own (a row
  whose label cell is empty). A second line of figures in a row is the wrapped rest of the
  first only where every figure above filled its column; otherwise the row's figures are
  not placed (``DataRow.problem``).

Which rows each merged label covers is ``merged``'s to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from giro_site.forms.spec import (
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    PROACTIVE_ROWS,
)
from giro_site.labels import core
from giro_site.readers.pdf.cells import ValueRun, place, run_kind, value_runs
from giro_site.readers.pdf.columns import Column
from giro_site.readers.pdf.extract import Glyph, Segment
from giro_site.readers.pdf.label_columns import NUMBERED, LabelColumns, Piece
from giro_site.readers.pdf.text import Line, fits_not

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
        return bool(NUMBERED.match(ahead or text)) or core(text) in _known()


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


def rule_between(rules: list[Segment], upper: float, lower: float, x: float) -> bool:
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
                    and not rule_between(rules, above.bottom, piece.top, labels.starts[piece.first] + 1.0)):
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
                         and not rule_between(rules, above.bottom, piece.top, labels.starts[piece.first] + 1.0))
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
               rules: list[Segment]) -> tuple[list[DataRow], list[LabelBlock]]:
    """The data rows of one block on one page (see the module docstring), and the merged
    labels beside them, for ``merged.merged_labels`` to spread over the rows."""
    pieces: list[Piece] = []
    value_lines: list[list[ValueRun]] = []
    for line in lines:
        pieces.extend(labels.pieces(line, value_left))
        runs = value_runs([g for g in line.glyphs if (g.x0 + g.x1) / 2 >= value_left])
        for run in runs:
            run.kind = run_kind(run.text)
            run.column = place(run, columns)
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
    return rows, group_blocks


def _shared(a: Piece, b: Piece) -> float:
    """How much of the lower of two pieces' heights they share."""
    return (min(a.bottom, b.bottom) - max(a.top, b.top)) / max(0.1, min(a.line.height, b.line.height))


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

