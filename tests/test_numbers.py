"""Every way a figure is written in a cell."""

from __future__ import annotations

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
