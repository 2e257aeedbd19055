"""The label area of a table without ruling lines: its label columns start where label lines
start (or after a wide gap in one), and each line's label-area characters are cut at those
starts into pieces, except where a character runs across a start (one label spanning two
columns: ``一、本年新收…`` over all three).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass

from giro_site.readers.pdf.cells import ValueRun
from giro_site.readers.pdf.columns import Block
from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.text import Line, make_lines

NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．](?!\d))")


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
                    numbered = gap > 0.2 * height and NUMBERED.match("".join(g.char for g in glyphs[index:index + 6]))
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

