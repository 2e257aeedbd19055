"""Every way a figure is written in a cell."""

from __future__ import annotations

import time

import pytest

from giro_site.numbers import UnreadableNumber, parse_amount, parse_count


@pytest.mark.parametrize("text", ["", " ", "\u00a0", "\u3000\u3000", "/", "／", "—", "——", "-", "－", "无", " / "])
def test_blank_marks_are_null_not_zero(text: str) -> None:
    assert parse_count(text) is None
    assert parse_amount(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("12", 12), ("\u00a012", 12), ("12\u00a0", 12), ("\u3000\u300061", 61),
    ("１２３", 123), ("1,234", 1234), ("1，234", 1234), ("12,345,678", 12345678),
    ("-3", -3), ("－3", -3), ("−3", -3), ("+5", 5), ("减3", -3), ("增5", 5), ("减少2", -2),
    ("12件", 12), ("309条", 309), ("2.5", 2.5),
])
def test_counts(text: str, value: float) -> None:
    result = parse_count(text)
    assert result == value
    assert isinstance(result, int) == isinstance(value, int)


@pytest.mark.parametrize("text", ["约3", "三", "1.2.3", "12a", "见附件", "1,23"])
def test_text_that_is_not_a_figure_is_refused(text: str) -> None:
    with pytest.raises(UnreadableNumber):
        parse_count(text)


@pytest.mark.parametrize(("text", "header", "value", "source"), [
    ("3739265元", "采购总金额", 373.9265, "cell"),
    ("25.1万元", "采购总金额", 25.1, "cell"),
    ("25.1万元", "采购总金额（元）", 25.1, "cell"),  # the cell's unit wins
    ("1.2亿元", "", 12000, "cell"),
    ("3,739,265元", "", 373.9265, "cell"),
    ("３７３９２６５元", "", 373.9265, "cell"),
    ("3739265", "采购总金额（元）", 373.9265, "header"),
    ("373.9265", "采购总金额（万元，保留四位小数）", 373.9265, "header"),
    ("12.5", "本年收费金额（单位：万元）", 12.5, "header"),
    ("25.1", "采购总金额", 25.1, "assumed"),
    ("0", "采购总金额", 0, "assumed"),
])
def test_amounts_in_wan_yuan(text: str, header: str, value: float, source: str) -> None:
    amount = parse_amount(text, header)
    assert amount is not None
    assert amount.wan_yuan == value
    assert amount.unit_source == source


@pytest.mark.parametrize("text", ["5\u200b9", "\ufeff59", "5\u200d9", "5\u20609", "5\u00ad9", "\u200e59\u200f"])
def test_invisible_characters_inside_a_figure_are_ignored(text: str) -> None:
    assert parse_count(text) == 59
    amount = parse_amount(text, "（万元）")
    assert amount is not None and amount.wan_yuan == 59


@pytest.mark.parametrize("text", ["1234567890123456", "12345678901234567890", "1,234,567,890,123,456",
                                  "-1234567890123456", "123456789012.3456"])
def test_a_figure_beyond_fifteen_digits_is_unreadable_not_a_huge_number(text: str) -> None:
    for parse in (parse_count, parse_amount):
        with pytest.raises(UnreadableNumber):
            parse(text)
    with pytest.raises(UnreadableNumber):  # fifteen digits, but in 亿元 nineteen in 万元
        parse_amount("999999999999999亿元")
    assert parse_count("123456789012345") == 123456789012345  # fifteen digits are a figure


def test_a_megabyte_of_digits_is_refused_at_once_and_not_quoted_whole() -> None:
    cell = "1" * 1_000_000
    started = time.process_time()
    with pytest.raises(UnreadableNumber) as raised:
        parse_count(cell)
    with pytest.raises(UnreadableNumber):
        parse_amount(cell + "元")
    # It took 30 s of CPU before the length was checked first; a few milliseconds now.
    assert time.process_time() - started < 1.0
    assert len(raised.value.text) < 50
