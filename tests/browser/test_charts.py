"""chart.js on its own: charts drawn from tables made for the test, in a page of the site,
for what the site's own corpus may not hold (a row all 0 against a row all blank, a series
never stated, a label that is markup, figures past what a double holds)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser

# Draws the kind from rows of [label, figure text...] into a new element of the page's width,
# and returns what a reader sees: every text drawn, and every mark's row, series and value.
DRAW = """([kind, head, rows]) => {
  const figure = text => {
    const value = parseFloat(text.replace(/,/g, ''));
    return {text: text, value: isNaN(value) ? null : value};
  };
  const data = {head: head, rows: rows.map(r => ({link: null, label: r[0], figures: r.slice(1).map(figure)}))};
  const element = document.createElement('div');
  element.className = 'chart-plot';
  document.querySelector('main').appendChild(element);
  window.giro.chart.draw(element, kind, data, 0);
  return {
    texts: [...element.querySelectorAll('svg text')].map(t => t.textContent),
    marks: [...element.querySelectorAll('[data-value]')]
      .map(m => [+m.dataset.row, +m.dataset.series, +m.dataset.value]),
    markup: element.querySelectorAll('svg img, svg script, svg foreignObject').length,
    width: +element.querySelector('svg').getAttribute('width'),
    box: element.clientWidth
  };
}"""


def draw(page: Any, kind: str, head: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return page.evaluate(DRAW, [kind, head, rows])


def test_a_stack_tells_a_row_of_zeros_from_a_blank_row_and_names_an_unstated_series(
        site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(site.url())
    drawn = draw(watched.page, "stack", ["结果维持", "结果纠正", "尚未审结"],
                 [["行政复议", "2", "0", "—"], ["直接起诉", "0", "0", "—"], ["复议后起诉", "—", "—", "—"]])
    assert drawn["marks"] == [[0, 0, 2], [0, 1, 0], [1, 0, 0], [1, 1, 0]]  # blanks draw nothing
    texts = drawn["texts"]
    assert "尚未审结：空白" in texts and "结果维持" in texts
    # After each row's label: its segments' figures where they fit, else "0" for a row of
    # zeros and "—" for a row with no figure stated.
    assert texts[texts.index("直接起诉") + 1] == "0"
    assert texts[texts.index("复议后起诉") + 1] == "—"
    assert drawn["width"] <= max(drawn["box"], 200)
    watched.assert_clean()


def test_bars_and_lines_keep_a_report_s_text_as_text_and_stay_bounded(site: Site, open_page: Any) -> None:
    watched = open_page(site.url())
    label = '<img src=x onerror="window.hit=1">局'
    drawn = draw(watched.page, "bars", ["件数"], [[label, "5"], ["乙", "—"], ["丙", "1" + "0" * 400]])
    assert drawn["markup"] == 0 and not watched.page.evaluate("() => window.hit")
    assert any(text.startswith("<img") for text in drawn["texts"])  # drawn as its characters
    assert drawn["marks"] == [[0, 0, 5]]  # a blank and a figure past a double's range draw no bar
    lines = draw(watched.page, "lines", ["新收申请", "主动公开"],
                 [["2020", "3", "—"], ["2021", "—", "—"], ["2022", "4", "—"]])
    assert lines["marks"] == [[0, 0, 3], [2, 0, 4]]
    assert "主动公开：空白" in lines["texts"]
    watched.assert_clean()


def test_a_chart_is_drawn_again_at_its_new_width_when_the_window_narrows(site: Site, open_page: Any) -> None:
    watched = open_page(site.url())
    page = watched.page
    plot = page.locator(".chart-plot[data-chart]").first
    plot.scroll_into_view_if_needed()
    page.wait_for_function("el => el.querySelector('svg') !== null", arg=plot.element_handle())
    before = int(plot.get_attribute("data-width") or 0)
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_function("([el, w]) => +el.getAttribute('data-width') < w", arg=[plot.element_handle(), before])
    width, box = plot.evaluate("el => [+el.querySelector('svg').getAttribute('width'), el.clientWidth]")
    assert width <= max(box, 200) < before
    watched.assert_clean()
