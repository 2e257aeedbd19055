"""A county website's article page holding a report, printed to PDF by Chromium and saved
as a Word document by LibreOffice Writer: the site's menu, breadcrumb and 来源/时间 line
stand before the report's title. The body and year come from the report's own title, the
name never swallows the menu, and every table cell is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import SynthReport, expected_model, render_text
from giro_site.document import Document, Paragraph
from giro_site.readers.text import parse_text
from giro_site.report import parse_report
from tests.cms import cms_page, saved_by_writer
from tests.converters import compare
from tests.pdfs import Printer
from tests.test_forms import report_2021


def _report(agency: str, region: str | None, year: int) -> SynthReport:
    report = report_2021()
    report.agency, report.region, report.year = agency, region, year
    return report


def _body(report: SynthReport) -> Document:
    """The report's blocks without its title lines: the page's heading carries the title."""
    blocks = parse_text(render_text(report)).blocks
    first = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.text.startswith("一、"))
    return Document(blocks=blocks[first:])


PAGES: dict[str, tuple[SynthReport, dict[str, Any], str]] = {
    "pingtan": (_report("平潭综合实验区管理委员会", None, 2024),
                {"title": "平潭综合实验区2024年度政府信息公开工作年度报告", "site": "平潭综合实验区",
                 "place": "平潭", "source": "平潭综合实验区党政办"}, "平潭综合实验区管理委员会"),
    "gaoling": (_report("高岭镇人民政府", "北京市密云区", 2024),
                {"title": "密云区高岭镇人民政府2024年政府信息公开工作年度报告", "site": "某某区人民政府",
                 "place": "密云", "source": "高岭镇人民政府", "title_in_body": True}, "高岭镇人民政府"),
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("cms")
    html = {name: cms_page(_body(report), **options) for name, (report, options, _) in PAGES.items()}
    printer = Printer(folder)
    for name, page in html.items():
        printer.add_web(name, page)
    saved = saved_by_writer(html, folder)
    out: dict[str, dict[str, Path]] = {}
    for name in html:
        docx = folder / f"{name}-saved.docx"
        docx.write_bytes(saved[name])
        page = folder / f"{name}.html"
        page.write_bytes(html[name])
        out[name] = {"pdf": printer.pdf(name), "docx": docx, "html": page}
    return out


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", list(PAGES))
def test_a_printed_or_saved_page_gives_the_reports_body_year_and_every_cell(
        pages: dict[str, dict[str, Path]], name: str, kind: str) -> None:
    report, options, agency = PAGES[name]
    parsed = parse_report(pages[name][kind])
    assert parsed["agency"] == agency and parsed["year"] == report.year
    assert parsed["title"] == options["title"]
    assert not {"AGENCY_UNKNOWN", "YEAR_UNKNOWN"} & {f["code"] for f in parsed["findings"]}
    expected = expected_model(report)
    wrong, blank = compare(parsed, {k: expected[k] for k in ("proactive", "applications", "review_litigation")})
    assert wrong == [] and blank == []
    # The site's menu, breadcrumb, source line and footer are no part of the report's prose.
    prose = "".join(parsed["narrative"].values())
    assert not any(word in prose for word in ("当前位置", "首页", "来源：", "网站标识码", "分享到"))
