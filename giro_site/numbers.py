"""Read the figures in table cells: counts, signed changes and money amounts.

A blank is not zero: an empty cell, ``/``, ``—``, ``-`` or ``无`` is None. A cell that is
neither blank nor a number raises ``UnreadableNumber`` so that the caller records it;
it is never turned into a number by guessing.
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
_UNIT_IN_TEXT = re.compile(r"(亿元|万元|千元|元)")


# A figure of the forms: a count (int) or an amount in 万元 (float). One name for every module.
Number = int | float


class UnreadableNumber(ValueError):
    """A cell holds text that is not a figure; ``text`` is what it holds."""

    def __init__(self, text: str):
        self.text = text
        super().__init__(text)


def squeeze(text: str) -> str:
    """NFKC (full-width digits and signs to ASCII) and no whitespace of any kind."""
    text = unicodedata.normalize("NFKC", text)
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
    if not _NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        raise UnreadableNumber(text)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid forms
        raise UnreadableNumber(text) from exc


def as_json_number(value: Decimal) -> int | float:
    """Integers stay integers in JSON; other values become the nearest float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@lru_cache(maxsize=1 << 14)
def parse_count(raw: str) -> int | float | None:
    """A count or a signed change: ``12``, ``１２``, ``1,234``, ``-3``, ``减3``; blank → None."""
    text = squeeze(raw)
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
    text = squeeze(raw)
    if text in BLANK_MARKS:
        return None
    text = _normalise_signs(text)
    cell_unit = None
    match = re.fullmatch(r"(.*?)(亿元|万元|千元|元)", text)
    if match:
        text, cell_unit = match.group(1), match.group(2)
    value = _decimal(text)
    if cell_unit:
        return Amount(as_json_number(value * AMOUNT_UNITS[cell_unit]), "cell")
    header_unit = unit_in(header)
    if header_unit:
        return Amount(as_json_number(value * AMOUNT_UNITS[header_unit]), "header")
    return Amount(as_json_number(value), "assumed")
