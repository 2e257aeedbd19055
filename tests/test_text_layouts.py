"""The same report as other tools write it as text gives the same JSON as the seeds' layout.

The layouts (``tests/writers.py``): one blank line, or none, between a table and the next
heading; Markdown and pipe tables; tab-separated rows with or without the cells merged from
above (a spreadsheet's and a browser's copy); "label n n n" rows with one space or wide gaps
(hand-typed text, ``pdftotext -layout``). Only ``source`` and line numbers may differ.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import expected_model, random_report, render_text
from giro_site.document import Paragraph
from giro_site.readers.text import parse_text
from tests.conftest import SEED_IDS, SEEDS, parse_string, seed_text
from tests.test_cli import run
from tests.test_formats import comparable
from tests.writers import TEXT_LAYOUTS, document_to_text


def in_layout(text: str, layout: str) -> str:
    return document_to_text(parse_text(text), layout)


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_seed_in_every_text_layout_gives_the_same_json(seed: Path, layout: str) -> None:
    text = seed.read_text(encoding="utf-8")
    written = in_layout(text, layout)
    assert written != text
    assert comparable(parse_string(written)) == comparable(parse_string(text))


FORMS_BUILT = [("2021", 11), ("2021", 12), ("2019", 13), ("2019", 14), ("2021", 15)]


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
@pytest.mark.parametrize(("form", "number"), FORMS_BUILT)
def test_report_built_from_the_form_gives_the_same_json_in_every_text_layout(
        layout: str, form: str, number: int) -> None:
    rng = random.Random(number)
    built = random_report(rng, "青石镇人民政府", "某省某市某区", 2021 if form == "2021" else 2020, form=form,
                          blanks=number % 2 == 1, subrows=True)
    text = render_text(built)
    report = parse_string(in_layout(text, layout))
    for key, value in expected_model(built).items():
        assert report[key] == value, key
    assert comparable(report) == comparable(parse_string(text))


def test_the_layouts_are_what_their_names_say() -> None:
    """Guard against a writer that falls back to the seeds' layout and proves nothing."""
    text = seed_text("002")
    rows = "一、本年新收政府信息公开申请数量"
    assert f"| {rows} | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in in_layout(text, "markdown")
    assert f"{rows}\t1\t0\t0\t0\t0\t0\t1" in in_layout(text, "tsv")
    assert f"{rows} 1 0 0 0 0 0 1" in in_layout(text, "figures")
    assert "\n2.其他法律行政法规禁止公开 0 0 0 0 0 0 0\n" in in_layout(text, "figures")
    assert "\n2.其他法律行政法规禁止公开\t0" in in_layout(text, "tsv-web")
    assert "0 0 0 0 0 8 0 0 0 8 0 0 0 0 0" in in_layout(text, "figures")
    assert "\t0\n\n\n" in text and "\t0\n\n\n" not in in_layout(text, "one-blank")
    assert "\t0\n四、" in in_layout(text, "no-blank")


# --- the rules, one at a time -------------------------------------------------------------


def test_a_heading_ends_a_table_after_one_blank_line() -> None:
    """The case of the issue: the heading became part of the last cell and table 三 was lost."""
    text = seed_text("002").replace("\t0\n\n\n三、收到和处理", "\t0\n\n三、收到和处理")
    document = parse_text(text)
    headings = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    assert "三、收到和处理政府信息公开申请情况" in headings
    report = parse_string(text)
    assert "TABLE_MISSING" not in [f["code"] for f in report["findings"]]
    assert report["applications"]["new_received"]["total"] == 1


def test_a_line_continuing_a_cell_is_not_taken_for_a_heading() -> None:
    document = parse_text("二、主动公开政府信息情况\n\t第二十条\n第（一）项\n\n\t信息内容\n")
    table = document.tables[0]
    assert table.rows[0].texts() == ["第二十条\n第（一）项"]


def test_label_and_figures_on_one_line_are_a_row() -> None:
    document = parse_text("三、收到和处理政府信息公开申请情况\n"
                          "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21\n"
                          "二、上年结转政府信息公开申请数量  0  0  0  0  0  0  0\n")
    assert [r.texts() for r in document.tables[0].rows] == [
        ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"],
        ["二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"],
    ]


def test_labels_on_one_line_split_into_cells_at_spaces() -> None:
    document = parse_text("三、收到和处理政府信息公开申请情况\n"
                          "三、本年度办理结果 （一）予以公开 1 0 0 0 0 0 1\n"
                          "（三）不予公开 1.属于国家秘密 — — / - 无 0 0\n"
                          "四、　结转下年度继续办理 0 0 0 0 0 0 0\n")
    assert [r.texts()[:3] for r in document.tables[0].rows] == [
        ["三、本年度办理结果", "（一）予以公开", "1"],
        ["（三）不予公开", "1.属于国家秘密", "—"],
        ["四、　结转下年度继续办理", "0", "0"],
    ]


@pytest.mark.parametrize("prose", [
    "全年共收到政府信息公开申请 21 件，均已按时答复。",
    "2020年 我镇 主动公开 54 3",  # in section 一, where no table of the form is
    "联系电话：0451 87654321",
    "办公地址：人民路 18 号",
])
def test_prose_with_numbers_never_becomes_a_row(prose: str) -> None:
    text = f"一、总体情况\n{prose}\n{prose}\n二、主动公开政府信息情况\n{prose}\n五、存在的主要问题及改进情况\n无。\n"
    document = parse_text(text)
    assert document.tables == []
    assert [b.text for b in document.blocks if isinstance(b, Paragraph)].count(prose.strip()) == 3


def test_one_figures_line_alone_is_not_a_table() -> None:
    document = parse_text("二、主动公开政府信息情况\n本年共发布 12 3\n我们继续努力。\n")
    assert document.tables == []


def test_a_sentence_between_rows_ends_the_table() -> None:
    document = parse_text("二、主动公开政府信息情况\n规章 0 0 0\n规范性文件 1 1 1\n"
                          "以上数据截至12月31日。\n行政许可 0 0 0\n行政处罚 1 1 1\n")
    assert [len(t.rows) for t in document.tables] == [2, 2]
    assert "以上数据截至12月31日。" in [b.text for b in document.blocks if isinstance(b, Paragraph)]


def test_markdown_rule_lines_are_not_rows() -> None:
    document = parse_text("| 信息内容 | 本年新制作数量 |\n|---|:---:|\n| 规章 | 3 |\n")
    assert [r.texts() for r in document.tables[0].rows] == [["信息内容", "本年新制作数量"], ["规章", "3"]]


def test_a_lone_pipe_line_is_a_paragraph() -> None:
    document = parse_text("首页 | 政务公开 | 年报\n一、总体情况\n")
    assert document.tables == []


def test_review_figures_without_a_label_are_placed_by_the_header() -> None:
    """Table 四's one row of figures, fifteen numbers on a line, under a header written without
    the cells merged from above: the header names the columns, so the figures are placed."""
    text = seed_text("002")
    start, end = text.index("四、政府信息公开行政复议"), text.index("五、存在的主要问题")
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼",
             "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
             "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计",
             "1 0 0 1 2 8 0 0 0 8 0 0 0 0 —", ""]
    report = parse_string(text[:start] + "\n".join(lines) + "\n" + text[end:])
    review = report["review_litigation"]
    assert review["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert review["litigation_direct"]["upheld"] == 8
    assert review["litigation_after_review"]["total"] is None
    assert not [f for f in report["findings"] if f["where"].startswith("review_litigation")]


def test_a_sub_row_on_one_line_inherits_its_parent_only_when_the_row_is_as_wide() -> None:
    document_rows = ("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
                     "行政许可\t1\t0\t1\n其他对外管理服务事项\t行政检查\t2\t0\t2\n{row}\n")
    sub = parse_string(_with_table(document_rows.format(row="行政确认\t3\t0\t3")))
    assert sub["proactive"]["other_services"] == {"previous": 5, "change": 0, "decisions": 5}
    note = parse_string(_with_table(document_rows.format(row="全年发布总数量：12")))
    assert note["proactive"]["other_services"] == {"previous": 2, "change": 0, "decisions": 2}
    assert [r["parent"] for r in note["extra_rows"]] == ["other_services", None]


def _with_table(table_text: str) -> str:
    """Seed 002 with its table 二 replaced."""
    text = seed_text("002")
    start, end = text.index("二、主动公开政府信息情况"), text.index("三、收到和处理政府信息公开申请情况")
    return text[:start] + table_text + "\n" + text[end:]


# --- the command line ---------------------------------------------------------------------


def _check_blocks(output: str) -> dict[str, list[str]]:
    """`check` output by file name (without folder), line references dropped."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line.startswith("共 "):
            current = blocks.setdefault("summary", [])
            current.append(line)
        elif not line.startswith(" "):
            current = blocks.setdefault(Path(line.strip()).name, [])
        elif line.startswith("  "):
            current.append(re.sub(r" 第\d+行", "", line))
    return blocks


def _check_corpus(content: Path, layout: str | None) -> None:
    """The seeds and reports built from both forms (figures that do not add up, blank cells:
    findings whose messages carry figures), in one layout or (None) the seeds' own."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in SEEDS}
    years = dict.fromkeys(texts, 2020)
    for form, number in FORMS_BUILT:
        year = 2021 if form == "2021" else 2020
        built = random_report(random.Random(number), f"青石{number}镇人民政府", "某省某市某区", year, form=form,
                              blanks=True, subrows=True, broken=True)
        built.applications["new_received"]["total"] = None
        texts[f"built-{form}-{number}.txt"] = render_text(built)
        years[f"built-{form}-{number}.txt"] = year
    for name, text in texts.items():
        folder = content / "reports" / str(years[name])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text if layout is None else in_layout(text, layout), encoding="utf-8")


def test_check_reports_the_same_figures_in_every_layout(tmp_path: Path) -> None:
    """`check` on the seeds and on reports built from both forms, written in each layout,
    prints what it prints for the seeds' layout: the same reports, forms, counts and findings
    with their figures (sums of stated cells, blanks named as blanks)."""
    _check_corpus(tmp_path / "seeds-layout", None)
    baseline = run("check", "--content", str(tmp_path / "seeds-layout"))
    expected = _check_blocks(baseline.stdout)
    assert len(expected) == len(SEEDS) + len(FORMS_BUILT) + 1  # a block per report, and the summary
    assert re.search(r"个错误，[1-9]\d* 个提示", baseline.stdout) and "空白（未填写）" in baseline.stdout
    assert "ROW_TOTAL" in baseline.stdout and "TABLE_MISSING" not in baseline.stdout
    for layout in TEXT_LAYOUTS:
        content = tmp_path / layout
        _check_corpus(content, layout)
        result = run("check", "--content", str(content))
        assert result.returncode == 0, result.stdout + result.stderr
        assert _check_blocks(result.stdout) == expected, layout


# --- table 四's row of figures, placed by position only under a header that names the table ---

_REVIEW_HEADER = ["行政复议", "行政诉讼",
                  "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
                  "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计"]


def _with_review(lines: list[str]) -> dict[str, Any]:
    text = seed_text("002")
    start, end = text.index("四、政府信息公开行政复议"), text.index("五、存在的主要问题")
    return parse_string(text[:start] + "\n".join(["四、政府信息公开行政复议、行政诉讼情况", *lines, ""]) + text[end:])


@pytest.mark.parametrize(("header", "sep", "figures_sep"), [
    (_REVIEW_HEADER, "    ", "    "),  # pdftotext -layout: wide gaps
    (_REVIEW_HEADER, "\t", "\t"),  # a spreadsheet's copy
    (_REVIEW_HEADER[:1] + _REVIEW_HEADER[2:], " ", "\t"),  # one header line fewer, figures by tabs
])
def test_review_figures_are_placed_under_a_header_in_any_separator(header: list[str], sep: str,
                                                                     figures_sep: str) -> None:
    figures = ["1", "0", "0", "1", "2", "8", "0", "0", "0", "8", "3", "0", "0", "0", "—"]
    report = _with_review([sep.join(line.split()) for line in header] + [figures_sep.join(figures)])
    review = report["review_litigation"]
    assert review["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert review["litigation_direct"]["total"] == 8
    assert review["litigation_after_review"] == {"upheld": 3, "corrected": 0, "other": 0, "pending": 0,
                                                 "total": None}


def test_review_figures_with_only_the_table_named_are_read_in_the_form_order_with_a_warning() -> None:
    report = _with_review(["行政复议    行政诉讼", "1 0 0 1 2 8 0 0 0 8 0 0 0 0 —"])
    assert report["review_litigation"]["review"]["total"] == 2
    assert "HEADER_ASSUMED" in [f["code"] for f in report["findings"]]


@pytest.mark.parametrize("figures", ["1 0 0 1 2 8 0 0 0 8 0 0 0 0 —", "1\t0\t0\t1\t2\t8\t0\t0\t0\t8\t0\t0\t0\t0\t0"])
def test_review_figures_without_any_header_are_not_placed(figures: str) -> None:
    """Fifteen figures alone under the heading: nothing says they are table 四's, so they are
    not taken for it (a wrong cell is worse than a blank), and the report says the table is
    missing, nothing about a header or rows it does not have."""
    report = _with_review([figures])
    assert all(v is None for group in report["review_litigation"].values() for v in group.values())
    codes = [f["code"] for f in report["findings"] if f["where"].startswith("review_litigation")]
    assert codes == ["TABLE_MISSING"]
