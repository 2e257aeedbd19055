"""Find the six sections of a report by their headings, and the title above them.

Real reports vary the headings (``四、复议、诉讼和申诉情况``, a missing ``四、``, extra
spaces, full-width punctuation), so a heading is a short paragraph that either carries
the section's numeral and one of its words, or, without numeral, a distinctive phrase.
Sections only move forward, which keeps sub-headings such as ``（二）主动公开情况`` in
section 一 from being taken for section 二.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from giro_site.document import Block, Document, Paragraph
from giro_site.labels import flat

SECTION_KEYS = ("overview", "proactive", "applications", "review", "problems", "other_matters")
SECTION_NUMERALS = "一二三四五六"

# Words that a heading with the right numeral needs one of.
_LOOSE: tuple[tuple[str, ...], ...] = (
    ("总体情况", "概述", "总体"),
    ("主动公开",),
    ("申请",),
    ("复议", "诉讼"),
    ("问题", "改进"),
    ("其他需要报告", "其他事项", "其他"),
)
# Phrases that make a short paragraph a heading even without its numeral.
_STRICT: tuple[tuple[str, ...], ...] = (
    ("总体情况",),
    ("主动公开政府信息情况", "政府信息主动公开情况"),
    ("收到和处理政府信息公开申请情况", "政府信息公开申请情况"),
    ("政府信息公开行政复议行政诉讼情况", "行政复议行政诉讼情况", "复议诉讼和申诉情况", "行政复议和行政诉讼情况"),
    ("存在的主要问题及改进情况", "存在的主要问题和改进情况", "存在的主要问题及改进措施"),
    ("其他需要报告的事项",),
)
_MARKS = re.compile(r"^\s*(?:#{1,6}(?=\s|[^#])\s*|[*_]{2,3}|>\s+|(?:【标题】|标题\s*[:：])\s*)+")
_END_MARKS = re.compile(r"(?:\s*[*_]{2,3}|\s+#+)\s*$")
_MARK_STARTS, _MARK_ENDS = frozenset("#*_>【标"), frozenset("#*_")


def unmarked(text: str) -> str:
    """A line without the marks converters and crawlers add: Markdown's ``# `` and ``**``,
    a crawler's ``标题：``. Most lines have none, told at once."""
    head = text[:1] if not text[:1].isspace() else text.lstrip()[:1]
    tail = text[-1:] if not text[-1:].isspace() else text.rstrip()[-1:]
    if head not in _MARK_STARTS and tail not in _MARK_ENDS and "**" not in text and "__" not in text:
        return text
    text = _END_MARKS.sub("", _MARKS.sub("", text))
    return text.replace("**", "").replace("__", "")


_NUMBERED = re.compile(r"^(?:第)?([一二三四五六])(?:、|\.|部分)")
_MAX_HEADING = 40


@dataclass(frozen=True)
class Heading:
    section: int  # 0..5
    block_index: int
    text: str


def _words(text: str) -> str:
    return flat(text).replace("、", "").replace(",", "").replace("，", "")


# A long paragraph is told from a heading by its first characters: normalising a prefix
# gives at most one character more than its share of the whole (a character composed with
# marks after the cut), so a prefix past the limit puts the whole past it, without NFKC over
# whole paragraphs of narrative.
_PREFIX = 4 * _MAX_HEADING


@lru_cache(maxsize=1 << 14)
def heading_section(text: str) -> int | None:
    """The section (0..5) this line heads, or None. Cached: the text reader asks for every
    line that is not a table cell, and the section finder asks again for paragraphs."""
    if len(text) > _PREFIX and len(_words(text[:_PREFIX])) > _MAX_HEADING + 1:
        return None
    if "#" in text or "*" in text:  # Markdown: ``## 一、总体情况``, ``**二、…**``
        text = unmarked(text)
    words = _words(text)
    if not words or len(words) > _MAX_HEADING or words.endswith("。"):
        return None
    match = _NUMBERED.match(flat(text))
    if match:
        number = SECTION_NUMERALS.index(match.group(1))
        if any(word in words for word in _LOOSE[number]):
            return number
        return None
    for number, phrases in enumerate(_STRICT):
        if any(words.startswith(p) or words.endswith(p) for p in phrases):
            return number
    return None


def find_headings(document: Document) -> list[Heading]:
    """The section headings in order; a section never appears before an earlier one."""
    cached = document.memo.get("headings")
    if cached is None:
        cached = document.memo["headings"] = _find_headings(document.blocks)
    return cached  # type: ignore[return-value]


def _find_headings(blocks: list[Block]) -> list[Heading]:
    found: list[Heading] = []
    last = -1
    for index, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        section = heading_section(block.text)
        if section is not None and section > last:
            found.append(Heading(section, index, block.text))
            last = section
    return found


def section_of_blocks(document: Document) -> list[int | None]:
    """For each block, the section (0..5) it lies in, or None before the first heading."""
    headings = {h.block_index: h.section for h in find_headings(document)}
    current: int | None = None
    out: list[int | None] = []
    for index in range(len(document.blocks)):
        current = headings.get(index, current)
        out.append(current)
    return out
