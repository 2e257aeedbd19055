"""Files made to hurt the build: each of issue 15's reproductions, at the smallest size that
showed it, gives a clear per-file reason or the right figures, in bounded time and memory.

Budgets are loose on purpose (an order of magnitude above what the input costs now, and an
order below what it cost before): this is not a benchmark, it catches the quadratic and
the unbounded."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sqlite3
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.readers import read_document
from giro_site.readers.docx import DocxReader
from giro_site.readers.encoding import decode_text
from giro_site.readers.html import HtmlReader
from giro_site.readers.text import parse_text
from giro_site.report import normalise, parse_report
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.model import headline
from tests.conftest import SEEDS, parse_string, seed_text
from tests.sitecheck import published_reports
from tests.writers import document_to_docx, document_to_html, docx_package

CPU_SECONDS = 20.0  # each case below costs well under two seconds, traced
PEAK_BYTES = 300 * 1024 * 1024  # and well under 50 MB; before, several took 4-8 GB


def within_budget(work: Callable[[], Any]) -> Any:
    """The result of ``work`` (or the ReportError it raised), after checking its CPU time and
    peak of traced memory against the loose budgets."""
    tracemalloc.start()
    started = time.process_time()
    try:
        result: Any = work()
    except ReportError as error:
        result = error
    finally:
        spent = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert spent < CPU_SECONDS, f"{spent:.1f} s of CPU"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB at peak"
    return result


def read(name: str, data: bytes) -> Document | ReportError:
    return within_budget(lambda: read_document(Path(name), data))  # type: ignore[no-any-return]


def refused(result: object, *words: str) -> str:
    assert isinstance(result, ReportError), result
    assert all(word in result.reason for word in words), result.reason
    return result.reason


def figures(document: Document) -> dict[str, Any]:
    report = normalise(document, {"file": "x", "format": "x", "sha256": ""})
    return {key: report[key] for key in ("proactive", "applications", "review_litigation")}


SEED = parse_text(seed_text("001"))


# --- issue item 3: one small file stopped the whole build --------------------------------------


def test_a_thousand_nested_hyperlinks_in_a_word_file_are_read() -> None:
    body = "<w:p>" + "<w:hyperlink>" * 1000 + "<w:r><w:t>文字</w:t></w:r>" + "</w:hyperlink>" * 1000 + "</w:p>"
    document = read("a.docx", docx_package(body))
    assert isinstance(document, Document) and [b.text for b in document.paragraphs] == ["文字"]


def test_a_thousand_nested_tables_in_a_web_page_are_read() -> None:
    page = "<table><tr><td>" * 1000 + "文字" + "</td></tr></table>" * 1000
    document = read("a.html", page.encode())  # RecursionError before
    assert isinstance(document, Document) and document.tables[0].rows[0].cells[0].text == "文字"


def test_a_report_inside_thousands_of_layout_tables_keeps_its_figures() -> None:
    page = document_to_html(SEED).decode("utf-8")
    start, end = page.index("<body>") + len("<body>"), page.index("</body>")
    deep = page[:start] + "<table><tr><td>" * 3000 + page[start:end] + "</td></tr></table>" * 3000 + page[end:]
    document = read("a.html", deep.encode())
    assert isinstance(document, Document) and figures(document) == figures(SEED)


def test_a_report_inside_thousands_of_content_controls_keeps_its_figures() -> None:
    packed = document_to_docx(SEED)
    xml = zipfile.ZipFile(io.BytesIO(packed)).read("word/document.xml").decode("utf-8")
    body = xml[xml.index("<w:body>") + len("<w:body>"):xml.index("<w:sectPr")]
    wrapped = "<w:sdt><w:sdtContent>" * 3000 + body + "</w:sdtContent></w:sdt>" * 3000
    document = read("a.docx", docx_package(wrapped))
    assert isinstance(document, Document) and figures(document) == figures(SEED)


def _content(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    for name, data in files.items():
        path = content / "reports" / "2020" / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return content


def test_twenty_digit_figures_are_findings_and_the_site_builds(tmp_path: Path) -> None:
    text = seed_text("001")
    assert "\t59\n" in text and "主动公开政府信息309条" in text
    huge = text.replace("\t59\n", "\t12345678901234567890\n", 1)
    huge = huge.replace("政府信息309条", "政府信息12345678901234567890条")
    content = _content(tmp_path, {"a.txt": huge})
    result = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02"))
    assert (result.reports, result.problems) == (1, [])
    with zipfile.ZipFile(tmp_path / "public" / "data" / "reports-2020.sqlite.zip") as archive:
        archive.extract("reports-2020.sqlite", tmp_path)
    db = sqlite3.connect(tmp_path / "reports-2020.sqlite")  # SQLite took the 20 digits for an error before
    assert db.execute("SELECT proactive_items FROM reports").fetchone()[0] is None
    messages = [m for (m,) in db.execute("SELECT message FROM findings WHERE code = 'VALUE_UNREADABLE'")]
    assert len(messages) == 1 and "12345678901234567890" in messages[0]
    report = published_reports(tmp_path / "public")[0]
    assert report["proactive"]["normative_documents"]["new_made"] is None  # blank, not 0, not huge
    assert report["proactive"]["normative_documents"]["total_published"] == 119


# --- issue item 4: time and memory within the size limits ------------------------------------------


def test_forty_thousand_unclosed_font_lines_are_refused_in_bounded_memory() -> None:
    page = "<p>年度报告</p>" + "<font>x<br>\n" * 40_000  # 6.3 GB and 62 s before
    refused(read("a.html", page.encode()), "不像是一份年度报告")


def test_a_hundred_thousand_unclosed_divs_are_refused() -> None:
    refused(read("a.html", ("<div>x\n" * 100_000).encode()), "不像是一份年度报告")  # MemoryError at 7.8 GB before


def test_twenty_thousand_nested_tables_are_read_in_bounded_time() -> None:
    document = read("a.html", ("<table><tr><td>" * 20_000 + "x").encode())  # past 120 s before
    assert isinstance(document, Document) and document.tables[0].rows[0].cells[0].text == "x"


def test_rowspan_zero_over_many_cells_is_refused_not_expanded() -> None:
    rows = "".join("<tr>" + "<td rowspan=0>1</td>" * 300 + "</tr>" for _ in range(1000))  # 57 s, 4.1 GB before
    refused(read("a.html", f"<table>{rows}</table>".encode()), "标记")
    # Under the cap on tags, the spans expand past the cap on cells: refused as they do.
    rows = ("<tr>" + "<td rowspan=0>1" * 100) * 100
    refused(read("a.html", f"<table>{rows}</table>".encode()), "rowspan")


def test_a_rowspan_of_zero_reaches_the_end_of_the_table_only() -> None:
    page = "<table><tr><td rowspan=0>a<td>1<tr><td>2<tr><td>3</table>"
    document = read("a.html", page.encode())
    assert isinstance(document, Document)
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [["a", "1"], ["", "2"], ["", "3"]]


def test_sixteen_megabytes_of_one_letter_lines_are_refused_at_once() -> None:
    refused(read("a.txt", b"a\n" * (8 * 1024 * 1024 - 1)), "行")  # 80 s before


def test_a_word_file_of_empty_paragraphs_is_refused_at_once() -> None:
    data = docx_package("<w:p/>" * 1_750_000)  # 30 s before
    assert len(data) < 200_000
    refused(read("a.docx", data), "XML")


# --- issue item 6: figures lost to invisible characters in a label ------------------------------------


@pytest.mark.parametrize("mark", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_an_invisible_character_inside_a_label_keeps_the_rows_figures(mark: str) -> None:
    text = seed_text("001")
    assert text.count("\t规范性文件\n") == 1
    report = parse_string(text.replace("\t规范性文件\n", f"\t规范{mark}性文件\n"))
    row = report["proactive"]["normative_documents"]
    assert (row["new_made"], row["new_published"], row["total_published"]) == (59, 18, 119)  # blanks before
    assert report["findings"] == parse_string(text)["findings"]


def test_a_row_that_fails_to_map_keeps_the_report_from_showing_as_consistent() -> None:
    text = seed_text("001")
    report = parse_string(text.replace("\t规范性文件\n", "\t规范性文件汇编目录\n"))  # matches no form row
    assert report["proactive"]["normative_documents"]["total_published"] != 119 or report["extra_rows"]
    assert headline(parse_string(text)).quality == "ok"
    assert headline(report).quality != "ok"


# --- issue item 11: encodings ----------------------------------------------------------------------


def test_a_big5_file_is_named_as_big5_not_as_no_report(tmp_path: Path) -> None:
    text = "臺北市政府資訊公開工作年度報告\n一、總體情況\n本年度主動公開政府資訊三百零九條。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5") * 20)
    with pytest.raises(ReportError) as raised:
        parse_report(path)
    assert "Big5" in raised.value.reason and "不像是" not in raised.value.reason
    with pytest.raises(ReportError, match="Big5"):
        decode_text(text.encode("big5"), declared="big5")
    assert decode_text("政府信息公开工作年度报告，主动公开309条。".encode("gbk")).startswith("政府信息")


# --- items 7 and 8: symbolic links and the site inside the content folder ----------------------------


def test_links_out_of_the_content_folder_and_loops_are_skipped_with_a_message(tmp_path: Path) -> None:
    content = _content(tmp_path, {"a.txt": seed_text("000")})
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SEEDS[1], outside / "secret.txt")
    year = content / "reports" / "2020"
    (year / "b.txt").symlink_to(outside / "secret.txt")
    (content / "reports" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (year / "up").symlink_to("..", target_is_directory=True)  # a loop
    (content / "reports" / "self").symlink_to("self")  # ELOOP
    (content / "archive").mkdir()
    shutil.copy(SEEDS[2], content / "archive" / "c.txt")
    (content / "reports" / "archive").symlink_to("../archive", target_is_directory=True)  # inside: read
    os.mkfifo(year / "pipe.txt")  # never opened: reading it would wait for ever
    result = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02"))
    assert result.reports == 2  # a.txt and archive/c.txt
    reasons = {problem.split("：", 1)[0].rsplit("/", 1)[-1]: problem for problem in result.problems}
    assert set(reasons) == {"b.txt", "elsewhere", "up", "self"}
    assert "内容文件夹以外" in reasons["b.txt"] and "内容文件夹以外" in reasons["elsewhere"]
    assert "循环" in reasons["up"] and "循环" in reasons["self"]
    published = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "public" / "agency").rglob("*.html"))
    assert "高岭镇" not in published  # the secret's agency


def test_a_site_inside_the_content_folder_is_never_read_back(tmp_path: Path) -> None:
    content = _content(tmp_path, {"a.txt": seed_text("000")})
    first = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02"))
    shutil.copytree(tmp_path / "public", content / "reports" / "old-site")  # moved in by hand
    again = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02"))
    assert first.reports == again.reports == 1
    assert any("old-site" in problem and "本程序生成的网站" in problem for problem in again.problems)


def test_a_file_name_that_is_not_utf8_is_named_not_read(tmp_path: Path) -> None:
    content = _content(tmp_path, {"a.txt": seed_text("000")})
    os.rename(content / "reports" / "2020" / "a.txt", os.fsencode(content / "reports" / "2020") + b"/\xff.txt")
    result = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02"))
    assert result.reports == 0 and len(result.problems) == 1 and "UTF-8" in result.problems[0]


# --- properties: any nesting of markup, in bounded time and memory ----------------------------------

_HTML_TAGS = ["table", "tr", "td", "th", "tbody", "div", "p", "font", "span", "a", "li", "ul", "article", "nav"]
_HTML_ATTRIBUTES = ["", ' rowspan="0"', ' colspan="0"', ' rowspan="1000"', ' colspan="999"', ' class="nav"',
                    ' style="display:none"', ' rowspan="99999999999999999999"']
_TEXTS = ["一、总体情况", "12", "年度报告", "<br>", "&nbsp;", "", "（七）总计"]
html_runs = st.tuples(st.sampled_from(["open", "close", "text"]), st.sampled_from(_HTML_TAGS),
                      st.sampled_from(_HTML_ATTRIBUTES), st.sampled_from(_TEXTS), st.integers(1, 2000))


def _page(runs: list[tuple[str, str, str, str, int]]) -> bytes:
    parts = []
    for kind, tag, attributes, text, times in runs:
        piece = {"open": f"<{tag}{attributes}>{text}", "close": f"</{tag}>", "text": f"{text}\n"}[kind]
        parts.append(piece * times)
    return "".join(parts).encode("utf-8")


def _read_and_parse(reader: Callable[[], Document]) -> None:
    def work() -> None:
        figures(reader())

    within_budget(work)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(st.lists(html_runs, max_size=30))
def test_any_nesting_of_markup_is_read_or_refused_in_bounded_time_and_memory(
        runs: list[tuple[str, str, str, str, int]]) -> None:
    data = _page(runs)
    _read_and_parse(lambda: HtmlReader().read(data))


_WRAPPERS = ["w:hyperlink", "w:sdt", "w:sdtContent", "w:customXml", "w:smartTag", "w:ins", "w:r", "w:tbl", "w:tr",
             "w:tc", "w:p", "w:txbxContent", "w:del", "w:fldSimple"]
_LEAVES = ["<w:r><w:t>一、总体情况</w:t></w:r>", "<w:r><w:t>12</w:t></w:r>", "<w:p/>", "<w:tab/>", "<w:br/>",
           '<w:tcPr><w:gridSpan w:val="99999999"/><w:vMerge/></w:tcPr>', "<w:t>年度报告</w:t>"]


def _nest(parts: tuple[str, int, list[str]]) -> str:
    tag, times, inner = parts
    return f"<{tag}>" * times + "".join(inner) + f"</{tag}>" * times


word_xml = st.recursive(st.sampled_from(_LEAVES),
                        lambda inner: st.tuples(st.sampled_from(_WRAPPERS), st.integers(1, 2000),
                                                st.lists(inner, max_size=4)).map(_nest),
                        max_leaves=20)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(st.lists(word_xml, max_size=6))
def test_any_nesting_of_word_xml_is_read_or_refused_in_bounded_time_and_memory(body: list[str]) -> None:
    data = docx_package("".join(body))
    _read_and_parse(lambda: DocxReader().read(data))


# --- cost grows linearly: eight times the nesting or lines, about eight times the cost -------------------
# Peak traced memory is deterministic; CPU is the best of three runs, against a floor so that a
# fast small case does not make the ratio noise. A cost quadratic in the input would grow 64×.

GROWTH = 8
SLACK = 3  # linear is 8×; allowed up to 24×


def cost(read: Callable[[bytes], object], data: bytes, runs: int = 3) -> tuple[float, int]:
    """CPU seconds (best of ``runs``) and peak traced bytes of reading ``data`` (read or refused)."""
    def once() -> None:
        with contextlib.suppress(ReportError):
            read(data)

    tracemalloc.start()
    try:
        once()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    spent = [0.0] if not runs else []
    for _ in range(runs):
        started = time.process_time()
        once()
        spent.append(time.process_time() - started)
    return min(spent), peak


def assert_linear(read: Callable[[bytes], object], make: Callable[[int], bytes], n: int) -> None:
    small_cpu, small_peak = cost(read, make(n))
    large_cpu, large_peak = cost(read, make(GROWTH * n))
    assert large_peak < SLACK * GROWTH * max(small_peak, 256 * 1024), (small_peak, large_peak)
    assert large_cpu < SLACK * GROWTH * max(small_cpu, 0.02), (small_cpu, large_cpu)


GROWING_PAGES: dict[str, Callable[[int], str]] = {
    "nested tables": lambda n: "<table><tr><td>" * n + "x",
    "nested closed tables": lambda n: "<table><tr><td>" * n + "x" + "</td></tr></table>" * n,
    "unclosed divs": lambda n: "<div>x\n" * n,
    "unclosed font and br": lambda n: "<p>年度报告</p>" + "<font>x<br>\n" * n,
    "rowspan=0 cells": lambda n: "<table>" + ("<tr>" + "<td rowspan=0>1</td>" * 20 + "</tr>") * (n // 20),
    "nested lists in cells": lambda n: "<table><tr><td>" + "<ul><li>x" * n,
}
GROWING_WORD: dict[str, Callable[[int], str]] = {
    "nested hyperlinks": lambda n: "<w:p>" + "<w:hyperlink>" * n + "<w:r><w:t>x</w:t></w:r>" + "</w:hyperlink>" * n
                                   + "</w:p>",
    "nested content controls": lambda n: "<w:sdt><w:sdtContent>" * n + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                                         + "</w:sdtContent></w:sdt>" * n,
    "nested tables": lambda n: "<w:tbl><w:tr><w:tc>" * n + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                               + "</w:tc></w:tr></w:tbl>" * n,
    "empty paragraphs": lambda n: "<w:p/>" * n,
    "nested text boxes": lambda n: ("<w:p><w:r><w:txbxContent>" * n + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                                    + "</w:txbxContent></w:r></w:p>" * n),
}


@pytest.mark.parametrize("name", GROWING_PAGES)
def test_a_web_pages_cost_grows_linearly_with_its_nesting_and_lines(name: str) -> None:
    assert_linear(HtmlReader().read, lambda n: GROWING_PAGES[name](n).encode("utf-8"), 1000)


@pytest.mark.parametrize("name", GROWING_WORD)
def test_a_word_files_cost_grows_linearly_with_its_nesting_and_paragraphs(name: str) -> None:
    assert_linear(DocxReader().read, lambda n: docx_package(GROWING_WORD[name](n)), 1000)


def test_a_text_files_cost_grows_linearly_with_its_lines() -> None:
    line = "\t规范性文件\n\t59\n\n"
    assert_linear(lambda data: parse_text(data.decode("utf-8")), lambda n: (line * n).encode("utf-8"), 2000)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(st.lists(html_runs.map(lambda run: (*run[:4], run[4] % 200 + 1)), min_size=1, max_size=20))
def test_any_markup_eight_times_over_costs_at_most_some_eight_times_the_memory(
        runs: list[tuple[str, str, str, str, int]]) -> None:
    small = _page(runs)
    large = _page([(*run[:4], run[4] * GROWTH) for run in runs])
    small_peak, large_peak = (cost(HtmlReader().read, data, runs=0)[1] for data in (small, large))
    assert large_peak < SLACK * GROWTH * max(small_peak, 256 * 1024), (small_peak, large_peak)
