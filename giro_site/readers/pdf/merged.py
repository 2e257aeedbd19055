"""Merged labels of a table without ruling lines: a label beside deeper labels (``（三）不予公开``
beside ``1.`` … ``8.``) covers the rows from where it starts to where the next one in its column
starts. Where its first row is depends on how the cell's text is set: at the top of the cell
(Word) or in its middle (a browser). Each column's labels are fitted both ways and the better
fit is taken; where the rows beside them are numbered, only a fit that numbers each label's
rows 1, 2, 3 … is tried (from where the page before left off, at the top of a continued page).
"""

from __future__ import annotations

import re

from giro_site.readers.pdf.extract import Segment
from giro_site.readers.pdf.label_columns import LabelColumns
from giro_site.readers.pdf.rows import DataRow, Group, LabelBlock, rule_between

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


def merged_labels(rows: list[DataRow], blocks: list[LabelBlock], labels: LabelColumns, height: float,
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
                if runs and previous is runs[-1][-1] and not rule_between(rules, previous.bottom, row.top, x):
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

