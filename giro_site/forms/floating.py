"""Row labels written on a line of their own, above a row of figures without a label.

PDF-to-Markdown converters and OCR tools write a tall label cell (``（二）部分公开（区分处理
的，只计这一情形，不计其他情形）``) as a line of text and the row's figures as a row of
their own whose label cell is empty or missing::

    （二）部分公开（区分处理的，只计这一情形，不计其他情形）
    | 3 | 0 | 0 | 0 | 1 | 0 | 4 | |

A label and the figures below it are joined into one row when all of this holds:

* the label names a row of the form that has figures, and the row of figures right after
  it has no label and fits the form's columns in one way only (``grid.value_start``);
* every row of figures without a label in the table has such a label right above it: in
  a table with label lines, a row of figures without one means the tool may have put
  labels below their figures, and then no row is joined;
* the rows the labels name come in the form's order.

Otherwise the rows stay apart: the label's row has no figures (``ROW_MISSING``) and the
figures are kept in ``extra_rows`` with ``ROW_MISALIGNED``. A figure is never guessed into
a row. A table without label lines is left as it is: its rows of figures with an empty
label cell are placed by their position between named rows (``align``), as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from giro_site.document import Cell, Row
from giro_site.forms.grid import EMPTY, FIGURE, WORDS, cell_kind, value_start


@dataclass(frozen=True)
class Joined:
    """The table's rows with the certain pairs joined, and the positions (in ``rows``) of
    the rows of figures that stay without a label."""

    rows: list[Row]
    orphans: frozenset[int]


def _kinds(row: Row) -> tuple[int, ...]:
    return tuple(cell_kind(cell.text) for cell in row.cells)


def _any_may_be_figures_only(rows: list[Row]) -> bool:
    """Whether some row's first cell with text is no label (it may then hold figures alone)."""
    for row in rows:
        for cell in row.cells:
            text = cell.text
            if text and not text.isspace():
                if cell_kind(text) != WORDS:
                    return True
                break
    return False


def _label_only(kinds: tuple[int, ...]) -> bool:
    return WORDS in kinds and FIGURE not in kinds and all(k in (WORDS, EMPTY) for k in kinds)


def _figures_only(kinds: tuple[int, ...]) -> bool:
    return FIGURE in kinds and WORDS not in kinds


def join_floating(rows: list[Row], width: int, rank: Callable[[str | None, str], int | None]) -> Joined:
    """Join each label line to the row of figures under it where that is certain (see the
    module's docstring). ``rank(group, label)``: the place in the form's order of the row
    a label names under the group label above it, or None for a group label, a label that
    names no row with figures, or one the form lacks."""
    if not _any_may_be_figures_only(rows):  # every row starts with its label: the usual case
        return Joined(rows, frozenset())
    kinds = [_kinds(row) for row in rows]
    figures_only = [index for index, k in enumerate(kinds) if _figures_only(k)]
    if not figures_only:
        return Joined(rows, frozenset())
    group: str | None = None
    ranks: list[int | None] = []
    groups: list[str | None] = []  # the group label a label needs to name its row (3.其他)
    for row, k in zip(rows, kinds, strict=True):
        labels = [cell.text for cell, kind in zip(row.cells, k, strict=True) if kind == WORDS]
        place = rank(labels[-2], labels[-1]) if len(labels) > 1 else None
        if labels and place is None:
            place = rank(group, labels[-1])
        groups.append(group if place is not None and len(labels) == 1 and rank(None, labels[-1]) != place
                      else None)
        if len(labels) > 1 and (place is not None or rank(None, labels[-2]) is None):
            group = labels[-2]  # a row under a group label of its own: （六）其他处理 › 1.…
        elif labels and place is None:
            group = labels[-1]
        ranks.append(place)
    labelled = [index for index in figures_only
                if index > 0 and _label_only(kinds[index - 1]) and ranks[index - 1] is not None]
    if not labelled:  # no label line over figures: rows without a label are placed by position
        return Joined(rows, frozenset())
    if len(labelled) < len(figures_only):  # a row of figures without its label line: labels may be below
        return Joined(rows, frozenset(figures_only))
    pairs: dict[int, tuple[Cell, ...]] = {}
    for index in figures_only:
        above = index - 1
        start = value_start(kinds[index], width, rows[index].declared)
        if start is None:
            continue
        cells = list(rows[index].cells)
        values = cells[max(start, 0): max(start, 0) + width + min(start, 0)]
        if start < 0:
            values = [Cell("", rows[index].line)] * -start + values
        if len(values) == width:
            pairs[above] = tuple(values)
    last = -1
    for index, place in enumerate(ranks):  # the labels must name rows in the form's order
        if place is None:
            continue
        if place <= last:
            pairs.pop(index, None)
        last = max(last, place)
    out: list[Row] = []
    orphans: set[int] = set()
    skip = False
    for index, row in enumerate(rows):
        if skip:
            skip = False
            continue
        if index in pairs:
            labels = tuple(cell for cell in row.cells if cell.text.strip())
            if groups[index] is not None:
                labels = (Cell(groups[index] or "", row.line), *labels)
            out.append(Row(labels + pairs[index], row.line, rows[index + 1].declared))
            skip = True
            continue
        if index in figures_only:
            orphans.add(len(out))
        out.append(row)
    return Joined(out, frozenset(orphans))
