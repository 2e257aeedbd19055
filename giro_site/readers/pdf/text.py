"""Characters to text: compatibility characters undone, glyphs into lines, lines into
paragraphs or cell text.

A PDF has no words or paragraphs, only positioned characters. A line is the glyphs that
share a height; its text has a space only where the file has one or, between two Latin
letters or figures, where a gap as wide as a space shows one (never between a figure and
a Chinese character: "2023 年" is how Word spaces mixed text, not a space the author
typed). Lines join into one paragraph when the first was full: a line with room left for
the next line's first word ended because its paragraph did.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from giro_site.readers.pdf.extract import Glyph

# CJK radicals that fonts' ToUnicode tables map to where the ideograph was meant. The Kangxi
# radicals (U+2F00–U+2FD5) and compatibility ideographs have NFKC mappings; the radicals
# supplement mostly has none, so the simplified forms met in reports are listed here.
_SUPPLEMENT = {
    "⺠": "民", "⺟": "母", "⻄": "西", "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车", "⻑": "長", "⻓": "长",
    "⻔": "门", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马", "⻣": "骨",
    "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻬": "齐", "⻮": "齿", "⻯": "龙",
    "⻳": "龟", "⺁": "厂", "⺇": "几", "⺈": "⺈", "⺊": "卜", "⺌": "小", "⺍": "小", "⺎": "兀", "⺏": "尢",
    "⺐": "尢", "⺑": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彐", "⺝": "月", "⺞": "歺", "⺡": "氵", "⺢": "氵",
    "⺣": "灬", "⺤": "爫", "⺥": "爫", "⺦": "丬", "⺧": "牛", "⺨": "犭", "⺩": "王", "⺪": "疋", "⺫": "目",
    "⺬": "示", "⺭": "礻", "⺮": "竹", "⺯": "糸", "⺰": "纟", "⺱": "网", "⺲": "罒", "⺳": "网", "⺴": "网",
    "⺵": "网", "⺶": "羊", "⺷": "羊", "⺸": "羊", "⺹": "老", "⺺": "聿", "⺻": "聿", "⺼": "肉", "⺽": "臼",
    "⺾": "艹", "⺿": "艹", "⻀": "艹", "⻁": "虎", "⻂": "衤", "⻃": "覀", "⻇": "角", "⻈": "讠", "⻊": "足",
    "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "金", "⻒": "镸", "⻕": "门", "⻖": "阝", "⻗": "雨",
    "⻞": "飠", "⻟": "饣", "⻠": "饣", "⻡": "首", "⻪": "黑", "⻫": "斉", "⻭": "歯", "⻰": "竜", "⻱": "龜",
    "⻲": "亀",
}
_SPACES = {"\u00a0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f", "\u205f"}


def _normal_char(char: str) -> str:
    """The character the author typed, for the ones PDF text layers get wrong."""
    code = ord(char)
    if 0x2F00 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F:
        return unicodedata.normalize("NFKC", char)
    if 0x2E80 <= code <= 0x2EFF:
        return _SUPPLEMENT.get(char, char)
    if 0xFF10 <= code <= 0xFF19:  # full-width figures
        return chr(code - 0xFF10 + 0x30)
    if char in _SPACES:
        return " "
    if 0xE000 <= code <= 0xF8FF or unicodedata.category(char) in ("Cc", "Cf"):
        return ""  # private-use glyphs (bullets of symbol fonts) and invisible format characters
    return char


_NORMAL: dict[str, str] = {}


def normal_char(char: str) -> str:
    cached = _NORMAL.get(char)
    if cached is None:
        cached = _NORMAL[char] = _normal_char(char)
    return cached


def is_wide(char: str) -> bool:
    """A Chinese character or full-width punctuation: no space ever goes next to one."""
    return char > "\u2e7f"


_OPENING = set("（【《“‘〔［｛〈「『(")
_CLOSING = set("，。、；：！？）】》”’〕］｝〉」』,.;:!?)%％")


@dataclass(slots=True)
class Line:
    """Glyphs on one line, left to right, with the line's box and its text."""

    glyphs: list[Glyph]
    left: float
    right: float
    top: float
    bottom: float
    text: str = ""
    number: int = 0  # the line on its page, from the top (set by the layout)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def first_word_width(self) -> float:
        """How much room this line's first word needs on the line above: one character, a
        run of Latin letters and figures, and a punctuation mark that may not start a line
        together with what precedes it."""
        glyphs = self.glyphs
        if not glyphs:
            return 0.0
        end = 1
        if not is_wide(glyphs[0].char) and glyphs[0].char.isalnum():
            while end < len(glyphs) and not is_wide(glyphs[end].char) and glyphs[end].char.isalnum():
                end += 1
        if glyphs[0].char in _OPENING or glyphs[0].char in _CLOSING:
            end = min(len(glyphs), end + 1)
        if end < len(glyphs) and glyphs[end].char in _CLOSING:
            end += 1
        return glyphs[min(end, len(glyphs)) - 1].x1 - glyphs[0].x0


def _line_text(glyphs: list[Glyph]) -> str:
    """The line's characters with the spaces it shows. Between two Latin letters or figures
    a gap of a quarter of the line's height is a space; between two Chinese characters only
    a gap that stands out from the line's usual spacing (justified lines spread every gap).
    Never between a figure and a Chinese character, nor before a closing mark."""
    gaps = sorted(b.x0 - a.x1 for a, b in itertools.pairwise(glyphs))
    usual = gaps[len(gaps) // 2] if len(gaps) >= 4 else None
    height = max(g.bottom - g.top for g in glyphs)  # some files give tight boxes: a "一" is thin
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        char = normal_char(glyph.char)
        if not char:
            continue
        if previous is not None and char != " " and parts and parts[-1] != " ":
            before = parts[-1][-1]
            gap = glyph.x0 - previous.x1
            wide_before, wide_after = is_wide(before), is_wide(char[0])
            if not wide_before and not wide_after:
                if gap > 0.25 * height:
                    parts.append(" ")
            elif (wide_before and wide_after and usual is not None and gap > usual + 0.2 * height
                  and char[0] not in _CLOSING and before not in _OPENING):  # punctuation hangs into the margin
                parts.append(" ")
        parts.append(char)
        previous = glyph
    return "".join(parts).strip(" ")


def make_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """Group glyphs into lines by their vertical centre, top to bottom."""
    ordered = sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2)
    groups: list[list[Glyph]] = []
    centre = height = 0.0
    for glyph in ordered:
        middle = (glyph.top + glyph.bottom) / 2
        size = glyph.bottom - glyph.top
        if groups and abs(middle - centre) <= 0.45 * max(height, size):
            groups[-1].append(glyph)
            height = max(height, size)
        else:
            groups.append([glyph])
            centre, height = middle, size
    lines: list[Line] = []
    for group in _overlapping_joined(groups):
        group.sort(key=lambda g: g.x0)
        kept = _without_doubles(group)
        line = Line(kept, min(g.x0 for g in kept), max(g.x1 for g in kept), min(g.top for g in kept),
                    max(g.bottom for g in kept))
        line.text = _line_text(kept)
        if line.text:
            lines.append(line)
    lines.sort(key=lambda line: line.top)
    return lines


def _overlapping_joined(groups: list[list[Glyph]]) -> list[list[Glyph]]:
    """Groups that share most of their height as one line: glyphs of one line whose
    centres straddle the first glyph's tolerance (``2.`` set a little lower than ``其``
    beside a label a little higher) are not two lines."""
    out: list[list[Glyph]] = []
    for group in groups:
        if out:
            top, bottom = min(g.top for g in out[-1]), max(g.bottom for g in out[-1])
            own_top, own_bottom = min(g.top for g in group), max(g.bottom for g in group)
            shared = min(bottom, own_bottom) - max(top, own_top)
            if shared >= 0.6 * min(bottom - top, own_bottom - own_top):
                out[-1].extend(group)
                continue
        out.append(group)
    return out


def _without_doubles(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop a glyph printed again on top of itself (fake bold, shadows)."""
    kept: list[Glyph] = []
    for glyph in glyphs:
        if kept and kept[-1].char == glyph.char and abs(kept[-1].x0 - glyph.x0) < 0.3 * (glyph.x1 - glyph.x0 or 1):
            continue
        kept.append(glyph)
    return kept


@dataclass
class Flow:
    """How lines join: the line pitch of single spacing, as a share of a line's height."""

    pitch: float = 1.2

    def blank_lines(self, above: Line, below: Line) -> int:
        """Empty paragraphs between two lines of one block, from the distance between them."""
        step = below.top - above.top
        pitch = self.pitch * max(above.height, below.height)
        return max(0, round(step / pitch) - 1) if step >= 1.6 * pitch else 0

    def is_wrap(self, above: Line, below: Line, left: float, right: float) -> bool:
        """Whether ``below`` continues ``above``'s paragraph in a block spanning left..right:
        ``above`` had no room left for ``below``'s first word."""
        return fits_not(right - left - (above.right - above.left), below)


def fits_not(room: float, below: Line) -> bool:
    """Whether ``below``'s first word would not have fitted in ``room``. A tenth of a
    character of slack: the exact room is unknown by a border's width or a cell's padding."""
    return room < below.first_word_width() + 0.1 * below.height


def join_two(text: str, following: str) -> str:
    """Two wrapped lines as one: a space only between Latin words."""
    if not text or not following:
        return text + following
    if not is_wide(text[-1]) and not is_wide(following[0]) and text[-1].isalnum() and following[0].isalnum():
        return f"{text} {following}"
    return text + following


def cell_text(lines: list[Line], flow: Flow, inner: tuple[float, float] | None = None) -> str:
    """A cell's lines as the other readers give a cell's paragraphs: wrapped lines joined,
    paragraphs on lines of their own, an empty paragraph as an empty line. ``inner`` is
    the room for text in the cell (its box less padding), where known."""
    if not lines:
        return ""
    left = min(line.left for line in lines)
    right = max(line.right for line in lines)
    if inner is not None:
        left, right = min(left, inner[0]), max(right, inner[1])
    text = lines[0].text
    for above, below in itertools.pairwise(lines):
        blanks = flow.blank_lines(above, below)
        if not blanks and flow.is_wrap(above, below, left, right):
            text = join_two(text, below.text)
        else:
            text += "\n" * (blanks + 1) + below.text
    return text
