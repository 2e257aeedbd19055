"""The site as its readers use it: charts draw, figures show, nothing scrolls sideways on a
phone, search and sorting work, the year switch swaps years, and the basics of
accessibility hold (checked in the browser, on the rendered page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from giro_site.site.build.assets import PLOTLY_BUNDLE, bundle_trace_types
from tests.browser.conftest import SCREENSHOTS, Site, Watched
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

# A figure seed 001 (高岭镇, 2020) states: 规范性文件, 对外公开总数量 119.
SEED_001_FIGURE = "119"


def agency_page(site: Site, year: int) -> str:
    folder = next(p for p in (site.out / "agency").iterdir() if p.name.startswith("gaolingzhen"))
    return site.url(f"agency/{folder.name}/{year}.html")


REGISTERED = bundle_trace_types(ROOT / "assets" / PLOTLY_BUNDLE)


def draw_all_charts(watched: Watched) -> int:
    """Scroll every chart into view (they draw lazily), wait until each has drawn, and check
    what was drawn: plotly.js finds nothing to object to, and every trace type is one the
    vendored bundle registers."""
    page = watched.page
    plots = page.locator(".chart-plot[data-chart]")
    count = plots.count()
    for index in range(count):
        plots.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("el => el.querySelector('svg.main-svg') !== null", arg=plots.nth(index).element_handle(),
                               timeout=15_000)
        problems, types = plots.nth(index).evaluate(
            "el => [window.Plotly.validate(el.data, el.layout) || [], el.data.map(t => t.type)]")
        assert problems == [] and types and set(types) <= REGISTERED, (problems, types)
    return count


def assert_no_sideways_scroll(watched: Watched) -> None:
    width = watched.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]}px of content in {width[1]}px"


def screenshot(watched: Watched, name: str, viewport: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)


def test_index_draws_its_charts_lists_every_agency_and_fits(site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(site.url())
    assert draw_all_charts(watched) >= 2
    rows = watched.page.locator(".compare-table tbody tr")
    # One row per body: five bodies, 高岭镇人民政府 with its two years.
    watched.page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")
    assert rows.count() == 5
    names = rows.locator("th").all_inner_texts()
    assert "高岭镇人民政府" in names and "岑港街道" in names
    gaoling = rows.filter(has_text="高岭镇人民政府")
    assert gaoling.locator("td.years a").all_inner_texts() == ["2021", "2020"]
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    if site.base == "/":
        screenshot(watched, "index", viewport)


def test_agency_page_shows_its_figures_and_charts(site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(agency_page(site, 2020))
    page = watched.page
    assert page.locator("h1").inner_text() == "高岭镇人民政府"
    proactive = page.locator("section.year table.form").first
    assert proactive.is_visible()
    proactive = proactive.inner_text()
    assert re.search(rf"规范性文件[\s\S]*\b{SEED_001_FIGURE}\b", proactive)
    # Every figure of this report is 0: its three charts say so instead of drawing empty axes,
    # and the trend over the agency's two years draws.
    assert page.locator("section.year .chart-empty").count() == 3
    assert draw_all_charts(watched) == 1
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    if site.base == "/":
        screenshot(watched, "agency-2020", viewport)


def test_year_switch_shows_the_other_years_figures(site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(agency_page(site, 2020))
    page = watched.page
    new_2021 = site.year_2021["applications"]["new_received"]["total"]
    link = page.locator("nav.years a[data-year]", has_text="2021")
    link.click()
    page.wait_for_url(re.compile(r"/2021\.html$"))
    page.wait_for_function("() => document.querySelector('section.year h2').textContent.includes('2021')")
    section = page.locator("section.year").inner_text()
    assert re.search(rf"本年新收[\s\S]*?\b{new_2021:,}\b".replace(",", ",?"), section), (new_2021, section[:400])
    assert link.get_attribute("aria-current") == "page"
    assert draw_all_charts(watched) >= 3
    # The charts drawn from the form tables show those tables' figures (table 三's first row, table 四).
    received = site.year_2021["applications"]["new_received"]
    drawn = page.locator('.chart-plot[data-from$="-applications"]').evaluate("el => el.data[0].x")
    keys = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
    assert drawn == [received[key] or 0 for key in keys]
    review = site.year_2021["review_litigation"]
    stacked = page.locator('.chart-plot[data-from$="-review_litigation"]').evaluate(
        "el => el.data.map(trace => [trace.name, trace.x])")
    assert stacked == [[name, [review[g][key] or 0 for g in ("review", "litigation_direct", "litigation_after_review")]]
                       for key, name in (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                                         ("pending", "尚未审结"))]
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    if site.base == "/":
        screenshot(watched, "agency-2021", viewport)


@pytest.mark.parametrize("query", ["gaoling", "glz", "高岭"])
def test_search_finds_an_agency_by_pinyin_and_initials(site: Site, open_page: Any, query: str) -> None:
    watched = open_page(site.url())
    page = watched.page
    page.wait_for_function("() => !document.querySelector('form.filters').hidden")
    page.fill("#q", query)
    page.wait_for_function("() => document.querySelectorAll('.compare-table tbody tr').length === 1")
    names = set(page.locator(".compare-table tbody tr th").all_inner_texts())
    assert names == {"高岭镇人民政府"}
    assert "找到 1 个机关" in page.locator(".compare .status").inner_text()
    watched.assert_clean()


def test_sorting_by_applications_orders_the_rows(site: Site, open_page: Any) -> None:
    watched = open_page(site.url())
    page = watched.page
    header = page.locator('.compare-table th[data-key="applications"]')
    page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")
    cells = page.locator(".compare-table tbody tr td:nth-of-type(5)")  # 新收申请 (the first column is a th)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    column = [text.replace(",", "") for text in cells.all_inner_texts()]
    figures = [int(text) for text in column if text != "—"]
    assert figures == sorted(figures, reverse=True) and len(figures) >= 4
    assert column[len(figures):] == ["—"] * (len(column) - len(figures))  # blanks last
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    column = [text.replace(",", "") for text in cells.all_inner_texts()]
    figures = [int(text) for text in column if text != "—"]
    assert figures == sorted(figures)
    watched.assert_clean()


@pytest.mark.parametrize("path", ["about/", "downloads/", "dictionary/", "problems/", "agencies/"])
def test_other_pages_fit_and_are_clean(site: Site, open_page: Any, viewport: str, path: str) -> None:
    watched = open_page(site.url(path))
    assert watched.page.locator("h1").count() == 1
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    if site.base == "/":
        screenshot(watched, path.strip("/"), viewport)


def test_screenshots_were_written() -> None:
    """Runs last in this module: the artefacts CI keeps exist and are real images."""
    shots = sorted(Path(SCREENSHOTS).glob("*.png"))
    if not shots:
        pytest.skip("no browser pages were opened in this run")
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000
