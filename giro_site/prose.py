"""The report's prose: the narrative sections and the headline figures that live only in
the text (the number of items proactively disclosed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from giro_site.document import Document, Paragraph
from giro_site.identity import Identity
from giro_site.labels import flat
from giro_site.numbers import MAX_DIGITS
from giro_site.sections import SECTION_KEYS, find_headings

NARRATIVE_SECTIONS = {0: "overview", 4: "problems", 5: "other_matters"}

# ``全年主动公开政府信息86条``, ``共更新和发布信息54条``, ``累计主动公开信息203条``,
# ``主动公开政府信息共计1,234条``. The verb must be one of disclosing or publishing, and
# the count must be of 信息, so ``共提出建议7条`` and ``采用信息数252条`` do not match.
_ITEMS = re.compile(
    r"(?:主动公开|更新和发布|发布和更新|公开发布|发布|更新)"
    r"(?:各类|各项|政府|政务)*信息"
    r"(?:共计|合计|累计|总计|共|计|达到|达|为)?"
    r"(?P<n>\d{1,3}(?:[,，]\d{3})+|\d+)\s*(?:条|篇|件)"
)
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")


@dataclass(frozen=True)
class Metric:
    value: int | None
    evidence: str | None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def proactive_items(texts: list[str]) -> Metric:
    """The first sentence stating the count of items proactively disclosed.

    Sentences with 主动公开 are preferred to ones that only say 发布 (publishing news is
    not proactive disclosure when the report states both)."""
    candidates: list[tuple[int, int, int, str]] = []
    for position, text in enumerate(texts):
        for sentence in _sentences(text):
            squeezed = flat(sentence)
            match = _ITEMS.search(squeezed)
            if match:
                digits = re.sub(r"[,，]", "", match.group("n"))
                if len(digits) > MAX_DIGITS:  # not a count (numbers.MAX_DIGITS says why)
                    continue
                value = int(digits)
                rank = 0 if "主动公开" in match.group(0) else 1
                candidates.append((rank, position, value, sentence))
    if not candidates:
        return Metric(None, None)
    _, _, value, sentence = min(candidates, key=lambda c: (c[0], c[1]))
    return Metric(value, sentence)


def narrative(document: Document, identity: Identity) -> dict[str, str]:
    """Sections 一, 五 and 六 as text, paragraphs separated by a newline; the preamble too.

    The title and signature lines are left out: they are the agency and date fields."""
    skip = set(identity.title_indexes) | set(identity.signature.block_indexes)
    headings = find_headings(document)
    heading_at = {h.block_index: h.section for h in headings}
    parts: dict[str, list[str]] = {"preamble": [], **{key: [] for key in NARRATIVE_SECTIONS.values()}}
    current = "preamble"
    for index, block in enumerate(document.blocks):
        if index in heading_at:
            current = NARRATIVE_SECTIONS.get(heading_at[index], "")
            continue
        if index in skip or not isinstance(block, Paragraph) or not current:
            continue
        text = block.text.strip()
        if text:
            parts[current].append(text)
    return {key: "\n".join(lines) for key, lines in parts.items()}


def section_texts(document: Document) -> dict[str, list[str]]:
    """Every paragraph by section key, for searches that prefer one section."""
    headings = {h.block_index: SECTION_KEYS[h.section] for h in find_headings(document)}
    out: dict[str, list[str]] = {"preamble": []}
    current = "preamble"
    for index, block in enumerate(document.blocks):
        current = headings.get(index, current)
        if isinstance(block, Paragraph) and index not in headings:
            out.setdefault(current, []).append(block.text)
    return out
