"""Accessibility basics, checked on the rendered page: chart equivalents, table headers, one
h1 and landmarks, visible focus, every control reachable by keyboard, WCAG AA contrast."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.test_pages import agency_page

pytestmark = pytest.mark.browser

# Relative luminance and contrast as WCAG 2.x defines them; the background is the first
# opaque one among the element and its ancestors (white at the root).
CONTRAST_FAILURES = """() => {
  function rgba(text) {
    const m = text.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return m.map(Number).concat([1]).slice(0, 4);
  }
  function channel(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(c) { return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]); }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0.5) { return c; }
    }
    return [255, 255, 255, 1];
  }
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || el.closest("svg, script, style")) { continue; }
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width < 2 || box.height < 2 || el.closest("[hidden], .vh")) { continue; }
    const fg = rgba(style.color), bg = background(el);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      failures.push(el.tagName + " '" + el.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
    }
  }
  return failures;
}"""

FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex="0"]'))
  .filter(el => !el.closest('[hidden], .js-plotly-plot') && !el.disabled && el.getClientRects().length > 0
                && (el.tagName === 'SUMMARY' || !el.closest('details:not([open])'))
                && getComputedStyle(el).visibility !== 'hidden')
  .map(el => el.outerHTML.slice(0, 120))"""

FOCUS_STYLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {html: el.outerHTML.slice(0, 120), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none', background: s.backgroundColor};
}"""


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
    wanted = page.evaluate(FOCUSABLE)
    reached: list[str] = []
    invisible: list[str] = []
    for _ in range(len(wanted) + 10):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["html"].startswith("<body"):
            break
        reached.append(style["html"])
        if not (style["outline"] or style["shadow"]):
            invisible.append(style["html"])
    assert not invisible, f"focus not visible on: {invisible[:5]}"
    missing = [html for html in wanted if html not in reached]
    assert not missing, f"not reachable by Tab: {missing[:5]}"
    watched.assert_clean()


@pytest.mark.parametrize("name", ["index", "agency", "about"])
def test_text_contrast_meets_wcag_aa(site: Site, open_page: Any, name: str) -> None:
    watched = open_page(pages(site)[name])
    page = watched.page
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    failures = page.evaluate(CONTRAST_FAILURES)
    assert not failures, failures[:10]
