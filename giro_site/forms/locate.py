"""Find the three form tables in a document, by what they contain.

A table is recognised by its own words (``第二十条``, ``申请人情况``, ``行政复议``), and
failing that by the section it sits in. A table with neither that follows a recognised
table in the same section continues it (a table split at a page break, or an HTML page
that puts each block of table 二 in its own ``<table>``); its rows are appended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, filterfalse
from operator import attrgetter

from giro_site.document import Document, Row, Table
from giro_site.labels import flat
from giro_site.prose.sections import section_of_blocks

PROACTIVE, APPLICATIONS, REVIEW = "proactive", "applications", "review_litigation"
KINDS = (PROACTIVE, APPLICATIONS, REVIEW)
_SECTION_KIND = {1: PROACTIVE, 2: APPLICATIONS, 3: REVIEW}

_SIGNALS: dict[str, tuple[str, ...]] = {
    PROACTIVE: ("第二十条", "信息内容", "本年新制作数量", "本年制发件数", "处理决定数量", "政府集中采购",
                "行政事业性收费", "规范性文件"),
    APPLICATIONS: ("申请人情况", "自然人", "法人或其他组织", "本年新收", "上年结转", "本年度办理结果",
                   "结转下年度"),
    REVIEW: ("行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结", "复议后起诉"),
}


@dataclass
class LocatedTable:
    kind: str
    rows: list[Row] = field(default_factory=list)
    line: int | None = None


@dataclass
class Located:
    tables: dict[str, LocatedTable] = field(default_factory=dict)
    unrecognized: list[Table] = field(default_factory=list)


_TEXT, _CELLS = attrgetter("text"), attrgetter("cells")


def classify(table: Table) -> str | None:
    """The table whose signal words this table holds most of (at least two), or None.

    A word of ASCII only (a figure: ``12``, ``3,000``) holds no signal word, so it is left
    out, and the rest, the table's labels, are nearly always those of a table seen before:
    its kind is then known (``_classify_words``, cached)."""
    texts = set(map(_TEXT, chain.from_iterable(map(_CELLS, table.rows[:40]))))  # at C speed
    return _classify_words(frozenset(filterfalse(str.isascii, map(flat, texts))))


assert not any(signal.isascii() for signals in _SIGNALS.values() for signal in signals)


@lru_cache(maxsize=1024)
def _classify_words(words: frozenset[str]) -> str | None:
    text = "\x00".join(words)
    scores = {kind: sum(signal in text for signal in _SIGNALS[kind]) for kind in KINDS}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def locate_tables(document: Document) -> Located:
    """The three tables, looked for once per document (the result is kept in its memo)."""
    cached = document.memo.get("located")
    if isinstance(cached, Located):
        return cached
    located = document.memo["located"] = Located()
    sections = section_of_blocks(document)
    previous: tuple[str, int | None] | None = None
    for block, section in zip(document.blocks, sections, strict=True):
        if not isinstance(block, Table):
            continue
        kind = classify(block)
        if kind is None and section in _SECTION_KIND:
            kind = _SECTION_KIND[section]
        if kind is None and previous is not None and previous[1] == section:
            kind = previous[0]
        if kind is None:
            located.unrecognized.append(block)
            continue
        target = located.tables.setdefault(kind, LocatedTable(kind, line=block.line))
        target.rows.extend(block.rows)
        previous = (kind, section)
    return located
