"""Where the form's column headers stand on a page: the cells of a table printed without
ruling lines are found by the words the form puts in them.

Every column header of the three tables is known in advance (``forms/spec.py``). A header
is looked for character by character: along a line, and where its cell wraps, on the next
line down within the same cell (``本年新制`` / ``作数量``, or one character a line). A word
inside running text (``…处理决定数量较上年…``) is not a header: a header stands apart from
the characters beside it. Of all the places a table's headers are found, the one taken is
the longest chain in the form's order from left to right (table 四's ``结果维持`` … ``总计``
three times over) within a few lines of each other; a header that is not found stays
missing, and its column is not guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from giro_site.forms.spec import APPLICANT_COLUMNS, PROACTIVE_COLUMNS, REVIEW_COLUMNS, ColumnGroup, ColumnSpec
from giro_site.labels import flat
from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.text import Line, is_wide, normal_char

PROACTIVE, APPLICATIONS, REVIEW = "proactive", "applications", "review_litigation"
_BAND_LINES = 7.0  # a table's header cells lie within this many line heights of each other
_TITLE = re.compile(r"^第二十条第[(（][一二三四五六七八九十]+[)）]项$")


def key(char: str) -> str:
    """A character as header words are compared: as meant, full-width folded, no spaces."""
    return flat(normal_char(char))


@dataclass
class Found:
    """A header cell: the form's column (or column group) it names, and its glyphs."""

    name: str  # the phrase that was found
    node: ColumnSpec | ColumnGroup
    glyphs: list[Glyph]
    left: float
    right: float
    top: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    @property
    def height(self) -> float:
        return max(g.bottom - g.top for g in self.glyphs)


@dataclass
class Header:
    """One table's header (one block's, for table 二): its value columns left to right (a
    column whose header was not found is None), its group headers, and where it stands."""

    kind: str
    columns: list[Found | None]
    leaves: list[ColumnSpec]  # the form's column for each entry of ``columns``
    groups: list[Found] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0

    @property
    def found(self) -> list[Found]:
        return [column for column in self.columns if column is not None]


class Page:
    """A page's lines indexed by character, for finding words that may wrap."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.keys = [[key(g.char) for g in line.glyphs] for line in lines]
        self.index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, keys in enumerate(self.keys):
            for position, char in enumerate(keys):
                for part in char:
                    self.index[part].append((number, position))
                    break

    def _next_on_line(self, line: int, position: int) -> int | None:
        keys = self.keys[line]
        position += 1
        while position < len(keys) and not keys[position]:
            position += 1
        return position if position < len(keys) else None

    def _previous_on_line(self, line: int, position: int) -> int | None:
        keys = self.keys[line]
        position -= 1
        while position >= 0 and not keys[position]:
            position -= 1
        return position if position >= 0 else None

    def _apart(self, line: int, a: int | None, b: int | None) -> bool:
        """Whether two neighbouring glyphs of a line are not in one run of text: a word
        inside a sentence has its neighbours at the line's usual spacing."""
        if a is None or b is None:
            return True
        glyphs = self.lines[line].glyphs
        first, second = glyphs[a], glyphs[b]
        height = max(first.bottom - first.top, second.bottom - second.top)
        gap = second.x0 - first.x1
        if gap > 0.3 * height:
            return True
        if gap > 0.2 * height and self._between_headers(line, a, b):
            return True
        return not (is_wide(first.char) and is_wide(second.char)) or not (
            key(first.char).isalnum() and key(second.char).isalnum())

    def _between_headers(self, line: int, a: int, b: int) -> bool:
        """Whether a slightly wider gap on a line parts two header cells set close together
        (a browser's narrow cells): the text on both sides of it is header words (two
        characters that stand together in one of the form's header names)."""
        keys = self.keys[line]
        before = "".join(keys[max(0, a - 1):a + 1])
        after = "".join(keys[b:b + 2])
        return before in _pairs() and after in _pairs()

    def find(self, phrase: str) -> list[list[Glyph]]:
        """Every place the phrase is printed as a header (see the module docstring)."""
        out: list[list[Glyph]] = []
        for line, position in self.index.get(phrase[0], ()):
            if self.keys[line][position] != phrase[0]:
                continue
            if not self._apart(line, self._previous_on_line(line, position), position):
                continue
            found = self._extend(phrase, 1, line, position, [(line, position)])
            if found is not None:
                out.append([self.lines[li].glyphs[gi] for li, gi in found])
        return out

    def _extend(self, phrase: str, done: int, line: int, position: int,
                taken: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        if done == len(phrase):
            after = self._next_on_line(line, position)
            if after is not None and not self._apart(line, position, after) and self.keys[line][after] != "(":
                return None  # the word goes on: part of a longer word or sentence
            return taken
        glyph = self.lines[line].glyphs[position]
        height = glyph.bottom - glyph.top
        after = self._next_on_line(line, position)
        if after is not None and self.keys[line][after] == phrase[done]:
            gap = self.lines[line].glyphs[after].x0 - glyph.x1
            if gap <= 1.6 * height:
                found = self._extend(phrase, done + 1, line, after, [*taken, (line, after)])
                if found is not None:
                    return found
        if after is not None and not self._apart(line, position, after):
            return None  # the line goes on, so the cell does not wrap here
        # The cell wraps: the rest starts a line below, within the cell's extent so far.
        left = min(self.lines[li].glyphs[gi].x0 for li, gi in taken)
        right = max(self.lines[li].glyphs[gi].x1 for li, gi in taken)
        top = self.lines[line].top
        for below, candidate in self.index.get(phrase[done], ()):
            if below <= line or self.keys[below][candidate] != phrase[done]:
                continue
            other = self.lines[below]
            if not (top + 0.5 * height < other.top <= self.lines[line].bottom + 1.3 * height):
                continue
            start = other.glyphs[candidate]
            if not (left - 0.8 * height <= start.x0 <= right - 0.2 * height):
                continue
            previous = self._previous_on_line(below, candidate)
            if previous is not None and other.glyphs[previous].x1 > left - 0.2 * height:
                continue  # not where the cell's line starts
            found = self._extend(phrase, done + 1, below, candidate, [*taken, (below, candidate)])
            if found is not None:
                return found
        return None


@lru_cache(maxsize=1)
def _pairs() -> frozenset[str]:
    """Every two characters that stand together in one of the form's header names."""
    phrases: set[str] = {"信息内容"}
    pending: list[ColumnSpec | ColumnGroup] = [APPLICANT_COLUMNS, REVIEW_COLUMNS,
                                               *(c for cs in PROACTIVE_COLUMNS.values() for c in cs)]
    while pending:
        node = pending.pop()
        phrases.update(node.phrases)
        if isinstance(node, ColumnGroup):
            pending.extend(node.children)
    words = ["".join(key(c) for c in phrase) for phrase in phrases]
    return frozenset(word[i:i + 2] for word in words for i in range(len(word) - 1))


def _found(page: Page, node: ColumnSpec | ColumnGroup) -> list[Found]:
    out: list[Found] = []
    seen: set[int] = set()
    for phrase in sorted(node.phrases, key=len, reverse=True):  # the longest name first
        for glyphs in page.find(phrase):
            if id(glyphs[0]) in seen:
                continue
            seen.update(id(g) for g in glyphs)
            out.append(Found(phrase, node, glyphs, min(g.x0 for g in glyphs), max(g.x1 for g in glyphs),
                             min(g.top for g in glyphs), max(g.bottom for g in glyphs)))
    return out


def _chain(candidates: list[list[Found]]) -> list[Found | None]:
    """One candidate per column (or None), left to right in the form's order, all within
    a few lines of each other: the longest such chain, the most compact of equals."""
    best: list[Found | None] = [None] * len(candidates)
    best_score = (0, 0.0)
    anchors = [c for column in candidates for c in column]
    for anchor in anchors:
        reach = _BAND_LINES * anchor.height
        near = [[c for c in column if abs(c.top - anchor.top) <= reach] for column in candidates]
        # Longest increasing chain over (column order, x): dynamic programming over columns.
        states: list[tuple[int, float, list[Found | None]]] = [(0, float("-inf"), [])]
        for column in near:
            following: dict[int, tuple[int, float, list[Found | None]]] = {}
            for count, edge, chosen in states:
                options = [(count, edge, [*chosen, None])]
                options += [(count + 1, c.right, [*chosen, c]) for c in column if c.left >= edge - 0.5]
                for option in options:
                    kept = following.get(option[0])
                    if kept is None or option[1] < kept[1]:
                        following[option[0]] = option
            states = list(following.values())
        for count, _, chosen in states:
            tops = [c.top for c in chosen if c is not None]
            spread = max(tops) - min(tops) if tops else 0.0
            if (count, -spread) > best_score:
                best_score, best = (count, -spread), chosen
    return best


@lru_cache(maxsize=1)
def _proactive_columns() -> tuple[ColumnSpec, ...]:
    seen: dict[str, ColumnSpec] = {}
    for columns in PROACTIVE_COLUMNS.values():
        for column in columns:
            seen.setdefault(column.key + column.label, column)
    return tuple(seen.values())


def _groups(tree: ColumnGroup) -> list[ColumnGroup]:
    out: list[ColumnGroup] = []
    pending: list[ColumnSpec | ColumnGroup] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ColumnGroup):
            if node.phrases:
                out.append(node)
            pending.extend(node.children)
    return out


def _tree_header(page: Page, kind: str, tree: ColumnGroup, needed: int) -> Header | None:
    leaves = [leaf for _, leaf in tree.leaves()]
    cache: dict[int, list[Found]] = {}
    candidates = [cache.setdefault(id(leaf), _found(page, leaf)) for leaf in leaves]
    chosen = _chain(candidates)
    found = [c for c in chosen if c is not None]
    if len(found) < needed:
        return None
    top, bottom = min(c.top for c in found), max(c.bottom for c in found)
    groups = [g for group in _groups(tree) for g in _found(page, group)
              if top - 3 * g.height <= g.top <= bottom and g.left <= max(c.right for c in found)
              and g.right >= min(c.left for c in found)]
    if groups:
        top = min(top, *(g.top for g in groups))
    return Header(kind, chosen, leaves, groups, top, bottom)


def _proactive_headers(page: Page) -> list[Header]:
    """Table 二's block headers: the column names that stand on one header line."""
    cells = [c for column in _proactive_columns() for c in _found(page, column)]
    cells.sort(key=lambda c: c.top)
    bands: list[list[Found]] = []
    for cell in cells:
        if bands and cell.top <= max(c.bottom for c in bands[-1]) + 0.3 * cell.height:
            bands[-1].append(cell)
        else:
            bands.append([cell])
    out: list[Header] = []
    for band in bands:
        band.sort(key=lambda c: c.left)
        kept: list[Found] = []
        for cell in band:  # one name per place: the longer of two overlapping ones
            if kept and cell.left < kept[-1].right - 0.5:
                if len(cell.name) > len(kept[-1].name):
                    kept[-1] = cell
                continue
            kept.append(cell)
        out.append(Header(PROACTIVE, list(kept), [c.node for c in kept if isinstance(c.node, ColumnSpec)],
                          top=min(c.top for c in kept), bottom=max(c.bottom for c in kept)))
    return out


def find_headers(lines: list[Line]) -> list[Header]:
    """The form's table headers on a page, top to bottom."""
    page = Page(lines)
    out = _proactive_headers(page)
    for kind, tree, needed in ((APPLICATIONS, APPLICANT_COLUMNS, 4), (REVIEW, REVIEW_COLUMNS, 8)):
        header = _tree_header(page, kind, tree, needed)
        if header is not None:
            out.append(header)
    out.sort(key=lambda h: h.top)
    return out


def is_block_title(text: str) -> bool:
    """A block title of table 二 (``第二十条第（一）项``)."""
    return bool(_TITLE.match(flat(text)))
