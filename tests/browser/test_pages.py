"""The site as its readers use it: charts draw, figures show, nothing scrolls sideways on a
phone, search and sorting work, the year switch swaps years, and the basics of
accessibility hold (checked in the browser, on the rendered page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, Site, Watched

pytestmark = pytest.mark.browser

# A figure seed 001 (高岭镇, 2020) states: 规范性文件, 对外公开总数量 119.
SEED_001_FIGURE = "119"


def agency_page(site: Site, year: int) -> str:
    folder = next(p for p in (site.out / "agency").iterdir() if p.name.startswith("gaolingzhen"))
    return site.url(f"agency/{folder.name}/{year}.html")


# What a drawn chart shows: its kind, its box's and its drawing's widths, every mark (a figure
# drawn: bar, segment or point) with its row, series, value and length (bars) or height
# (points), and the figures of the chart's own data table as the page shows them (none when
# its figures are in a form table on the page); how many marks lie outside the plot area, and
# the value axis' last tick.
CHART_MARKS = """el => {
  const svg = el.querySelector('svg');
  const marks = [...el.querySelectorAll('[data-value]')].map(m => ({
    row: +m.dataset.row, series: +m.dataset.series, value: +m.dataset.value, tip: m.dataset.tip,
    length: m.tagName === 'rect' ? +m.getAttribute('width') : null,
    height: m.tagName === 'circle' ? +m.getAttribute('cy') : null}));
  const table = el.closest('figure').querySelector('details table');
  const figures = table && [...table.rows].slice(1).map(r => [...r.cells].slice(1).map(c => c.textContent.trim()));
  // Marks outside the plot area (data-plot: x y width height), and the axis' last tick.
  const [px, py, pw, ph] = svg.getAttribute('data-plot').split(' ').map(Number);
  const inside = (x, y) => x >= px - 0.5 && x <= px + pw + 0.5 && y >= py - 0.5 && y <= py + ph + 0.5;
  const outside = [...el.querySelectorAll('[data-value]')].filter(m => m.tagName === 'rect'
    ? !inside(+m.getAttribute('x') + +m.getAttribute('width'), +m.getAttribute('y'))
    : !inside(+m.getAttribute('cx'), +m.getAttribute('cy'))).length;
  const axisTop = Math.max(...[...svg.querySelectorAll('text[data-tick]')].map(t => +t.dataset.tick));
  return {kind: el.dataset.chart, box: el.clientWidth, width: svg ? +svg.getAttribute('width') : null, marks, figures,
          outside, axisTop};
}"""


def figure_value(text: str) -> float | None:
    """A figure as a chart's table shows it: "1,234", "12.5%", or "—" for a blank."""
    return None if text == "—" else float(text.rstrip("%").replace(",", ""))


def chart_marks(plot: Any) -> dict[str, Any]:
    """A drawn chart's marks, checked against what any chart must satisfy: it fits its box,
    every mark is one figure of its table (a blank has none, a 0 has one), and lengths and
    heights are proportional to the figures (one scale per chart)."""
    drawn = plot.evaluate(CHART_MARKS)
    assert drawn["width"] and drawn["width"] <= max(drawn["box"], 200), drawn
    assert drawn["outside"] == 0, drawn  # every mark inside the plot area
    rows: dict[int, float] = {}
    for m in drawn["marks"]:
        rows[m["row"]] = rows.get(m["row"], 0) + m["value"]
    largest = max(rows.values()) if drawn["kind"] in ("bars", "stack") else max(m["value"] for m in drawn["marks"])
    if drawn["kind"] != "shares":
        assert drawn["axisTop"] >= largest, drawn  # the axis reaches the largest figure (a stack's sum)
    marks = {(m["row"], m["series"]): m["value"] for m in drawn["marks"]}
    assert len(marks) == len(drawn["marks"]) and marks, drawn
    if drawn["figures"] is not None:
        stated = {(r, s): figure_value(text) for r, row in enumerate(drawn["figures"]) for s, text in enumerate(row)}
        assert marks == {key: value for key, value in stated.items() if value is not None}
    scaled = [m for m in drawn["marks"] if m["value"] > 0]
    if drawn["kind"] == "lines":
        lows = [m for m in drawn["marks"] if m["value"] == min(x["value"] for x in drawn["marks"])]
        base, low = lows[0]["height"], lows[0]["value"]
        ratios = {round((base - m["height"]) / (m["value"] - low), 3) for m in scaled if m["value"] != low}
    else:
        ratios = {round(m["length"] / m["value"], 3) for m in scaled}
        assert all(m["length"] == 0 for m in drawn["marks"] if m["value"] == 0)
    assert len(ratios) <= 1 or max(ratios) - min(ratios) < 0.01 * max(ratios), (drawn["kind"], ratios)
    return drawn


def draw_all_charts(watched: Watched) -> int:
    """Scroll every chart into view (they draw as they come near it), wait until each has
    drawn, and check what each drew (``chart_marks``)."""
    page = watched.page
    plots = page.locator(".chart-plot[data-chart]")
    count = plots.count()
    for index in range(count):
        plots.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("el => el.querySelector('svg') !== null", arg=plots.nth(index).element_handle(),
                               timeout=15_000)
        chart_marks(plots.nth(index))
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
    # A bar of the chart about many bodies leads to that body's page, as its table row does.
    bar = watched.page.locator(".chart-plot.linked g[data-href]").first
    target = bar.get_attribute("data-href")
    assert target and "/agency/" in target
    bar.locator("rect:not([width=\"0\"])").first.click()
    watched.page.wait_for_url(target)
    watched.page.go_back()
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


def test_printing_draws_every_chart_and_opens_every_table(site: Site, open_page: Any, tmp_path: Path) -> None:
    """On paper nothing is scrolled to: every chart is drawn (scaled to the page) and every
    chart's table is open beside it."""
    watched = open_page(site.url())
    page = watched.page
    assert page.locator(".chart-plot[data-chart]").count() >= 2
    page.pdf(path=str(tmp_path / "index.pdf"))
    assert page.evaluate("() => [...document.querySelectorAll('.chart-plot[data-chart]')]"
                         ".every(el => el.querySelector('svg[viewBox]'))")
    assert page.evaluate("() => [...document.querySelectorAll('details')].every(d => d.open)")
    watched.assert_clean()


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
    # The charts drawn from the form tables show those tables' figures (table 三's first row,
    # table 四): a mark per stated figure, none for the blank cell of table 四.
    received = site.year_2021["applications"]["new_received"]
    drawn = chart_marks(page.locator('.chart-plot[data-from$="-applications"]'))
    keys = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
    assert {(m["row"], m["value"]) for m in drawn["marks"]} == {
        (row, received[key]) for row, key in enumerate(keys) if received[key] is not None}
    review = site.year_2021["review_litigation"]
    groups = ("review", "litigation_direct", "litigation_after_review")
    outcomes = ("upheld", "corrected", "other", "pending")
    drawn = chart_marks(page.locator('.chart-plot[data-from$="-review_litigation"]'))
    assert review["litigation_after_review"]["pending"] is None
    assert {(m["row"], m["series"]): m["value"] for m in drawn["marks"]} == {
        (row, series): review[group][key] for row, group in enumerate(groups) for series, key in enumerate(outcomes)
        if review[group][key] is not None}
    rows, series = ("行政复议", "直接起诉", "复议后起诉"), ("结果维持", "结果纠正", "其他结果", "尚未审结")
    assert all(m["tip"].startswith(f"{rows[m['row']]} · {series[m['series']]}：") for m in drawn["marks"])
    # A tap on a segment names it under the chart (a phone has no hover).
    segment = page.locator('.chart-plot[data-from$="-review_litigation"] rect[data-tip]:not([width="0"])').first
    segment.click()
    assert page.locator('.chart-plot[data-from$="-review_litigation"] .chart-readout').inner_text() == \
        segment.get_attribute("data-tip")
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
