"""The text reader's fast path (a tab-layout table read whole) gives the document the
line-by-line reading gives, for every text: the seeds, synthetic reports and text made of
the pieces reports are made of."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report, render_text
from giro_site.document import Table
from giro_site.readers.text import parse_text
from tests.conftest import SEEDS, seed_text

SEED_LINES = [line for path in SEEDS for line in path.read_text(encoding="utf-8").split("\n")]

# Cells, the blank lines between rows and tables, headings, words that continue a cell or
# stand after a table, one-line rows ("label n n n") and the line ends of other systems.
pieces = st.one_of(
    st.sampled_from(SEED_LINES),
    st.sampled_from(["", "", "", "\t", "\t0", "\t12", "\t\u00a0", "\t/", "\t（七）总计", "\t第二十条第（一）项",
                     "一、总体情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                     "公开", "（三）不予", "后文。", "规章 0 0 0", "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21",
                     "结果维持 结果纠正 其他结果", "\r", " ", "\t\t", "[bookmark: _Toc1]"]),
    st.text(alphabet="\t\n 一、0公开", max_size=8),
)


def _same(text: str) -> None:
    fast, slow = parse_text(text), parse_text(text, fast=False)
    assert fast.blocks == slow.blocks
    assert fast == slow


def test_seeds_read_the_same_both_ways() -> None:
    for path in SEEDS:
        _same(path.read_text(encoding="utf-8"))


def test_synthetic_reports_read_the_same_both_ways() -> None:
    rng = random.Random(11)
    for number in range(60):
        report = random_report(rng, f"测试机关{number}", "北京市密云区", 2019 + number % 4)
        report.paragraphs = number % 4
        _same(render_text(report))


def test_the_fast_path_is_taken_for_the_usual_layout() -> None:
    """The seeds' tables are read whole (the fast path is not dead code): a cell line's
    continuation makes the loop read the table (seed 001's ``（三）不予`` / blank / ``公开``)."""
    text = "一、总体情况\n\ta\n\tb\n\n\tc\n\n\n后文\n"
    document = parse_text(text)
    assert [r.texts() for r in document.blocks[1].rows] == [["a", "b"], ["c"]]
    assert [[c.line for c in r.cells] for r in document.blocks[1].rows] == [[2, 3], [5]]
    continued = parse_text("\ta\n\tb\n公开\n\n\tc\n")
    assert isinstance(continued.blocks[0], Table)
    assert continued.blocks[0].rows[0].texts() == ["a", "b\n公开"]
    assert "（三）不予\n\n公开" in [c.text for t in parse_text(seed_text("001")).tables for r in t.rows
                                   for c in r.cells]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(pieces, max_size=120).map("\n".join))
def test_any_report_like_text_reads_the_same_both_ways(text: str) -> None:
    _same(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(SEED_LINES), max_size=300).map("\n".join))
def test_shuffled_seed_lines_read_the_same_both_ways(text: str) -> None:
    _same(text)
