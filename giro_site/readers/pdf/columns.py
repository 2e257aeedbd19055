"""Where a table without ruling lines has its value columns: each column is the place of its
header cell (``headers`` found the form's known header words on the page), with the note that
follows the name in the cell (``采购总金额（万元，保留四位小数）``). A table 二 has one header,
and so one set of columns, per 第二十条 block (``Block``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from giro_site.forms.spec import (
    ColumnSpec,
)
from giro_site.labels import flat
from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.headers import Found, Header, key
from giro_site.readers.pdf.text import Line


@dataclass
class Column:
    """A value column: where its header cell stands (None if its header was not found)."""

    spec: ColumnSpec
    header: Found | None
    left: float = 0.0
    right: float = 0.0
    glyphs: list[Glyph] = field(default_factory=list)  # the header cell's, its note included

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclass
class Block:
    """One header's columns and the lines under it (table 二 has a block per 第二十条 item)."""

    header: Header
    columns: list[Column]
    value_left: float  # where the label area ends
    title: list[Line] = field(default_factory=list)
    header_lines: list[Line] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # the data lines


def usual_height(lines: list[Line]) -> float:
    heights = sorted(line.height for line in lines) or [10.0]
    return heights[len(heights) // 2]


def header_columns(header: Header, lines: list[Line]) -> list[Column]:
    """Each value column's header cell, with the note that follows its name in the cell
    (``采购总金额（万元，保留四位小数）``): it shifts a centred cell's middle."""
    taken = {id(g) for found in header.found for g in found.glyphs} | {id(g) for g in in_groups(header)}
    out: list[Column] = []
    for spec, found in zip(header.leaves, header.columns, strict=True):
        if found is None:
            out.append(Column(spec, None))
            continue
        glyphs = list(found.glyphs)
        last = found.glyphs[-1]  # in reading order
        height = found.height
        for line in lines:
            if line.bottom < found.top or line.top > found.bottom + 6 * height:
                continue
            for glyph in line.glyphs:
                if id(glyph) in taken:
                    continue
                same_line = abs(glyph.top - last.top) < 0.5 * height and -1.0 <= glyph.x0 - last.x1 <= 0.8 * height
                below = (last.bottom - 0.3 * height < glyph.top < last.bottom + 0.8 * height
                         and found.left - 0.5 * height <= glyph.x0 and glyph.x1 <= found.right + 0.5 * height
                         and (_open_bracket(glyphs) or key(glyph.char) == "("))
                if same_line or below:
                    glyphs.append(glyph)
                    taken.add(id(glyph))
                    last = glyph
        out.append(Column(spec, found, min(g.x0 for g in glyphs), max(g.x1 for g in glyphs), glyphs))
    return out


def in_groups(header: Header) -> list[Glyph]:
    return [g for group in header.groups for g in group.glyphs]


def _open_bracket(glyphs: list[Glyph]) -> bool:
    text = "".join(flat(g.char) for g in sorted(glyphs, key=lambda g: (round(g.top), g.x0)))
    return text.count("(") > text.count(")")


def make_block(header: Header, lines: list[Line]) -> Block | None:
    columns = header_columns(header, lines)
    found = [c for c in columns if c.header is not None]
    if not found:
        return None
    header.bottom = max(header.bottom, *(g.bottom for c in found for g in c.glyphs))
    return Block(header, columns, min(c.left for c in found) - 0.5)


def column_bounds(block: Block, column: Column) -> tuple[float, float]:
    """Where a value column's cells are taken to stand: halfway to the next column's header
    on either side (the same on every page, so that a continued table lines up)."""
    found = [c for c in block.columns if c.header is not None]
    if column.header is None:
        return (0.0, 0.0)
    index = found.index(column)
    left = (found[index - 1].right + column.left) / 2 if index else column.left
    right = (column.right + found[index + 1].left) / 2 if index + 1 < len(found) else column.right
    return left, right

