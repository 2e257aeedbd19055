"""Figures that live in the prose, and messages that never call a blank cell 0.

The sentences are the ones the issue quotes from real reports, in the sentences around them."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.checks import describe
from giro_site.forms.spec import APPLICANT_KEYS
from giro_site.prose.narrative import proactive_items, received_applications
from tests.conftest import ROOT, parse_string, seed_text
from tests.sitecheck import page_text

# --- the headline, not the breakdown ----------------------------------------------------------

BREAKDOWN = ("2020年，我局共公布政府信息2599条，（其中：机构职能类信息12条，政策文件类信息340条，……，"
             "其他应主动公开政府信息856条）。")
SECOND = "2021年，我局共主动公开政府信息2602条，其中规范性文件类信息86条、其他政府信息1053条。"
WECHAT = ("全年通过门户网站、政务微信、政务微博等渠道主动公开各类政府信息7700余条。"
          "其中，“临江发布”微信公众号全年发布信息672条。")


@pytest.mark.parametrize(("text", "value", "approximate"), [
    (BREAKDOWN, 2599, False),
    (SECOND, 2602, False),
    (WECHAT, 7700, True),
    ("2021年，全年主动公开政府信息超过7000条，信息公开的及时性进一步提高。", 7000, True),
    ("全年主动公开政府信息约1.2万条。", 12000, True),
    ("全年主动公开政府信息3,156条。", 3156, False),
    # The seeds' wordings stay as they were.
    ("2020年，全年主动公开政府信息86条，办理人大、政协建议提案2件，均圆满答复。", 86, False),
    ("2020年，我街道通过门户网站及微信公众号等渠道累计主动公开信息203条。", 203, False),
    ("2020年我镇共更新和发布信息54条。", 54, False),
    ("全年在区政府门户网站和政务微信主动公开政府信息420条。", 420, False),
])
def test_the_sentence_total_is_the_metric(text: str, value: int, approximate: bool) -> None:
    metric = proactive_items([text])
    assert (metric.value, metric.approximate) == (value, approximate)
    assert metric.evidence == text.split("。")[0] + "。"


@pytest.mark.parametrize("text", [
    "“临江发布”微信公众号全年发布信息672条，阅读量超过10万次。",  # one channel
    "在政务微博发布信息120条。",
    "通过政务公开栏公开信息35条。",
    "网站“通知公告”栏目更新信息48条。",
    "通过“XX发布”微信公众号和微博发布信息96条。",  # the new media, not the total

    "较上年多发布信息30条。",  # a comparison, not a total
    "日均更新信息5条。",
    "（其中主动公开政府信息856条）",  # a breakdown only
    "全年共受理依申请公开信息12件。",  # applications, not proactive disclosure
    "不予公开信息5条。",
])
def test_no_number_is_better_than_the_wrong_one(text: str) -> None:
    assert proactive_items([text]).value is None


def test_the_channel_count_is_not_taken_when_the_total_is_elsewhere() -> None:
    metric = proactive_items(["“临江发布”微信公众号发布信息672条。", "全年主动公开政府信息7700余条。"])
    assert (metric.value, metric.approximate) == (7700, True)


def test_metric_carries_approximate_and_the_agency_page_shows_it(tmp_path: Path) -> None:
    text = seed_text("002").replace("2020年我镇共更新和发布信息54条。", WECHAT)
    report = parse_string(text)
    assert report["metrics"]["proactive_items"] == {"value": 7700, "evidence": WECHAT.split("。")[0] + "。",
                                                    "approximate": True}
    assert parse_string(seed_text("001"))["metrics"]["proactive_items"]["approximate"] is False

    from giro_site.site.build.builder import BuildOptions, build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "reports" / "2020" / "002_6a7134ba6c38d59e.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, build_date="2026-01-02"))
    page = next(p for p in out.rglob("*.html") if "临江发布" in p.read_text(encoding="utf-8")
                and "主动公开条数出自报告原文" in p.read_text(encoding="utf-8"))
    shown = page_text(page)
    assert re.search(r"约\s*7,?700\s*条", shown), shown[:400]
    assert "原文为约数" in shown


# --- the year's received applications against table 三 -------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("全年共收到政府信息公开申请21件，均已按时答复。", 21),
    ("本年度共受理公民、法人或其他组织提出的政府信息公开申请12件。", 12),
    ("2020年共收到依申请公开申请5件，其中当面申请2件。", 5),
    ("全年未收到政府信息公开申请。", 0),
])
def test_a_clear_received_total_is_read(text: str, value: int) -> None:
    assert received_applications([text]).value == value


@pytest.mark.parametrize("text", [
    "共受理政府信息公开申请23件（含上年结转2件）。",  # received and carried over together
    "其中网上申请3件。",
    "全年收到网上申请5件。",  # one channel
    "全年办结政府信息公开申请20件。",  # processed, not received
    "收到行政复议申请2件。",
    "上年结转政府信息公开申请2件。",
    "全年收到群众来信来访12件。",
    "与上年相比，收到政府信息公开申请增加5件。",
    # Sentences of real reports that state another total than the year's received one.
    "自2008年以来，累计收到政府信息公开申请120件。",  # since the law, not this year
    "近三年共收到政府信息公开申请60件。",
    "上半年共收到政府信息公开申请10件。",  # part of the year
    "2020年1月至11月共收到政府信息公开申请18件。",
    "全区各级行政机关共收到政府信息公开申请1200件。",  # the region's bodies, not this one
    "全市共受理政府信息公开申请3450件。",
    "区政府本级收到政府信息公开申请40件。",
    "通过门户网站收到政府信息公开申请5件。",  # one channel
    "全年共收到申请21件，均已办结。",  # applications of any kind, not for information
    "全年共收到并办理政府信息公开申请21件。",  # received and processed in one figure
    "收到涉及土地征收的政府信息公开申请8件。",  # a sub-category
])
def test_other_figures_about_applications_are_not_taken_for_the_received_total(text: str) -> None:
    assert received_applications([text]).value is None


@pytest.mark.parametrize(("text", "value"), [
    ("全年共收到政府信息公开申请21件，其中自然人申请20件。", 21),  # the breakdown is not the total
    ("全年共收到政府信息公开申请21件，同比增长10%。", 21),  # a comparison in the next clause
    ("截至2020年12月31日，共收到政府信息公开申请21件。", 21),  # the whole year
    ("全年未收到依申请公开事项。", 0),  # seed 000
])
def test_a_clear_total_beside_other_figures_is_read(text: str, value: int) -> None:
    assert received_applications([text]).value == value


def test_no_seed_and_no_report_from_the_forms_gets_a_received_mismatch() -> None:
    """The seeds state what they received (or that they received none) in their own words;
    none of them disagrees with its table 三, and the check must say nothing there."""
    for prefix in ("000", "001", "002", "003", "004"):
        assert "RECEIVED_MISMATCH" not in [f["code"] for f in parse_string(seed_text(prefix))["findings"]]
    for number in range(6):
        built = random_report(random.Random(number), "青石镇人民政府", None, 2020 + number % 3)
        assert "RECEIVED_MISMATCH" not in [f["code"] for f in parse_string(render_text(built))["findings"]]


def test_sentences_that_disagree_state_nothing_clearly() -> None:
    assert received_applications(["全年收到政府信息公开申请21件。", "共收到政府信息公开申请20件。"]).value is None


def _with_received(sentence: str) -> str:
    return seed_text("002").replace("2020年我镇共更新和发布信息54条。", f"2020年我镇共更新和发布信息54条。{sentence}")


def test_received_figure_that_differs_from_table_3_is_a_warning_with_the_sentence() -> None:
    report = parse_string(_with_received("全年共收到政府信息公开申请3件，均已按时答复。"))
    [found] = [f for f in report["findings"] if f["code"] == "RECEIVED_MISMATCH"]
    assert found["severity"] == "warning" and found["where"] == "applications.new_received.total"
    assert "全年共收到政府信息公开申请3件，均已按时答复。" in found["message"]
    assert "3件" in found["message"] and "总计为1" in found["message"]
    assert found["line"] == 7  # the paragraph that says it


@pytest.mark.parametrize("sentence", ["全年共收到政府信息公开申请1件，均已按时答复。", "全年收到网上申请3件。",
                                      "共受理政府信息公开申请3件（含上年结转2件）。"])
def test_received_figure_that_agrees_or_is_unclear_says_nothing(sentence: str) -> None:
    report = parse_string(_with_received(sentence))
    assert "RECEIVED_MISMATCH" not in [f["code"] for f in report["findings"]]


def test_a_blank_received_total_is_not_compared() -> None:
    text = seed_text("000").replace("在此特公布", "全年共收到政府信息公开申请3件。在此特公布")
    text = text.replace("\t0\n\n\t二、上年结转", "\t\u00a0\n\n\t二、上年结转", 1)
    report = parse_string(text)
    assert report["applications"]["new_received"]["total"] is None
    assert "RECEIVED_MISMATCH" not in [f["code"] for f in report["findings"]]


# --- messages never call a blank 0 -----------------------------------------------------------


def test_describe_names_blank_cells() -> None:
    assert describe([("a", None)]) == "空白（未填写）"
    assert describe([("a", None), ("b", None)]) == "空白（均未填写）"
    assert describe([("a", 2), ("b", None), ("c", 1)]) == "3（已填写的2格之和，另有1格空白）"
    assert describe([("a", 2), ("b", 0)]) == "2"


def test_blank_totals_are_called_blank_not_zero() -> None:
    """The case of the issue: 总计 cells left blank gave messages that said 总计为0."""
    text = seed_text("002")
    lines = text.split("\n")
    start = lines.index("\t一、本年新收政府信息公开申请数量")
    lines[start + 7] = "\t\u00a0"  # 总计 of 一、本年新收 (was 1)
    report = parse_string("\n".join(lines))
    messages = [f["message"] for f in report["findings"] if f["code"] in {"ROW_TOTAL", "BALANCE"}]
    assert messages
    for message in messages:
        assert "总计为0" not in message and "按0计算" not in message
    row_total = next(f for f in report["findings"] if f["code"] == "ROW_TOTAL")
    assert row_total["message"].startswith(
        "“一、本年新收政府信息公开申请数量”一行：总计为空白（未填写），但各类申请人之和为1")
    balance = next(f for f in report["findings"] if f["where"] == "applications.total")
    assert "空白" in balance["message"] and "另有1格空白" in balance["message"]


def _blank_some(report: Any, rng: random.Random) -> None:
    for key in rng.sample(sorted(report.applications), 4):
        column = rng.choice(APPLICANT_KEYS)
        report.applications[key][column] = None


@pytest.mark.parametrize("number", range(12))
def test_no_finding_calls_a_blank_cell_zero(number: int) -> None:
    """Reports built from the form with random cells left blank: wherever a finding's cell is
    blank its message says 空白, and no message counts a blank as 0."""
    rng = random.Random(number)
    built = random_report(rng, "青石镇人民政府", None, rng.choice([2020, 2022]), blanks=True, broken=number % 2 == 0)
    _blank_some(built, rng)
    report = parse_string(render_text(built))
    codes = {"BALANCE", "ROW_TOTAL", "RESULTS_TOTAL", "OTHER_SUBTOTAL", "REVIEW_TOTAL"}
    identity = [f for f in report["findings"] if f["code"] in codes]
    assert identity or number % 2  # a broken report always has findings
    for found in identity:
        assert "按0" not in found["message"]
        if found["severity"] == "warning":  # failed only because of blanks: it names them
            assert "空白" in found["message"], found
        parts = found["where"].split(".")
        if len(parts) == 3:
            table, row, column = parts
            if report[table][row][column] is None:
                assert re.search(r"为空白", found["message"]), found


# A zero standing alone in a message: not part of a larger number (2020, 10, 0.5).
_ZERO = re.compile(r"(?<![\d.,])0(?![\d.,])")


def _blank_totals(built: Any, rng: random.Random, *, blank_results: bool) -> None:
    """Every 总计 cell blank, every stated cell at least 1: a 0 in a message can then only be
    a blank cell called 0. The figures no longer add up, so every identity has its say."""
    for table in (built.applications, built.proactive, built.review):
        for row in table.values():
            for column, value in row.items():
                if value is not None and not isinstance(value, float) and value <= 0:
                    row[column] = rng.randint(1, 5)
    for row in built.applications.values():
        if "total" in row:
            row["total"] = None
    for group in built.review.values():
        group["total"] = None
    if blank_results:
        built.applications["total_processed"] = dict.fromkeys(built.applications["total_processed"])


def _finding_texts(site: Path) -> list[str]:
    """Every finding as the site shows it: the list items of its pages' finding lists, and
    the messages of its JSON files."""
    texts: list[str] = []
    item = re.compile(r"<ul class=findings>(.*?)</ul>", re.S)
    for page in site.rglob("*.html"):
        for block in item.findall(page.read_text(encoding="utf-8")):
            texts += [re.sub(r"<[^>]+>", "", li) for li in block.split("<li")[1:]]
    for data in site.rglob("*.json"):
        texts += re.findall(r'"message":\s*"((?:[^"\\]|\\.)*)"', data.read_text(encoding="utf-8"))
    return texts


def test_no_message_of_a_corpus_with_blank_totals_calls_a_blank_zero(tmp_path: Path) -> None:
    """Bodies of both forms reporting two years each, every 总计 cell blank: no finding in the
    reports' JSON nor anywhere on the built site (pages and data files, the cross-year checks
    included) says a blank cell is 0, and the messages name the blanks."""
    from giro_site.report import parse_report
    from giro_site.site.build.builder import BuildOptions, build_site

    rng = random.Random(16)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("reports"))
    parsed: list[dict[str, Any]] = []
    for body, (name, years) in enumerate([("青石镇人民政府", (2020, 2021)), ("白水镇人民政府", (2021, 2022)),
                                          ("红山街道办事处", (2019, 2020)), ("绿洲乡人民政府", (2022, 2023))]):
        for year in years:
            built = random_report(rng, name, "北京市密云区", year, blanks=True, subrows=body % 2 == 0,
                                  broken=True)
            _blank_totals(built, rng, blank_results=body == 3)
            path = content / "reports" / str(year) / f"{body}-{year}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_text(built), encoding="utf-8")
            parsed.append(parse_report(path))
    messages = [f["message"] for report in parsed for f in report["findings"]]
    found = {f["code"] for report in parsed for f in report["findings"]}
    assert {"BALANCE", "ROW_TOTAL", "RESULTS_TOTAL", "REVIEW_TOTAL"} <= found
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, build_date="2026-01-02"))
    shown = _finding_texts(out)
    assert len(shown) >= len(messages) and any("CARRYOVER" in t or "上年结转" in t for t in shown)
    for text in messages + shown:
        assert not _ZERO.search(text.split("（原文第")[0].replace("空白不等于0", "")), text
        assert "按0" not in text
    blank_named = [m for m in messages if "空白" in m]
    assert len(blank_named) >= 20 and any("另有" in m and "格空白" in m for m in blank_named)


# --- the body's name: never a converter's marks, a section word or a page's menu -------------

def _titled(*lines: str) -> dict[str, Any]:
    """Seed 001 with its two title lines replaced by ``lines``."""
    text = seed_text("001").replace("密云区高岭镇人民政府\n\n2020年政府信息公开工作年度报告", "\n".join(lines), 1)
    assert text != seed_text("001")
    return parse_string(text)


@pytest.mark.parametrize("lines", [
    ("# 密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("## **密云区高岭镇人民政府2020年政府信息公开工作年度报告**",),
    ("**密云区高岭镇人民政府**", "**2020年政府信息公开工作年度报告**"),
    ("标题：密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("标题:密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("【标题】密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("正文", "密云区高岭镇人民政府", "2020年政府信息公开工作年度报告"),
    ("目录", "密云区高岭镇人民政府2020年政府信息公开工作年度报告"),
    ("附件1", "密云区高岭镇人民政府2020年政府信息公开工作年度报告"),
    ("附件：密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("密云区高岭镇人民政府2020年政府信息公开工作年度", "报告"),
    ("2021/1/8 下午3:05 密云区高岭镇人民政府2020年政府信息公开工作年度报告",),
    ("国务院 市政府 区政府 部门网站", "某某区人民政府门户网站 无障碍 English", "首页 政务公开 互动交流",
     "当前位置：首页 > 政务公开 > 政府信息公开年报", "密云区高岭镇人民政府2020年政府信息公开工作年度报告",
     "来源：高岭镇人民政府　时间：2021-01-08"),
])
def test_the_name_is_the_bodys_whatever_surrounds_the_title(lines: tuple[str, ...]) -> None:
    report = _titled(*lines)
    assert (report["agency"], report["region"], report["year"]) == ("高岭镇人民政府", "密云区", 2020)
    assert report["title"] == "密云区高岭镇人民政府2020年政府信息公开工作年度报告"
    assert report["division"]["township"] == "高岭镇"
    assert not any(mark in (report["agency"] + report["region"]) for mark in ("#", "*", "标题", "正文", "附件"))


def test_a_section_word_alone_before_the_title_is_never_the_name() -> None:
    """The name comes from the signature when the title has none; 正文 and 目录 never are one."""
    for word in ("正文", "目录", "附件"):
        report = _titled(word, "2020年政府信息公开工作年度报告")
        assert report["agency"] == "高岭镇人民政府" and report["year"] == 2020


def test_a_footer_after_the_signature_does_not_hide_it() -> None:
    title = "2020年政府信息公开工作年度报告"
    text = seed_text("001").replace(f"密云区高岭镇人民政府\n\n{title}", title, 1)
    footer = ["分享到：微信 微博", "【打印本页】 【关闭窗口】", "主办单位：某某区人民政府　网站标识码：1100000001"]
    text = text.rstrip("\n") + "\n" + "\n".join(footer) + "\n"
    report = parse_string(text)
    assert report["agency"] == "高岭镇人民政府" and report["signature"]["date"] is not None
    assert "网站标识码" not in report["narrative"].get("other_matters", "")
