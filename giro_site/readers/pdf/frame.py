"""Tables from ruling lines: the cells of a ruled table are the rectangles its lines enclose.

Lines that touch form one table. Its column and row boundaries are the distinct positions
of its vertical and horizontal lines; two neighbouring grid units are one cell where no
line separates them (a merged cell, in either direction). Where a table has no line at an
outer edge (a table continued from the page before has no top border in a browser's
print), the other lines' ends stand in for it, and the cell remembers it was open there.
Where rules between rows end inside a table with no vertical line there (a tall merged
label beside row labels, its border not drawn), a cell edge stands where they end
(``_unruled_edges``): each cell's characters are the ones inside its own box.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from giro_site.readers.pdf.extract import Glyph, PageContent, Segment

_SAME = 3.0  # lines closer than this are one line (double borders of separate-border tables)
_TOUCH = 3.0  # a line ending this close to another meets it
_MAX_SEGMENTS = 4000  # after merging; a ruled page has a few hundred
_MAX_UNITS = 20_000  # grid units of one table (rows x columns)


@dataclass
class Box:
    """One cell: its rectangle, the grid units it covers and the glyphs inside."""

    left: float
    right: float
    top: float
    bottom: float
    row0: int
    row1: int  # exclusive
    col0: int
    col1: int  # exclusive
    open_top: bool = False
    glyphs: list[Glyph] = field(default_factory=list)
    hidden: bool = False  # it held characters a reader cannot see (not in ``glyphs``)


@dataclass
class GridTable:
    xs: list[float]
    ys: list[float]
    boxes: list[Box]  # in reading order: by first row, then column
    owner: list[int]  # for each grid unit (row * columns + column), the index of its box

    @property
    def left(self) -> float:
        return self.xs[0]

    @property
    def right(self) -> float:
        return self.xs[-1]

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]


def _merge(segments: list[Segment]) -> list[Segment]:
    """Collinear pieces (a browser draws every cell edge on its own) as whole lines."""
    out: list[Segment] = []
    group: list[Segment] = []
    for segment in sorted(segments):
        if group and segment.at - group[0].at > 1.0:
            out.extend(_merge_collinear(group))
            group = []
        group.append(segment)
    out.extend(_merge_collinear(group))
    return out


def _merge_collinear(group: list[Segment]) -> list[Segment]:
    if not group:
        return []
    at = sum(s.at for s in group) / len(group)
    out: list[Segment] = []
    for segment in sorted(group, key=lambda s: s.start):
        if out and segment.start <= out[-1].end + _TOUCH:
            out[-1] = Segment(at, out[-1].start, max(out[-1].end, segment.end))
        else:
            out.append(Segment(at, segment.start, segment.end))
    return out


def _cluster(values: list[float]) -> list[float]:
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= _SAME:
            out[-1].append(value)
        else:
            out.append([value])
    return [sum(group) / len(group) for group in out]


class _Union:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _components(horizontal: list[Segment], vertical: list[Segment]) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of lines that touch each other: one group per table."""
    union = _Union(len(horizontal) + len(vertical))
    offset = len(horizontal)
    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if (h.start - _TOUCH <= v.at <= h.end + _TOUCH) and (v.start - _TOUCH <= h.at <= v.end + _TOUCH):
                union.join(i, offset + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(union.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(union.find(offset + j), ([], []))[1].append(v)
    return [group for group in groups.values() if group[0] and len(group[1]) >= 1]


def _covered(segments: list[Segment], at: float, point: float) -> bool:
    return any(abs(s.at - at) <= _SAME and s.start - 1.0 <= point <= s.end + 1.0 for s in segments)


def _unruled_edges(horizontal: list[Segment], vertical: list[Segment]) -> list[Segment]:
    """Cell edges drawn without a line: where rules between rows end inside the table, away
    with no vertical line there (a tall merged label whose border with the row labels beside it
    is not drawn). A cell's edge runs from the rule above to the rule below that pass it by,
    so the edge stands wherever a rule ends on it: the merged label stays one cell, each row
    label its own, and their characters are never read as one text."""
    by_x = sorted(vertical)
    xs = [v.at for v in by_x]
    left, right = xs[0], xs[-1]
    ends: list[tuple[float, float]] = []  # (x, y)
    for h in horizontal:
        for x in (h.start, h.end):
            near = by_x[bisect_left(xs, x - 2 * _SAME):bisect_right(xs, x + 2 * _SAME)]
            if left + _SAME < x < right - _SAME and not any(
                    v.start - _TOUCH <= h.at <= v.end + _TOUCH for v in near):
                ends.append((x, h.at))
    groups = _groups_by_x(ends)
    if len(groups) > _MAX_UNRULED_EDGES:  # a drawing, not a table's few merged labels
        return []
    out: list[Segment] = []
    first, last = min(h.at for h in horizontal), max(h.at for h in horizontal)
    for group in groups:
        at = sum(x for x, _ in group) / len(group)
        passing = sorted(h.at for h in horizontal if h.start < at - _TOUCH and h.end > at + _TOUCH)
        for _, y in group:
            above = bisect_right(passing, y - 1.0)
            top = passing[above - 1] if above else first
            below = bisect_left(passing, y + 1.0)
            bottom = passing[below] if below < len(passing) else last
            if bottom - top >= _MIN_EDGE:
                out.append(Segment(at, top, bottom))
    return _merge(out)


_MIN_EDGE = 4.0  # points: shorter is no cell's edge
_MAX_UNRULED_EDGES = 64  # places where rules end inside one table; a form's table has a handful


def _groups_by_x(ends: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    groups: list[list[tuple[float, float]]] = []
    for end in sorted(ends):
        if groups and end[0] - groups[-1][-1][0] <= 1.5:
            groups[-1].append(end)
        else:
            groups.append([end])
    return groups


def _grid(horizontal: list[Segment], vertical: list[Segment]) -> GridTable | None:
    vertical = vertical + _unruled_edges(horizontal, vertical)
    xs = _cluster([v.at for v in vertical])
    ys = _cluster([h.at for h in horizontal])
    # Outer edges without a line of their own: where the other lines end.
    open_left = min(h.start for h in horizontal) < xs[0] - _TOUCH
    open_right = max(h.end for h in horizontal) > xs[-1] + _TOUCH
    open_top = min(v.start for v in vertical) < ys[0] - _TOUCH
    open_bottom = max(v.end for v in vertical) > ys[-1] + _TOUCH
    if open_left:
        xs.insert(0, min(h.start for h in horizontal))
    if open_right:
        xs.append(max(h.end for h in horizontal))
    if open_top:
        ys.insert(0, min(v.start for v in vertical))
    if open_bottom:
        ys.append(max(v.end for v in vertical))
    rows, columns = len(ys) - 1, len(xs) - 1
    if rows < 1 or columns < 1 or rows * columns > _MAX_UNITS:
        return None

    def vertical_line(column: int, row: int) -> bool:  # the line left of grid column ``column``
        if (column == 0 and open_left) or (column == columns and open_right):
            return True
        return _covered(vertical, xs[column], (ys[row] + ys[row + 1]) / 2)

    def horizontal_line(row: int, column: int) -> bool:  # the line above grid row ``row``
        if (row == 0 and open_top) or (row == rows and open_bottom):
            return True
        return _covered(horizontal, ys[row], (xs[column] + xs[column + 1]) / 2)

    union = _Union(rows * columns)
    for row in range(rows):
        for column in range(columns):
            if column + 1 < columns and not vertical_line(column + 1, row):
                union.join(row * columns + column, row * columns + column + 1)
            if row + 1 < rows and not horizontal_line(row + 1, column):
                union.join(row * columns + column, (row + 1) * columns + column)
    spans: dict[int, list[int]] = {}
    for row in range(rows):
        for column in range(columns):
            root = union.find(row * columns + column)
            span = spans.get(root)
            if span is None:
                spans[root] = [row, row + 1, column, column + 1]
            else:
                span[0], span[1] = min(span[0], row), max(span[1], row + 1)
                span[2], span[3] = min(span[2], column), max(span[3], column + 1)
    boxes = [Box(xs[c0], xs[c1], ys[r0], ys[r1], r0, r1, c0, c1,
                 open_top=open_top and r0 == 0)
             for r0, r1, c0, c1 in sorted(spans.values(), key=lambda s: (s[0], s[2]))]
    owner = [0] * (rows * columns)
    for index, box in enumerate(boxes):
        for row in range(box.row0, box.row1):
            for column in range(box.col0, box.col1):
                owner[row * columns + column] = index
    return GridTable(xs, ys, boxes, owner)


@dataclass
class PageTables:
    """A page's ruled tables, the glyphs outside them, and the horizontal lines that are no
    table's (rules between the rows of a table drawn without vertical lines)."""

    tables: list[GridTable]
    free: list[Glyph]
    rules: list[Segment]


def find_tables(page: PageContent) -> PageTables:
    """The page's ruled tables with their glyphs, the glyphs outside every table and the
    lines left over. A grid of one column is no table of cells: lines around each row of
    a table without vertical rules, left for ``unruled``."""
    horizontal = _merge(page.horizontal)
    vertical = _merge(page.vertical)
    if len(horizontal) + len(vertical) > _MAX_SEGMENTS:
        return PageTables([], list(page.glyphs), [])
    if not horizontal or not vertical:
        return PageTables([], list(page.glyphs), horizontal)
    tables: list[GridTable] = []
    for h_lines, v_lines in _components(horizontal, vertical):
        grid = _grid(h_lines, v_lines)
        if grid is not None and len(grid.boxes) >= 2 and len(grid.xs) > 2:
            tables.append(grid)
    bounds = [(table.left, table.right, table.top, table.bottom, table) for table in tables]
    rules = [h for h in horizontal if not any(left - _TOUCH <= h.start and h.end <= right + _TOUCH
                                                and top - _TOUCH <= h.at <= bottom + _TOUCH
                                                for left, right, top, bottom, _ in bounds)]
    if not tables:
        return PageTables([], list(page.glyphs), rules)
    free: list[Glyph] = []
    for glyph in page.glyphs:
        x = (glyph.x0 + glyph.x1) / 2
        y = (glyph.top + glyph.bottom) / 2
        for left, right, top, bottom, table in bounds:
            if left <= x <= right and top <= y <= bottom:
                _box(table, x, y).glyphs.append(glyph)
                break
        else:
            free.append(glyph)
    for glyph in page.hidden:  # not read, but the cell that held it is named
        x = (glyph.x0 + glyph.x1) / 2
        y = (glyph.top + glyph.bottom) / 2
        for left, right, top, bottom, table in bounds:
            if left <= x <= right and top <= y <= bottom:
                _box(table, x, y).hidden = True
                break
    tables = [t for t in tables if any(box.glyphs for box in t.boxes)]
    tables.sort(key=lambda t: t.top)
    return PageTables(tables, free, rules)


def _box(table: GridTable, x: float, y: float) -> Box:
    column = min(max(bisect_right(table.xs, x) - 1, 0), len(table.xs) - 2)
    row = min(max(bisect_right(table.ys, y) - 1, 0), len(table.ys) - 2)
    return table.boxes[table.owner[row * (len(table.xs) - 1) + column]]
