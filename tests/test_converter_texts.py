"""Reports as PDF-to-Markdown and OCR tools write them: empty cells at the edges of rows,
labels on a line of their own, tables cut into pieces; and the same tables cell for cell in
a web page and a Word document. Every cell is read right, or left blank with a finding that
says why; never a figure in another cell."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import SynthReport, random_report
from giro_site.readers.docx import parse_docx
from giro_site.readers.html import parse_html
from giro_site.report import normalise, parse_report
from tests.conftest import parse_string
from tests.converters import compare, expected_cells, markdown_to_docx, markdown_to_html, to_markdown
from tests.test_forms import report_2021


def _reports() -> list[SynthReport]:
    return [report_2021(), random_report(random.Random(3), "某县教育局", None, 2020),
            random_report(random.Random(11), "某县民政局", None, 2020, subrows=False)]


def _warnings(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["code"], f["where"]) for f in report["findings"]
            if f["severity"] != "info" and f["code"] not in ("REGION_UNKNOWN",)]


READ_WHOLE = {
    "rule-and-padded-labels": {},
    "empty-cell-after-figures": {"edge": "trail"},
    "empty-cell-before-labels": {"edge": "lead"},
    "merged-labels-written-once": {"edge": "merged"},
    "labels-on-the-line-above": {"floating": True},
    "labels-above-and-empty-cell-after": {"floating": True, "edge": "trail"},
    "labels-above-and-empty-cell-before": {"floating": True, "edge": "lead"},
    "review-as-three-tables": {"split_review": True},
    "applications-in-blocks-under-placeholders": {"split_after": (5, 14)},
    "applications-in-blocks-under-repeated-header": {"split_after": (5, 14), "split_header": "repeat"},
    "all-at-once": {"split_after": (4, 15), "split_header": "repeat", "floating": True, "edge": "trail",
                    "split_review": True},
}


def _parsed(markdown: str, kind: str) -> dict[str, Any]:
    """The converter's output as it came (Markdown), or its tables cell for cell in a web
    page or a Word document, as a converter writing those would make them."""
    if kind == "md":
        return parse_string(markdown, "report.md")
    document = parse_html(markdown_to_html(markdown).decode("utf-8")) if kind == "html" \
        else parse_docx(markdown_to_docx(markdown))
    return normalise(document, {"file": f"report.{kind}", "format": kind, "sha256": ""})


@pytest.mark.parametrize("kind", ["md", "html", "docx"])
@pytest.mark.parametrize("way", list(READ_WHOLE))
@pytest.mark.parametrize("number", [0, 1, 2])
def test_converter_output_is_read_cell_for_cell(way: str, number: int, kind: str) -> None:
    report = _reports()[number]
    parsed = _parsed(to_markdown(report, **READ_WHOLE[way]), kind)
    wrong, blank = compare(parsed, expected_cells(report))
    assert wrong == [] and blank == []
    assert _warnings(parsed) == []


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_labels_under_their_figures_in_a_page_or_document_are_never_joined(kind: str) -> None:
    report = report_2021()
    parsed = _parsed(to_markdown(report, labels_below=True), kind)
    wrong, blank = compare(parsed, expected_cells(report))
    assert wrong == [] and blank
    assert "ROW_MISALIGNED" in [f["code"] for f in parsed["findings"]]


def test_the_issues_row_ending_in_an_empty_cell_under_a_label_line() -> None:
    """``| 32 | 2 | 0 | 0 | 0 | 0 | 34 | |`` under its label: 自然人 32, 总计 34."""
    text = to_markdown(report_2021(), floating=True, edge="trail")
    assert "一、本年新收政府信息公开申请数量\n| 9 | 2 | 0 | 0 | 1 | 0 | 12 |  |" in text
    parsed = parse_string(text)
    assert parsed["applications"]["new_received"] == {
        "natural_person": 9, "commercial": 2, "research": 0, "social_org": 0, "legal_service": 1, "other_org": 0,
        "total": 12}


def test_labels_under_their_figures_are_never_joined() -> None:
    """A tool that writes each label below its figures leaves a row of figures before the
    first label: joining each label with the row after it would shift every row."""
    report = report_2021()
    parsed = parse_string(to_markdown(report, labels_below=True))
    wrong, blank = compare(parsed, expected_cells(report))
    assert wrong == []
    assert {path.split(".")[0] for path in blank} == {"applications"}
    misaligned = [f for f in parsed["findings"] if f["code"] == "ROW_MISALIGNED"]
    assert len(misaligned) == 25 and all("没有行名称" in f["message"] for f in misaligned)
    missing = {f["where"] for f in parsed["findings"] if f["code"] == "ROW_MISSING"}
    assert "applications.new_received" in missing
    # The figures are kept, row by row, for the maintainer to read.
    assert ["9", "2", "0", "0", "1", "0", "12"] in [r["raw"] for r in parsed["extra_rows"]]


def _one_row(report: SynthReport, old: str, new: str) -> dict[str, Any]:
    text = to_markdown(report, floating=True)
    assert text.count(old) == 1
    return parse_string(text.replace(old, new))


def test_a_row_of_figures_that_fits_two_ways_is_in_doubt() -> None:
    """Six figures and two empty edge cells under a table of seven value columns: 自然人
    may be the empty first cell or 5."""
    report = report_2021()
    parsed = _one_row(report, "（一）予以公开\n| 5 | 1 | 0 | 0 | 0 | 0 | 6 |",
                      "（一）予以公开\n|  | 5 | 1 | 0 | 0 | 0 | 0 |  |")
    assert parsed["applications"]["granted"] == dict.fromkeys(parsed["applications"]["granted"])
    [doubt] = [f for f in parsed["findings"] if f["code"] == "ROW_MISALIGNED"]
    assert doubt["where"] == "applications" and "5 1 0 0 0 0" in doubt["message"]
    wrong, _ = compare(parsed, expected_cells(report))
    assert wrong == []


def test_a_row_with_more_figures_than_columns_is_in_doubt() -> None:
    report = report_2021()
    text = to_markdown(report).replace("| （一）予以公开 |  | 5 | 1 | 0 | 0 | 0 | 0 | 6 |",
                                       "| （一）予以公开 |  | 5 | 1 | 0 | 0 | 0 | 0 | 6 | 7 |")
    parsed = parse_string(text)
    assert all(v is None for v in parsed["applications"]["granted"].values())
    assert ("ROW_MISALIGNED", "applications.granted") in [(f["code"], f["where"]) for f in parsed["findings"]]
    assert not [f for f in parsed["findings"] if f["code"] == "ROW_MISSING" and f["where"] == "applications.granted"]


def test_a_label_line_out_of_the_forms_order_is_not_joined() -> None:
    """（二） written above the row after （三）'s first sub-row: its figures stay apart."""
    report = report_2021()
    text = to_markdown(report, floating=True)
    moved = text.replace("（二）部分公开\n| 2 | 0 | 0 | 0 | 1 | 0 | 3 |\n", "", 1)
    moved = moved.replace("2.其他法律行政法规禁止公开\n", "（二）部分公开\n| 2 | 0 | 0 | 0 | 1 | 0 | 3 |\n"
                          "2.其他法律行政法规禁止公开\n", 1)
    parsed = parse_string(moved)
    wrong, _ = compare(parsed, expected_cells(report))
    assert wrong == []
    assert parsed["applications"]["partially_granted"]["total"] is None


def test_review_blocks_without_a_group_name_or_named_twice_are_not_guessed() -> None:
    report = report_2021()
    text = to_markdown(report, split_review=True)
    unnamed = text.replace("| 行政诉讼：复议后起诉 |", "| 行政诉讼 |")
    parsed = parse_string(unnamed)
    assert all(v is None for v in parsed["review_litigation"]["litigation_after_review"].values())
    assert parsed["review_litigation"]["review"] == report.review["review"]
    codes = [(f["code"], f["where"]) for f in parsed["findings"]]
    assert ("ROW_MISALIGNED", "review_litigation") in codes
    assert ("ROW_MISSING", "review_litigation.litigation_after_review") in codes
    twice = parse_string(text.replace("| 行政诉讼：复议后起诉 |", "| 行政复议 |"))
    assert twice["review_litigation"]["review"] == report.review["review"]
    assert all(v is None for v in twice["review_litigation"]["litigation_after_review"].values())
    assert "ROW_DUPLICATE" in [f["code"] for f in twice["findings"]]


def test_review_groups_as_rows_under_one_header() -> None:
    report = report_2021()
    rows = "\n".join(f"| {name} | " + " | ".join(str(report.review[group][o]) for o in
                                                 ("upheld", "corrected", "other", "pending", "total")) + " |"
                     for name, group in (("行政复议", "review"), ("未经复议直接起诉", "litigation_direct"),
                                         ("复议后起诉", "litigation_after_review")))
    table = "| 项目 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|---|\n" + rows + "\n"
    text = to_markdown(report)
    start = text.index("| 行政复议 |")
    end = text.index("## 五")
    parsed = parse_string(text[:start] + table + "\n" + text[end:])
    assert parsed["review_litigation"] == report.review
    assert _warnings(parsed) == []


def test_placeholder_header_of_a_block_names_no_column() -> None:
    """A block headed ``| 数据1 | … | 数据6 |`` over rows of a label and six cells: the block
    has fewer columns than the table, so its figures are not placed by guess."""
    report = report_2021()
    text = to_markdown(report, split_after=(5,))
    block_start = text.index("| 数据1 |")
    header_end = text.index("\n", text.index("\n", block_start) + 1)
    short = text[:block_start] + "| 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 |\n|---|---|---|---|---|---|" + \
        text[header_end:].replace("| 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 0 | 0 | 0 | 0 | 0 |", 1)
    parsed = parse_string(short)
    wrong, blank = compare(parsed, expected_cells(report))
    assert wrong == []
    assert blank and all(path.startswith("applications.denied_") for path in blank)
    assert "ROW_MISALIGNED" in [f["code"] for f in parsed["findings"]]


def test_markdown_files_are_read_as_text(tmp_path: Path) -> None:
    report = report_2021()
    path = tmp_path / "报告.md"
    path.write_text(to_markdown(report, floating=True, edge="trail"), encoding="utf-8")
    parsed = parse_report(path)
    assert compare(parsed, expected_cells(report)) == ([], [])


def test_a_cell_broken_with_br_is_one_label() -> None:
    report = report_2021()
    note = "（区分处理的，只计这一情形，不计其他情形）"
    text = to_markdown(report).replace("| （二）部分公开 |", f"| （二）部分公开<br>{note} |")
    parsed = parse_string(text)
    assert parsed["applications"]["partially_granted"] == report.applications["partially_granted"]
    assert _warnings(parsed) == []
