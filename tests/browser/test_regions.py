"""Regions, the index of bodies and the compare page in a real browser, on a generated corpus
of bodies in real places (several provinces, cities, counties, shared township names, several
years): a township three taps from the home page, a shared address restores the view, the
compare page shows the chosen bodies' figures, two bodies of one name stay apart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from giro_site.site.builder import BuildOptions, build_site
from giro_site.synth import make_corpus
from tests.browser.conftest import Site, _serve
from tests.browser.test_accessibility import CONTRAST_FAILURES, FOCUS_STYLE, FOCUSABLE
from tests.browser.test_pages import assert_no_sideways_scroll, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    content = tmp_path_factory.mktemp("regions") / "content"
    make_corpus(content, 160, seed=11)
    (content / "site.toml").write_text("page_size = 8\n", encoding="utf-8")  # several pages in a region
    out = content.parent / "public"
    result = build_site(BuildOptions(content=content, out=out, base_url="/", build_date="2026-01-02"))
    assert result.reports == 160 and not result.problems
    server, origin = _serve(out)
    yield Site(root=origin + "/", base="/", out=out, content=content)
    server.shutdown()


@pytest.fixture(scope="module")
def index(corpus_site: Site) -> dict[str, Any]:
    data = json.loads((corpus_site.out / "data" / "index.json").read_text(encoding="utf-8"))
    data["bodies"] = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    return data


def enhanced(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")


def test_a_township_is_three_taps_from_the_home_page(corpus_site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(corpus_site.url())
    page = watched.page
    page.locator("#h-places + p + ul.regions > li > a", has_text="北京市").click()  # tap 1: the province
    page.wait_for_url(re.compile(r"/regions/11/$"))
    assert page.locator("h1").inner_text() == "北京市"
    page.locator("ul.regions a", has_text=re.compile("区$")).first.click()  # tap 2: a county
    page.wait_for_url(re.compile(r"/regions/11\d{4}/$"))
    county = page.locator("h1").inner_text()
    township = page.locator("ul.regions a", has_text=re.compile("(镇|乡|街道)$")).first
    name = township.inner_text()
    township.click()  # tap 3: the township, with its body
    page.wait_for_url(re.compile(r"/regions/11\d{7}/$"))
    assert page.locator("h1").inner_text() == name
    crumbs = page.locator(".breadcrumb").inner_text()
    assert "北京市" in crumbs and county in crumbs
    body = page.locator("ul.bodies a").first
    assert name in body.inner_text()
    body.click()
    page.wait_for_url(re.compile(r"/agency/"))
    assert name in page.locator(".breadcrumb").inner_text() and county in page.locator(".breadcrumb").inner_text()
    assert_no_sideways_scroll(watched)
    watched.assert_clean()


def test_one_search_finds_a_township_body(corpus_site: Site, open_page: Any, index: dict[str, Any]) -> None:
    body = next(b for b in index["bodies"] if b["name"].endswith("镇人民政府") and b["initials"])
    watched = open_page(corpus_site.url())
    page = watched.page
    enhanced(page)
    page.fill("#q", body["py"])
    page.wait_for_function("n => [...document.querySelectorAll('.compare-table tbody th')]"
                           ".some(th => th.textContent === n)", arg=body["name"])
    assert f"q={body['py']}" in page.url
    watched.assert_clean()


def test_a_shared_address_restores_the_view(corpus_site: Site, open_page: Any, viewport: str,
                                            index: dict[str, Any]) -> None:
    shandong = next(code for code, region in index["regions"].items() if region[0] == "山东省")
    level = index["levels"].index("乡镇街道")
    view = {"region": shandong, "level": str(level), "sort": "applications", "dir": "asc", "page": "2"}
    watched = open_page(corpus_site.url("?" + urlencode(view)))
    page = watched.page
    enhanced(page)
    assert page.locator("#f-province").input_value() == shandong
    assert page.locator("#f-level").input_value() == str(level)
    header = page.locator('.compare-table th[data-key="applications"]')
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    shown = [b for b in index["bodies"] if b["code"].startswith(shandong) and b["level"] == level]
    assert f"找到 {len(shown)} 个机关" in page.locator(".compare .status").inner_text()
    regions = set(page.locator(".compare-table tbody td:nth-of-type(1)").all_inner_texts())
    assert regions and all(r.startswith("山东省") for r in regions)
    figures = [int(t.replace(",", "")) for t in page.locator(".compare-table tbody td:nth-of-type(5)").all_inner_texts()
               if t != "—"]
    assert figures == sorted(figures)
    # Changing the view changes the address: a search is kept with the rest.
    page.fill("#q", "zhen")
    page.wait_for_function("() => location.search.includes('q=zhen')")
    assert f"region={shandong}" in page.url and "page=" not in page.url
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    screenshot(watched, "index-shared-view", viewport)


def _twins(index: dict[str, Any]) -> list[dict[str, Any]]:
    places = index["regions"]
    townships: dict[str, list[dict[str, Any]]] = {}
    for body in index["bodies"]:
        if body["code"] in places and places[body["code"]][2] == "township":
            townships.setdefault(places[body["code"]][0], []).append(body)
    return next(group for group in townships.values() if len(group) > 1)


def test_two_bodies_of_one_name_stay_apart(corpus_site: Site, open_page: Any, index: dict[str, Any]) -> None:
    first, second = _twins(index)[:2]
    assert first["slug"] != second["slug"] and first["name"] != second["name"]
    township = index["regions"][first["code"]][0]
    watched = open_page(corpus_site.url("?" + urlencode({"q": township})))
    page = watched.page
    enhanced(page)
    names = page.locator(".compare-table tbody th").all_inner_texts()
    assert first["name"] in names and second["name"] in names
    regions = page.locator(".compare-table tbody td:nth-of-type(1)").all_inner_texts()
    assert len(set(regions)) >= 2  # each under its own county
    watched.assert_clean()


def test_the_compare_page_shows_the_chosen_bodies_side_by_side(corpus_site: Site, open_page: Any, viewport: str,
                                                                index: dict[str, Any]) -> None:
    first, second = _twins(index)[:2]
    watched = open_page(corpus_site.url("compare/?" + urlencode([("a", first["slug"]), ("a", second["slug"])])))
    page = watched.page
    page.wait_for_function("() => document.querySelector('.compare-results table') !== null")
    headline = page.locator(".compare-results table").first
    head = headline.locator("thead th").all_inner_texts()
    assert head[1:] == [first["name"], second["name"]]
    text = headline.inner_text()
    for body in (first, second):
        latest = dict(zip(index["report_fields"], body["reports"][0], strict=True))
        if latest["applications"] is not None:
            assert f"{latest['applications']:,}" in text
    assert page.locator(".compare-results table").count() == 4  # headline and the form's three tables
    page.locator(".compare-results .chart-plot").first.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.compare-results svg.main-svg').length >= 2",
                           timeout=15_000)
    # One body against its region's median: the choice is in the address too.
    page.locator("#c-median").check()
    page.wait_for_function("() => location.search.includes('median=1')")
    page.wait_for_function("() => document.querySelector('.compare-results thead').textContent.includes('中位数')")
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    screenshot(watched, "compare", viewport)


@pytest.mark.parametrize("path", ["regions/", "compare/"])
def test_region_and_compare_pages_are_accessible(corpus_site: Site, open_page: Any, index: dict[str, Any],
                                                 path: str) -> None:
    if path == "compare/":
        first, second = _twins(index)[:2]
        path += "?" + urlencode([("a", first["slug"]), ("a", second["slug"])])
    watched = open_page(corpus_site.url(path))
    page = watched.page
    if path.startswith("compare"):
        page.wait_for_function("() => document.querySelector('.compare-results table') !== null")
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    for index_ in range(page.locator("main table").count()):
        assert page.locator("main table").nth(index_).locator("th").count() > 0
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    assert not page.evaluate(CONTRAST_FAILURES)
    wanted = page.evaluate(FOCUSABLE)
    reached = []
    for _ in range(len(wanted) + 10):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["html"].startswith("<body"):
            break
        reached.append(style["html"])
        assert style["outline"] or style["shadow"], style["html"]
    assert not [html for html in wanted if html not in reached][:5]
    watched.assert_clean()


def test_the_index_data_stays_small(corpus_site: Site) -> None:
    """The budget is 300 KB gzipped at 10,000 reports; here, 160 reports must take a small share."""
    import gzip

    size = len(gzip.compress((corpus_site.out / "data" / "index.json").read_bytes()))
    assert size < 300_000 * 160 / 10_000 * 1.5, size
