"""Accessibility basics, checked on the rendered page: chart equivalents, table headers, one
h1 and landmarks, visible focus, every control reachable by keyboard, WCAG AA contrast."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import CONTRAST_FAILURES, Site, keyboard_reach
from tests.browser.test_pages import agency_page

pytestmark = pytest.mark.browser

def pages(site: Site) -> dict[str, str]:
    return {"index": site.url(), "agency": agency_page(site, 2021), "about": site.url("about/")}


@pytest.mark.parametrize("name", ["index", "agency", "about"])
def test_structure_headers_and_chart_equivalents(site: Site, open_page: Any, name: str) -> None:
    watched = open_page(pages(site)[name])
    page = watched.page
    assert page.locator("h1").count() == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.locator(landmark).count() >= 1, landmark
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # Every data table has header cells; every chart has its data as a table: beside it, or a
    # form table on the page that it links to and that is labelled by the link's target.
    tables = page.locator("main table")
    for index in range(tables.count()):
        assert tables.nth(index).locator("th").count() > 0
    charts = page.locator("figure.chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        if not chart.locator("details.chart-data table th").count():
            target = chart.locator("p.note a").get_attribute("href")
            assert target and target.startswith("#"), "a chart without a table of its own must link to one"
            assert page.locator(f'table[aria-labelledby="{target[1:]}"] th').count() > 0
        plot = chart.locator(".chart-plot")
        if plot.count():
            assert plot.get_attribute("role") == "img" and plot.get_attribute("aria-label")
    watched.assert_clean()


@pytest.mark.parametrize("name", ["index", "agency"])
def test_every_control_is_reached_by_keyboard_with_visible_focus(site: Site, open_page: Any, name: str) -> None:
    watched = open_page(pages(site)[name])
    page = watched.page
    page.wait_for_timeout(300)  # let the scripts add their controls (search form, sort buttons)
    page.wait_for_function("() => !document.querySelector('.compare[data-index]') || "
                           "document.querySelector('.compare').classList.contains('enhanced')")
    missing, invisible = keyboard_reach(page)
    assert not invisible, f"focus not visible on: {invisible[:5]}"
    assert not missing, f"not reachable by Tab: {missing[:5]}"
    watched.assert_clean()


@pytest.mark.parametrize("name", ["index", "agency", "about"])
def test_text_contrast_meets_wcag_aa(site: Site, open_page: Any, name: str) -> None:
    watched = open_page(pages(site)[name])
    page = watched.page
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    failures = page.evaluate(CONTRAST_FAILURES)
    assert not failures, failures[:10]
