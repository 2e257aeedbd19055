"""Read the figures in table cells: counts, signed changes and money amounts.

A blank is not zero: an empty cell, ``/``, ``—``, ``-`` or ``无`` is None. A cell that is
neither blank nor a number raises ``UnreadableNumber`` so that the caller records it;
it is never turned into a number by guessing. Nor is a figure of more than 15 digits: no
count or amount of the forms comes near, a double holds no more exactly, and JSON readers
and SQLite (64-bit integers) would choke on it. The check comes before any conversion, so
a cell of a million digits costs no more than a short one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

BLANK_MARKS = {"", "/", "／", "\\", "—", "——", "–", "-", "－", "无", "空", "null", "N/A", "n/a", "×", "*"}

# Units an amount may be written in, as a multiplier to 万元.
AMOUNT_UNITS: dict[str, Decimal] = {
    "亿元": Decimal(10000),
    "万元": Decimal(1),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?$")
MAX_DIGITS = 15
# The longest text that can hold a figure of MAX_DIGITS digits: sign, separators, a point.
_MAX_LENGTH = 2 * MAX_DIGITS
# The largest figure kept, once converted to 万元 (an amount in 亿元 grows by four digits).
_MAX_VALUE = Decimal(10) ** MAX_DIGITS
_UNIT_IN_TEXT = re.compile(r"(亿元|万元|千元|元)")


# A figure of the forms: a count (int) or an amount in 万元 (float). One name for every module.
Number = int | float


class UnreadableNumber(ValueError):
    """A cell holds text that is not a figure; ``text`` is what it holds (its start, if long)."""

    def __init__(self, text: str):
        self.text = excerpt(text)
        super().__init__(self.text)


def excerpt(text: str, limit: int = 40) -> str:
    """The start of a cell's text for a message: a cell can hold a megabyte."""
    return text if len(text) <= limit else text[:limit] + "…"


def visible(text: str) -> str:
    """Without invisible format characters (Unicode category Cf: zero-width space and joiners,
    word joiner, BOM, soft hyphen, direction marks), which copying from a web page or Word
    leaves inside text and NFKC keeps. Printable text (nearly all) is returned at once."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def squeeze(text: str) -> str:
    """NFKC (full-width digits and signs to ASCII), no whitespace or invisible character."""
    text = visible(unicodedata.normalize("NFKC", text))
    return "".join(text.split())


def _normalise_signs(text: str) -> str:
    # NFKC keeps these dashes; as a sign before a digit they mean minus.
    text = re.sub(r"^[−–—－]+(?=\d)", "-", text)
    # 增5 / 减3 / 增加5 / 减少3, written in the 本年增/减 column.
    match = re.fullmatch(r"(增加?|减少?)(\d.*)", text)
    if match:
        text = ("" if match.group(1).startswith("增") else "-") + match.group(2)
    # A thousands separator written as a Chinese comma or a space between groups.
    return text.replace("，", ",")


def _decimal(text: str) -> Decimal:
    if len(text) > _MAX_LENGTH or not _NUMBER.match(text):
        raise UnreadableNumber(text)
    digits = sum(ch.isdigit() for ch in text)
    if not digits or digits > MAX_DIGITS:
        raise UnreadableNumber(text)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid forms
        raise UnreadableNumber(text) from exc


def _short(text: str) -> str:
    """Text too long to be a figure, with any unit or sign word, is refused before parsing."""
    if len(text) > _MAX_LENGTH + 4:
        raise UnreadableNumber(text)
    return text


def _in_range(value: Decimal, text: str) -> Decimal:
    if abs(value) >= _MAX_VALUE:
        raise UnreadableNumber(text)
    return value


def as_json_number(value: Decimal) -> int | float:
    """Integers stay integers in JSON; other values become the nearest float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@lru_cache(maxsize=1 << 14)
def parse_count(raw: str) -> int | float | None:
    """A count or a signed change: ``12``, ``１２``, ``1,234``, ``-3``, ``减3``; blank → None."""
    text = _short(squeeze(raw))
    if text in BLANK_MARKS:
        return None
    text = _normalise_signs(text)
    for suffix in ("件", "条", "个", "项", "次", "人", "份"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return as_json_number(_decimal(text))


@dataclass(frozen=True)
class Amount:
    """An amount in 万元 and how its unit was known: ``cell``, ``header`` or ``assumed``."""

    wan_yuan: int | float
    unit_source: str


def unit_in(text: str) -> str | None:
    """The money unit a header or cell names, if any (``3739265元`` → ``元``)."""
    match = _UNIT_IN_TEXT.search(squeeze(text))
    return match.group(1) if match else None


def parse_amount(raw: str, header: str = "") -> Amount | None:
    """An amount in 万元. A unit in the cell wins over one in the header; with neither, the
    form's own unit (万元) is assumed and the caller should say so."""
    text = _short(squeeze(raw))
    if text in BLANK_MARKS:
        return None
    text = _normalise_signs(text)
    cell_unit = None
    match = re.fullmatch(r"(.*?)(亿元|万元|千元|元)", text)
    if match:
        text, cell_unit = match.group(1), match.group(2)
    value = _decimal(text)
    if cell_unit:
        return Amount(as_json_number(_in_range(value * AMOUNT_UNITS[cell_unit], raw)), "cell")
    header_unit = unit_in(header)
    if header_unit:
        return Amount(as_json_number(_in_range(value * AMOUNT_UNITS[header_unit], raw)), "header")
    return Amount(as_json_number(value), "assumed")
