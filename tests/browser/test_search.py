"""Searching from anywhere, at phone and desktop widths: a search box in every page's header,
reached without scrolling; a shared search link (/?q=…) opens the home page at the filtered
table with its search box in view."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import Site, index_rows
from tests.browser.test_pages import assert_no_sideways_scroll, screenshot
from tests.ui_content import ZHANGSHANZI

pytestmark = pytest.mark.browser

# Where a control counts as "at the top": within the header's first screen on a phone.
IN_REACH = 260

IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, inView: r.top >= 0 && r.bottom <= innerHeight, scrollY: scrollY}; }"""


def enhanced(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")


def settled(page: Any) -> None:
    """Waits until the page has stopped scrolling (charts drawn above the view, sections laid out)."""
    page.wait_for_function("""() => new Promise(done => {
        let last = scrollY, still = 0;
        const tick = () => { still = scrollY === last ? still + 1 : 0; last = scrollY;
                             if (still >= 10) { done(true); } else { requestAnimationFrame(tick); } };
        requestAnimationFrame(tick); })""")


def assert_lands_on_results(page: Any, query: str, names: set[str] | None) -> None:
    """The home page shows the table filtered by ``query`` (to ``names``, or to more than a
    screenful) with its heading at the top, the search box and the first result in view."""
    enhanced(page)
    settled(page)
    box = page.locator("#q")
    assert box.input_value() == query
    where = box.evaluate(IN_VIEW)
    assert where["inView"], f"the search box is not in view: {where}"
    first = page.locator(".compare-table tbody tr").first
    assert first.evaluate(IN_VIEW)["top"] < page.evaluate("innerHeight"), "no result in view"
    shown = page.locator(".compare-table tbody tr th").all_inner_texts()
    assert set(shown) == names if names is not None else len(shown) >= 15, shown
    assert where["scrollY"] > 0, "the page did not move to the table"
    # The table's section starts at the top of the view (its heading, then the filters), or
    # as near as the page goes (a short list of results ends the page).
    heading = page.locator("section:has(.compare) h2").evaluate(IN_VIEW)
    bottom = page.evaluate("() => scrollY >= document.documentElement.scrollHeight - innerHeight - 1")
    assert 0 <= heading["top"] <= 60 or (names and bottom and heading["top"] >= 0), f"not at the top: {heading}"


@pytest.mark.parametrize("query", ["zhangshanzi", "shi"])
def test_a_shared_search_link_opens_at_its_results(ui_site: Site, open_page: Any, viewport: str, query: str) -> None:
    """One result (as the audit typed it), and results that fill more than a screen: the
    charts above, drawn after the page moved, must not push the table away."""
    rows = index_rows(ui_site)
    found = {name for name, row in rows.items() if query in row["py"]}
    assert (found == {ZHANGSHANZI}) if query == "zhangshanzi" else len(found) >= 15
    watched = open_page(ui_site.url("?q=" + quote(query)))
    assert_lands_on_results(watched.page, query, {ZHANGSHANZI} if query == "zhangshanzi" else None)
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    screenshot(watched, f"shared-search-{query}", viewport)


PAGES = ["", "agencies/", "regions/", "compare/", "downloads/", "dictionary/", "problems/", "about/", "nope.html",
         "agency"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_search_box_at_the_top(ui_site: Site, open_page: Any, viewport: str, path: str) -> None:
    if path == "nope.html":
        path = "404.html"
    elif path == "agency":  # a body's page, with several years
        body = index_rows(ui_site)["平潭综合实验区管委会"]
        path = f"agency/{body['slug']}/{body['reports'][0]['id']}.html"
    watched = open_page(ui_site.url(path))
    page = watched.page
    box = page.locator("header #site-q")
    assert box.is_visible() and page.locator("header form.site-search button").is_visible()
    where = box.evaluate(IN_VIEW)
    assert where["inView"] and where["bottom"] <= IN_REACH, where
    assert page.locator("label[for=site-q]").count() == 1
    assert not re.search(r"(?<![\d,])[12],\d{3}\s*年", page.locator("body").inner_text()), "a year as 2,024"
    watched.assert_clean()


def test_the_header_search_from_a_body_s_page_lands_on_the_results(ui_site: Site, open_page: Any,
                                                                  viewport: str) -> None:
    rows = index_rows(ui_site)
    body = rows[ZHANGSHANZI]
    watched = open_page(ui_site.url(f"agency/{body['slug']}/{body['reports'][0]['id']}.html"))
    page = watched.page
    page.locator("#site-q").fill("张山子")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "q=" in url and "/agency/" not in url)
    assert_lands_on_results(page, "张山子", {ZHANGSHANZI})
    watched.assert_clean()
    if viewport == "phone":
        screenshot(watched, "header-search-landing", viewport)


def test_the_header_search_on_the_home_page_filters_its_table(ui_site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(ui_site.url())
    page = watched.page
    enhanced(page)
    page.evaluate("() => { window.__stayed = true; }")
    page.locator("#site-q").fill("pingtan")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('q=pingtan')")
    assert page.evaluate("() => window.__stayed === true")  # filtered in place, not loaded again
    assert_lands_on_results(page, "pingtan", {"平潭综合实验区管委会"})
    assert page.evaluate("() => document.activeElement.id") == "q"
    watched.assert_clean()
