"""Generic reading of a form table: which cells are labels, which are values, and which
canonical column each value belongs to.

A data row is its label cells followed by one value cell per column. Empty label cells
are vertical merges and inherit the label above them, which gives each row a label path
(``三、本年度办理结果`` › ``（三）不予公开`` › ``1.属于国家秘密``).

Columns are mapped by header, never by position alone. The text format loses column
spans, so the header rows alone cannot say which group a leaf belongs to; the form's
column tree (``spec``) supplies the group sizes, the header supplies the order of the
groups and the name of every column, and the result is checked against the deepest
header row cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from giro_site.document import Cell, Row
from giro_site.forms.spec import ColumnGroup, ColumnSpec
from giro_site.labels import core
from giro_site.numbers import BLANK_MARKS, UnreadableNumber, parse_count, squeeze


def is_blank(text: str) -> bool:
    return not text.strip()  # str.strip() removes no-break and ideographic spaces too


@lru_cache(maxsize=1 << 12)
def is_blank_value(text: str) -> bool:
    """A value cell the report left blank: empty, or a blank mark (``/``, ``—``, ``无``)."""
    return is_blank(text) or squeeze(text) in BLANK_MARKS


@lru_cache(maxsize=1 << 14)
def is_numeric(text: str) -> bool:
    """A cell that holds a figure (not a blank mark): ``0``, ``１２``, ``3739265元``."""
    try:
        return parse_count(text.replace("万元", "").replace("元", "")) is not None
    except UnreadableNumber:
        return False


class DataRow(NamedTuple):
    """A row split into its resolved label path and its value cells (a tuple: one is made
    for every row of every report).

    ``doubt``: the row's cells do not fit the table's columns in one way only (a Markdown
    row with empty cells at its edges, figures more or fewer than the columns): its
    ``values`` are not to be read, since any reading could put a figure in another column."""

    path: tuple[str, ...]
    values: tuple[Cell, ...]
    row: Row
    own: str = ""  # the row's own label as written; empty when the row has none (only labels from above)
    doubt: bool = False


class LabelTracker:
    """Resolves empty label cells to the label above them (vertical merges).

    A row written one line per row (a copy from a web page, ``pdftotext``) has no cell
    where a label is merged from above: ``行政确认 0 0 0`` under ``其他对外管理服务事项
    行政检查 0 0 0``. Such a row inherits the leading labels of the row above when three
    things hold: it has fewer label cells than that row, its own label does not name a row
    of the form by itself (``named``), and the missing cells are exactly what it lacks to
    be as wide as that row. A row laid out narrower on purpose (a note across the whole
    table) is not as wide and inherits nothing.
    """

    def __init__(self) -> None:
        self._above: list[str] = []
        self._above_width = 0

    def resolve(self, labels: list[Cell], width: int = 0,
                named: Callable[[str], bool] | None = None) -> tuple[str, ...]:
        missing = len(self._above) - len(labels)
        padded = (named is not None and labels and missing > 0 and width + missing == self._above_width
                  and not is_blank(labels[-1].text) and not named(labels[-1].text))
        if padded:
            labels = [Cell("")] * missing + labels
        resolved = [cell.text.strip() for cell in labels]
        above = self._above
        # An empty cell takes the label above it while no label of this row's own stands left
        # of it; one right of such a label pads a label merged across columns (a Markdown row):
        # the form's labels nest left to right, so none reaches it from above. The last cell
        # is the row's own and inherits nothing.
        for index in range(min(len(resolved) - 1, len(above))):
            if resolved[index]:
                break
            resolved[index] = above[index]
        self._above = resolved
        self._above_width = width + missing if padded else width
        return tuple(filter(str.strip, resolved))  # the labels that are not blank (is_blank), at C speed

    def reset(self) -> None:
        self._above = []
        self._above_width = 0


# What a cell holds, for fitting a row to the table's columns.
FIGURE, EMPTY, MARK, WORDS = range(4)


@lru_cache(maxsize=1 << 14)
def cell_kind(text: str) -> int:
    """A figure, an empty cell, a blank mark (``/``, ``—``) or words (a label, a note)."""
    if is_blank(text):
        return EMPTY
    if is_numeric(text):
        return FIGURE
    return MARK if is_blank_value(text) else WORDS


@lru_cache(maxsize=1 << 14)
def value_start(kinds: tuple[int, ...], width: int, declared: int = 0) -> int | None:
    """Where the ``width`` value cells of a row start (negative: its first columns were left
    out), or None when the row fits its table more than one way, or none.

    Where the format fixes every cell's place (``declared`` 0), the last ``width`` cells are
    the values, as long as no figure stands before them and the row's label (its first
    words) not among them: then the row is short, its values after its labels. A
    figure before them means empty cells were added after the values (a row ending
    ``| 34 | |``): the values are then the one window with only empty cells after it, only
    labels before it and no words inside it.

    A Markdown table says how many cells a row has (``declared``: its label columns and
    ``width`` value columns). A row with that many is read by position; a row with more or
    fewer may have gained or lost empty cells at its edges, or, written short, lost cells
    at its start (labels merged from above), at its end, or both. Each way of dropping
    empty edge cells and of setting the rest in the table's columns is tried; a way is
    possible when no figure falls in a label column and no words in a value column. The row
    is read when every possible way puts each figure in the same column."""
    count = len(kinds)
    if declared <= width:  # no table width to align by: trust the cells from the right
        if count < width:  # a row written short: its first cell is the label, unless a figure
            return 0 if kinds and kinds[0] == FIGURE else min(1, count)
        default = count - width
        first = next((i for i, kind in enumerate(kinds) if kind in (FIGURE, MARK)), count)
        words = [i for i, kind in enumerate(kinds[:first]) if kind == WORDS]
        if words and words[0] >= default:  # the row's label inside the window: it is short of values
            return words[-1] + 1
        if FIGURE not in kinds[:default]:
            return default
        fits = [start for start in range(default - 1, -1, -1)
                if FIGURE not in kinds[:start] and WORDS not in kinds[start:start + width]
                and all(kind == EMPTY for kind in kinds[start + width:])]
        return fits[0] if len(fits) == 1 else None
    labels = declared - width
    if count == declared and _fits(kinds, labels):
        return labels
    lead = next((i for i, kind in enumerate(kinds) if kind != EMPTY), count)
    trail = next((i for i, kind in enumerate(reversed(kinds)) if kind != EMPTY), count)
    starts: set[int] = set()
    for dropped_lead in range(min(lead, count) + 1):
        for dropped_trail in range(min(trail, count - dropped_lead) + 1):
            kept = kinds[dropped_lead: count - dropped_trail]
            shifts = range(declared - len(kept) + 1)  # cells left out at its start, the rest at its end
            for shift in shifts:
                if _fits((EMPTY,) * shift + kept, labels):
                    starts.add(dropped_lead + labels - shift)
    if FIGURE not in kinds and starts:
        return max(starts)
    return starts.pop() if len(starts) == 1 else None


def _fits(columns: tuple[int, ...], labels: int) -> bool:
    """No figure in a label column, no words in a value column."""
    return FIGURE not in columns[:labels] and WORDS not in columns[labels:]


_TEXT = attrgetter("text")


@lru_cache(maxsize=1 << 12)
def _label_cells(texts: tuple[str, ...]) -> str | None:
    """The row's own label if the cells before a row's last ``width`` (its values, as
    ``value_start`` gives such a row) hold a label and no figure, else None: told without
    looking at the values, and cached, as these cells are the form's labels."""
    own = ""
    words = False
    for text in texts:
        if not text or text.isspace():
            continue
        kind = cell_kind(text)
        if kind == FIGURE:
            return None
        words = words or kind == WORDS
        own = text  # the last label cell with text: ``_own``
    return own.strip() if words else None


def label_columns(labels: list[Cell], count: int) -> list[Cell]:
    """A Markdown row's label cells in its table's ``count`` label columns: the last label
    stands in the last column, next to the figures, so that a label merged from above is
    found in the same column in every row however many empty cells a converter added or
    dropped at the row's start (extra empty cells are dropped, never a label)."""
    labels = list(labels)
    while len(labels) > count and not labels[0].text.strip():
        labels.pop(0)
    return [Cell("")] * (count - len(labels)) + labels


def split_row(row: Row, width: int, tracker: LabelTracker, named: Callable[[str], bool] | None = None) -> DataRow:
    """The row's value cells (``width`` of them, by ``value_start``) and, before them, its
    labels. ``named`` tells whether a label names a row of the form by itself (see
    ``LabelTracker``). A row that fits no way or several ways is in doubt: its labels are
    the cells before its first figure, and it has no values to read."""
    cells = list(row.cells)
    start = len(cells) - width
    if start > 0 and not row.declared:  # the usual row: a label before the last ``width`` cells, no figure
        labels = cells[:start]
        own = _label_cells(tuple(map(_TEXT, labels)))
        if own is not None:
            return DataRow(tracker.resolve(labels, len(cells), named), tuple(cells[start:]), row, own)
    kinds = tuple(cell_kind(cell.text) for cell in cells)
    start = value_start(kinds, width, row.declared)
    if start is None:
        first = kinds.index(FIGURE) if FIGURE in kinds else len(cells)
        labels = [cell for cell, kind in zip(cells[:first], kinds, strict=False) if kind != EMPTY] or cells[:0]
        return DataRow(tracker.resolve(labels, len(cells), named), (), row, _own(labels), doubt=True)
    labels = cells[:max(start, 0)]
    values = cells[max(start, 0): max(start, 0) + width + min(start, 0)]
    if start < 0:  # the row's first columns were left out: they are empty
        values = [Cell("", row.line)] * -start + values
    if row.declared and len(values) < width and FIGURE in kinds[max(start, 0):]:
        # A Markdown row short of values: which of its columns were left out is not known.
        return DataRow(tracker.resolve(labels, len(cells), named), (), row, _own(labels), doubt=True)
    if row.declared > width:  # a Markdown row: its labels set in the table's label columns
        labels = label_columns(labels, row.declared - width)
    return DataRow(tracker.resolve(labels, len(cells), named), tuple(values), row, _own(labels))


def _own(labels: list[Cell]) -> str:
    """The row's own label: its last label cell with words (an empty cell right of it pads
    a label merged across columns); empty when every label cell is empty."""
    for cell in reversed(labels):
        text = cell.text
        if text and not text.isspace():
            return text.strip()
    return ""


# --- column headers --------------------------------------------------------------------


def _node_phrases(node: ColumnSpec | ColumnGroup) -> tuple[str, ...]:
    return node.phrases


def _first_position(node: ColumnSpec | ColumnGroup, header: tuple[tuple[str, ...], ...]) -> tuple[int, int] | None:
    """Where a header cell first names this node (or, for a group, any of its leaves)."""
    cores = [[core(text) for text in row] for row in header]
    for r, row in enumerate(cores):
        for c, words in enumerate(row):
            if words and words in _node_phrases(node):
                return (r, c)
    if isinstance(node, ColumnGroup):
        positions = [p for child in node.children if (p := _first_position(child, header))]
        return min(positions) if positions else None
    return None


def _ordered_leaves(group: ColumnGroup, header: tuple[tuple[str, ...], ...]
                    ) -> list[tuple[tuple[str, ...], ColumnSpec]]:
    """The group's leaves, siblings ordered as the header shows them (form order if not)."""
    children = list(group.children)
    positions = {id(child): _first_position(child, header) for child in children}
    if all(positions[id(c)] is not None for c in children):
        children.sort(key=lambda c: positions[id(c)])  # type: ignore[arg-type, return-value]
    out: list[tuple[tuple[str, ...], ColumnSpec]] = []
    for child in children:
        if isinstance(child, ColumnGroup):
            out.extend(((group.key, *path), leaf) for path, leaf in _ordered_leaves(child, header))
        else:
            out.append(((group.key,), child))
    return out


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per distinct header (cached)
class ColumnMap:
    """The canonical (group path, column) of each value column, and whether the header
    confirmed it (``confirmed``) or the form's order had to be assumed."""

    columns: tuple[tuple[tuple[str, ...], ColumnSpec], ...]
    confirmed: bool


def resolve_columns(tree: ColumnGroup, header: list[list[str]]) -> ColumnMap:
    """Cached on the header's text: the headers of one form's tables are nearly always alike."""
    return _resolve_columns(tree, tuple(tuple(row) for row in header))


@lru_cache(maxsize=256)
def _resolve_columns(tree: ColumnGroup, header: tuple[tuple[str, ...], ...]) -> ColumnMap:
    """Map each value column to the form's column tree using the header rows.

    The deepest header row with a cell for every column must name each column's leaf,
    or be empty there (a leaf whose header cell is merged from a row above).
    """
    ordered = _ordered_leaves(tree, header)
    width = len(ordered)
    deepest = next((row for row in reversed(header) if len(row) >= width), None)
    if deepest is not None:
        named = _names_leaves([core(text) for text in deepest[-width:]], ordered, 0)
    else:
        named = _names_some_leaves(header, ordered)
    if named is None:
        return ColumnMap(tuple(tree.leaves()), confirmed=False)
    # Every column named somewhere: in the deepest row or (merged) in a row above.
    all_cores = {core(text) for row in header for text in row}
    confirmed = all(any(p in all_cores for p in leaf.phrases) for _, leaf in ordered)
    return ColumnMap(tuple(ordered), confirmed=confirmed and named > 0)


def _names_leaves(words: list[str], ordered: list[tuple[tuple[str, ...], ColumnSpec]], offset: int) -> int | None:
    """How many of ``words`` name the leaves from ``offset`` on; None if one names another
    column (a blank word is a header cell merged from a row above)."""
    named = 0
    for position, word in enumerate(words):
        if word and word not in ordered[offset + position][1].phrases:
            return None
        named += bool(word)
    return named


def _names_some_leaves(header: tuple[tuple[str, ...], ...],
                       ordered: list[tuple[tuple[str, ...], ColumnSpec]]) -> int | None:
    """The deepest header row when no row has a cell for every column: a table written one
    line per row leaves out the cells merged from above (``商业企业 … 其他`` without the
    empty cells under ``自然人`` and ``总计``). Its words must name consecutive leaves."""
    row = next((r for r in reversed(header) if sum(bool(core(t)) for t in r) >= 2), None)
    if row is None:
        return None
    words = [core(text) for text in row]
    while words and not words[0]:
        words.pop(0)
    while words and not words[-1]:
        words.pop()
    for offset in range(len(ordered) - len(words) + 1):
        named = _names_leaves(words, ordered, offset)
        if named:
            return named
    return None
