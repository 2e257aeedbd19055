"""Normalise the labels of rows, columns and headings so that variants compare equal.

Reports write the same label many ways: ordinary, full-width and no-break spaces, a
label split over lines, ``1．`` or ``1.`` or ``1、``, Chinese or ASCII quotes and brackets.
Matching is done on ``core(label)``: the label without any of that and without its
enumerator (``三、``, ``（一）``, ``1.``) or explanatory note in brackets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from giro_site.numbers import visible

_QUOTES = dict.fromkeys(map(ord, "“”‘’\"'「」『』〝〞"), None)
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})
_PUNCT = dict.fromkeys(map(ord, "、，,;；:：。.·・"), None)
_ENUMERATOR = re.compile(
    r"^(?:"
    r"[一二三四五六七八九十]+[、.]"  # 一、 三.
    r"|\([一二三四五六七八九十]+\)[、.]?"  # (一)
    r"|\(\d+\)[、.]?"  # (1)
    r"|\d+[、.)](?!\d)"  # 1. 1、 1)
    r"|第[一二三四五六七八九十]+[部分项]?[、.]?"  # 第一部分
    r")"
)
_NOTE = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=1 << 16)
def flat(text: str) -> str:
    """NFKC, no whitespace or invisible character of any kind, no quotes, one style of brackets.

    Cached: the same labels recur in every report of a form."""
    text = visible(unicodedata.normalize("NFKC", text)).translate(_QUOTES).translate(_BRACKETS)
    return "".join(text.split())


@lru_cache(maxsize=1 << 12)
def is_enumerator(text: str) -> bool:
    """Whether the text is only an enumerator: ``四、``, ``（一）``, ``1.``, ``(2)``."""
    words = flat(text)
    match = _ENUMERATOR.match(words)
    return match is not None and match.end() == len(words)


_NUMERAL = re.compile(r"[一二三四五六七八九十]+|\d+")


@lru_cache(maxsize=1 << 12)
def enumerator(text: str) -> tuple[bool, str] | None:
    """A label's leading enumerator as (bracketed, numeral), whatever its punctuation:
    ``1.``, ``1、`` and ``1．`` are (False, "1"); ``（一）`` and ``(一)`` are (True, "一")."""
    words = flat(text)
    match = _ENUMERATOR.match(words)
    if match is None:
        return None
    numeral = _NUMERAL.search(match.group())
    return (match.group().startswith("("), numeral.group()) if numeral else None


@lru_cache(maxsize=1 << 16)
def core(text: str) -> str:
    """The words of a label: flat, without enumerator, bracketed note or punctuation."""
    text = flat(text)
    previous = None
    while previous != text:
        previous = text
        text = _ENUMERATOR.sub("", text)
    text = _NOTE.sub("", text)
    return text.translate(_PUNCT)


@lru_cache(maxsize=1 << 16)
def matches(label: str, phrases: tuple[str, ...], *, exact: bool = False) -> bool:
    """Whether a label's core is one of ``phrases`` or, for long phrases, contains one.

    Short phrases (``其他``, ``总计``) must match exactly, or ``法人或其他组织`` would be
    taken for ``其他``.
    """
    words = core(label)
    if not words:
        return False
    for phrase in phrases:
        if words == phrase:
            return True
        if not exact and len(phrase) >= 4 and phrase in words:
            return True
    return False
