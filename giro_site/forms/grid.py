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

from dataclasses import dataclass
from functools import lru_cache

from giro_site.document import Cell, Row
from giro_site.forms.spec import ColumnGroup, ColumnSpec
from giro_site.labels import core
from giro_site.numbers import UnreadableNumber, parse_count


def is_blank(text: str) -> bool:
    return not text.strip()  # str.strip() removes no-break and ideographic spaces too


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


class LabelTracker:
    """Resolves empty label cells to the label above them (vertical merges)."""

    def __init__(self) -> None:
        self._above: list[str] = []

    def resolve(self, labels: list[Cell]) -> tuple[str, ...]:
        resolved: list[str] = []
        for index, cell in enumerate(labels):
            text = cell.text.strip()
            if is_blank(text) and index < len(labels) - 1 and index < len(self._above):
                text = self._above[index]
            resolved.append(text)
        self._above = resolved
        return tuple(label for label in resolved if not is_blank(label))

    def reset(self) -> None:
        self._above = []


def split_row(row: Row, width: int, tracker: LabelTracker) -> DataRow:
    """The last ``width`` cells are values; those before them are labels."""
    cells = list(row.cells)
    if len(cells) >= width:
        labels, values = cells[: len(cells) - width], cells[len(cells) - width :]
    else:
        labels, values = cells[:1], cells[1:]
    return DataRow(tracker.resolve(labels), tuple(values), row)


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
    if deepest is None:
        return ColumnMap(tuple(tree.leaves()), confirmed=False)
    named = 0
    for text, (_, leaf) in zip(deepest[-width:], ordered, strict=True):
        words = core(text)
        if words and words not in leaf.phrases:
            return ColumnMap(tuple(tree.leaves()), confirmed=False)
        named += bool(words)
    # Every column named somewhere: in the deepest row or (merged) in a row above.
    all_cores = {core(text) for row in header for text in row}
    confirmed = all(any(p in all_cores for p in leaf.phrases) for _, leaf in ordered)
    return ColumnMap(tuple(ordered), confirmed=confirmed and named > 0)
