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


@dataclass(frozen=True)
class DataRow:
    """A row split into its resolved label path and its value cells."""

    path: tuple[str, ...]
    values: tuple[Cell, ...]
    row: Row
    own: str = ""  # the row's own label as written (its last label cell); empty if that cell is


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
        resolved: list[str] = []
        for index, cell in enumerate(labels):
            text = cell.text.strip()
            if not text and index < len(labels) - 1 and index < len(self._above):
                text = self._above[index]
            resolved.append(text)
        self._above = resolved
        self._above_width = width + missing if padded else width
        return tuple(filter(str.strip, resolved))  # the labels that are not blank (is_blank), at C speed

    def reset(self) -> None:
        self._above = []
        self._above_width = 0


def split_row(row: Row, width: int, tracker: LabelTracker, named: Callable[[str], bool] | None = None) -> DataRow:
    """The last ``width`` cells are values; those before them are labels. ``named`` tells
    whether a label names a row of the form by itself (see ``LabelTracker``)."""
    cells = list(row.cells)
    if len(cells) >= width:
        labels, values = cells[: len(cells) - width], cells[len(cells) - width :]
    else:
        labels, values = cells[:1], cells[1:]
    own = labels[-1].text.strip() if labels else ""
    return DataRow(tracker.resolve(labels, len(cells), named), tuple(values), row, own)


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


@dataclass(frozen=True)
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
