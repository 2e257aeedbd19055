"""Every row of every table the site shows covers exactly the table's columns, once each:
spans expanded as a browser lays them out (issue 15: rows under a rowspan label in table 3
had an extra padding cell past the last column)."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.site.build.builder import BuildOptions, build_site
from tests.conftest import SEEDS, seed_text
from tests.sitecheck import table_grids

EXTRA = "\t\n\t\n\t戊项\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\n"  # a row the form does not have


def with_row_before(text: str, label: str) -> str:
    """The seed with an extra row of table 3 just before the row labelled ``label``."""
    at = text.rindex("\n\n", 0, text.index(label)) + 2
    return text[:at] + EXTRA + text[at:]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("grid")
    reports = root / "content" / "reports"
    reports.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, reports / seed.name)
    # Extra rows inside the rowspan of 三、本年度办理结果, at its first and last rows.
    for index, label in enumerate(["（二）部分公开", "（七）总计", "四、结转下年度"]):
        text = with_row_before(seed_text("001"), label).replace("高岭镇", f"高岭{index}镇")
        (reports / f"extra-{index}.txt").write_text(text, encoding="utf-8")
    rng = random.Random(15)
    for index in range(6):
        report = random_report(rng, f"测试{index}镇人民政府", "某县", 2021 + index % 2,
                               form="2021" if index % 2 else "2019", blanks=True, subrows=True)
        (reports / f"synth-{index}.txt").write_text(render_text(report), encoding="utf-8")
    build_site(BuildOptions(content=root / "content", out=root / "public", build_date="2026-01-02"))
    return root / "public"


def test_table_three_rows_under_a_rowspan_label_have_no_padding_cell(site: Path) -> None:
    page = next(p for p in (site / "agency").rglob("2020.html") if "高岭1镇" in p.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    table = html[html.index('<table class="form t-applications"'):]
    table = table[:table.index("</table>")]
    assert not re.search(r"class=[\"']?na\b", table)  # the padding cell, quoted or not
    assert "戊项" in table


def test_every_row_of_every_table_covers_exactly_its_columns(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    checked = 0
    for page in pages:
        for number, rows in enumerate(table_grids(page)):
            assert rows, f"{page} table {number}: no rows"
            width = set(range(len(rows[0])))
            for index, covered in enumerate(rows):
                assert covered == width, f"{page.relative_to(site)} table {number} row {index}: {sorted(covered)}"
            checked += 1
    assert checked > 3 * 12  # three form tables on each agency page, and the chart tables
