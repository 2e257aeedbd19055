"""Whatever text comes in, the parser gives a report or a clear error, never a crash."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report
from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.readers.docx import DocxReader
from giro_site.readers.encoding import decode_text
from giro_site.readers.html import HtmlReader
from giro_site.readers.text import parse_text
from giro_site.report import normalise
from tests.conftest import seed_text
from tests.converters import RowStyle, compare, expected_cells, to_markdown
from tests.writers import document_to_docx, document_to_html

SOURCE = {"file": "fuzz.txt", "format": "txt", "sha256": ""}
SEED_LINES = seed_text("001").split("\n") + seed_text("002").split("\n")

# Text made of the pieces reports are made of: table cells, labels, figures, blanks.
pieces = st.one_of(
    st.sampled_from(SEED_LINES),
    st.sampled_from(["", "\t", "\t0", "\t\u00a0", "\t/", "\t—", "\t3739265元", "\t-2", "\t１２", "一、总体情况",
                     "三、收到和处理政府信息公开申请情况", "\t（七）总计", "\t第二十条第（一）项", "\r", "\t\t"]),
    # Rows written one line per row: pipes, Markdown rules, tabs, "label n n n".
    st.sampled_from(["| 规章 | 0 | 1 | 2 |", "|---|---|", "| | |", "规章\t0\t0\t0", "\t\t2.重复申请\t0\t1",
                     "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21", "结果维持 结果纠正 其他结果 尚未审结 总计",
                     "0 0 0 0 0 8 0 0 0 8 0 0 0 0 0", "（三）不予公开 1.属于国家秘密 — — / 无 0 0", "四、 0", "|"]),
    st.text(max_size=20),
)


def _parse_or_refuse(text: str) -> None:
    _normalise_or_refuse(lambda: parse_text(text))


def _normalise_or_refuse(read: Callable[[], Document]) -> None:
    try:
        report = normalise(read(), SOURCE)
    except ReportError as error:
        assert error.reason
        return
    assert report["form"] in {"2019", "2021"}
    assert all(f["severity"] in {"error", "warning", "info"} for f in report["findings"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(pieces, max_size=120).map("\n".join))
def test_any_report_like_text_parses_or_is_refused(text: str) -> None:
    _parse_or_refuse(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_refused(text: str) -> None:
    _parse_or_refuse(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SEED_LINES), max_size=400).map("\n".join))
def test_shuffled_seed_lines_parse_or_are_refused(text: str) -> None:
    _parse_or_refuse(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused(data: bytes) -> None:
    try:
        text = decode_text(data)
    except ReportError as error:
        assert error.reason
        return
    _parse_or_refuse(text)


# --- web pages and Word files ------------------------------------------------------------

SEED_HTML = document_to_html(parse_text(seed_text("001"))).decode("utf-8")
SEED_DOCX = document_to_docx(parse_text(seed_text("004")))
markup = st.one_of(
    st.sampled_from(["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="0">', '<td colspan="x">',
                     '<th rowspan="99999">', "<p>", "</p>", "<br>", "<div class='nav'>", "</div>", "<script>", "<!--",
                     "<![if !supportLists]>", "&nbsp;", "&#0;", "<a href=x>", "</a>", "<meta charset=gbk>"]),
    st.sampled_from(SEED_HTML.split("<")).map(lambda piece: "<" + piece),
    st.text(max_size=12),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(markup, max_size=150).map("".join))
def test_any_markup_parses_or_is_refused(page: str) -> None:
    _normalise_or_refuse(lambda: HtmlReader().read(page.encode("utf-8")))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED_DOCX)), st.binary(max_size=64))
def test_any_damaged_docx_parses_or_is_refused(cut: int, junk: bytes) -> None:
    _normalise_or_refuse(lambda: DocxReader().read(SEED_DOCX[:cut] + junk))


# --- converter Markdown: right cells or findings, never a figure in another cell --------

def _bracket_variant(label: str) -> str:
    return label.replace("（", "(").replace("）", ")")


def _dot_variant(label: str) -> str:
    return label.replace(".", "、", 1) if label[:1].isdigit() else label


def _spaced_variant(label: str) -> str:
    return label[:3] + " " + label[3:] if len(label) > 4 else label


_LABEL_VARIANTS = (None, _bracket_variant, _dot_variant, _spaced_variant)


@st.composite
def converter_markdown(draw: st.DrawFn) -> tuple[str, Any]:
    """A report of either form as a converter's Markdown, each row of table 三 written its
    own way: empty cells added at its edges or left out at its end, labels padded, merged
    or on a line of their own, label variants and spaces around figures."""
    form = draw(st.sampled_from(["2019", "2021"]))
    report = random_report(random.Random(draw(st.integers(0, 10_000))), "某县教育局", None,
                           2020 if form == "2019" else 2022, blanks=draw(st.booleans()))
    ways = draw(st.lists(st.builds(
        RowStyle, lead=st.integers(0, 2), trail=st.integers(0, 2),
        labels=st.sampled_from(["inline", "inline", "merged", "floating"]),
        label=st.sampled_from(_LABEL_VARIANTS), pad=st.sampled_from(["", " ", "  "]), trim=st.booleans()),
        min_size=26, max_size=26))
    split = draw(st.sampled_from([(), (5,), (4, 15)]))
    text = to_markdown(report, style=ways.__getitem__, split_after=split,
                       split_header=draw(st.sampled_from(["placeholder", "repeat"])),
                       split_review=draw(st.booleans()))
    return text, report


_DOUBT = {"ROW_MISALIGNED", "ROW_MISSING", "ROW_UNMAPPED", "LABEL_ASSUMED", "HEADER_ASSUMED", "ROW_DUPLICATE"}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(converter_markdown())
def test_converter_markdown_gives_the_right_cells_or_says_why(case: tuple[str, Any]) -> None:
    text, report = case
    parsed = normalise(parse_text(text), SOURCE)
    wrong, blank = compare(parsed, expected_cells(report))
    assert not wrong, wrong
    said = {f["where"] for f in parsed["findings"] if f["code"] in _DOUBT}
    for path in blank:
        table, row, _ = path.split(".")
        assert {table, f"{table}.{row}", path} & said, (path, parsed["findings"])
