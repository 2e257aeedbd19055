"""Regions, the index of bodies and the compare page in a real browser, at two sizes: the
shipped seeds with a few more reports (small), and a generated corpus of bodies in real places
(several provinces, cities, counties, shared township names, several years). At each: a
township three taps from the home page or one search away, a shared address restores the view,
the compare page shows the chosen bodies' figures, two bodies of one name stay apart."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from giro_site.bench.synth import make_corpus, random_report, render_text
from giro_site.site.build.assets import PLOTLY_BUNDLE, bundle_trace_types
from giro_site.site.build.builder import BuildOptions, build_site
from tests.browser.conftest import CONTRAST_FAILURES, Site, _serve, keyboard_reach
from tests.browser.test_pages import assert_no_sideways_scroll, screenshot
from tests.conftest import ROOT

REGISTERED = bundle_trace_types(ROOT / "assets" / PLOTLY_BUNDLE)

pytestmark = pytest.mark.browser

# The small corpus: the seeds, and reports that give 北京市 three townships in two counties, one
# of them 高岭镇 in two years, and a second 高岭镇 in 辽宁省 (same short name, another county).
SMALL_EXTRA = [("高岭镇人民政府", "密云区", 2021), ("高岭镇人民政府", "绥中县", 2020),
               ("不老屯镇人民政府", "密云区", 2020), ("汤河口镇人民政府", "怀柔区", 2021)]
FIRST_ROWS = 12  # rows index.js draws at once: what a phone shows below the search box


def _small(content: Any) -> int:
    shutil.copytree(ROOT / "content", content)
    for n, (name, region, year) in enumerate(SMALL_EXTRA):
        path = content / "reports" / str(year) / f"extra-{n}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_text(random_report(random.Random(n), name, region, year)), encoding="utf-8")
    (content / "site.toml").write_text("page_size = 2\n", encoding="utf-8")
    return 5 + len(SMALL_EXTRA)


def _generated(content: Any) -> int:
    make_corpus(content, 160, seed=11)
    (content / "site.toml").write_text("page_size = 8\n", encoding="utf-8")  # several pages in a region
    return 160


@pytest.fixture(scope="module", params=[_small, _generated], ids=["small", "generated"])
def corpus_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    content = tmp_path_factory.mktemp("regions") / "content"
    reports = request.param(content)
    out = content.parent / "public"
    result = build_site(BuildOptions(content=content, out=out, base_url="/", build_date="2026-01-02"))
    assert result.reports == reports and not result.problems
    server, origin = _serve(out)
    yield Site(root=origin + "/", base="/", out=out, content=content)
    server.shutdown()


@pytest.fixture(scope="module")
def index(corpus_site: Site) -> dict[str, Any]:
    data = json.loads((corpus_site.out / "data" / "index.json").read_text(encoding="utf-8"))
    data["bodies"] = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    for body in data["bodies"]:
        body["latest"] = dict(zip(data["report_fields"], body["reports"][0], strict=True))
    data["page_size"] = int(re.search(r'data-page-size="(\d+)"',
                                      (corpus_site.out / "index.html").read_text(encoding="utf-8")).group(1))
    return data


def enhanced(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")


class Taps:
    """Taps on a page, counted: how far a place is from the home page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def __call__(self, target: Any) -> None:
        self.count += 1
        target.click()


def test_a_township_is_three_taps_from_the_home_page(corpus_site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(corpus_site.url())
    page = watched.page
    tap = Taps(page)
    tap(page.locator("#h-places + p + ul.regions > li > a", has_text="北京市"))  # the province
    page.wait_for_url(re.compile(r"/regions/11/$"))
    assert page.locator("h1").inner_text() == "北京市"
    tap(page.locator("ul.regions a", has_text=re.compile("区$")).first)  # a county
    page.wait_for_url(re.compile(r"/regions/11\d{4}/$"))
    county = page.locator("h1").inner_text()
    township = page.locator("ul.regions a", has_text=re.compile("(镇|乡|街道)$")).first
    name = township.inner_text()
    tap(township)  # the township: its bodies and their figures
    page.wait_for_url(re.compile(r"/regions/11\d{7}/$"))
    assert tap.count == 3
    assert page.locator("h1").inner_text() == name
    crumbs = page.locator(".breadcrumb").inner_text()
    assert "北京市" in crumbs and county in crumbs
    body = page.locator("ul.bodies li").first
    assert name in body.locator("a").inner_text() and "新收申请" in body.inner_text()
    body.locator("a").click()
    page.wait_for_url(re.compile(r"/agency/"))
    assert name in page.locator(".breadcrumb").inner_text() and county in page.locator(".breadcrumb").inner_text()
    assert_no_sideways_scroll(watched)
    watched.assert_clean()


def test_one_search_finds_a_township_body(corpus_site: Site, open_page: Any, index: dict[str, Any]) -> None:
    body = next(b for b in index["bodies"] if b["name"].endswith("镇人民政府") and b["initials"])
    watched = open_page(corpus_site.url())
    page = watched.page
    enhanced(page)
    page.fill("#q", body["py"])  # the one search
    page.wait_for_function("q => document.querySelector('.compare').getAttribute('data-shown') === q", arg=body["py"])
    names = page.locator(".compare-table tbody th").all_inner_texts()
    assert body["name"] in names[:FIRST_ROWS], names
    tap = Taps(page)
    tap(page.locator(".compare-table tbody th a", has_text=body["name"]).first)
    page.wait_for_url(re.compile(r"/agency/"))
    assert tap.count == 1 and body["name"] in page.locator("h1").inner_text()
    watched.assert_clean()


def test_the_address_follows_a_search(corpus_site: Site, open_page: Any, index: dict[str, Any]) -> None:
    body = next(b for b in index["bodies"] if b["initials"])
    watched = open_page(corpus_site.url())
    page = watched.page
    enhanced(page)
    page.fill("#q", body["py"])
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=body["py"])
    watched.assert_clean()


def _shared_view(index: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A view of the townships of the province with the most, by applications ascending, on
    page 2, and the names that page must show (blanks last, ties in the index's order)."""
    level = index["levels"].index("乡镇街道")
    townships = [b for b in index["bodies"] if b["level"] == level]
    provinces = [code for code, region in index["regions"].items() if region[2] == "province"]
    province = max(provinces, key=lambda code: sum(b["code"].startswith(code) for b in townships))
    shown = [b for b in townships if b["code"].startswith(province)]
    size = index["page_size"]
    assert len(shown) > size, "the corpus must give the view a second page"
    applications = [b["latest"]["applications"] for b in shown]
    assert len({a for a in applications if a is not None}) > 1, "the order must be visible"
    shown.sort(key=lambda b: (b["latest"]["applications"] is None, b["latest"]["applications"] or 0))
    view = {"region": province, "level": str(level), "sort": "applications", "dir": "asc", "page": "2"}
    return view, [b["name"] for b in shown[size:2 * size]]


def test_a_shared_address_restores_the_view(corpus_site: Site, open_page: Any, viewport: str,
                                            index: dict[str, Any]) -> None:
    view, names = _shared_view(index)
    watched = open_page(corpus_site.url("?" + urlencode(view)))
    page = watched.page
    enhanced(page)
    assert page.locator("#f-province").input_value() == view["region"]
    assert page.locator("#f-level").input_value() == view["level"]
    header = page.locator('.compare-table th[data-key="applications"]')
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert page.locator(".compare-table tbody th").all_inner_texts() == names
    province = index["regions"][view["region"]][0]
    regions = set(page.locator(".compare-table tbody td:nth-of-type(1)").all_inner_texts())
    assert regions and all(r.startswith(province) for r in regions)
    # Changing the view changes the address: a search is kept with the rest.
    page.fill("#q", "zhen")
    page.wait_for_function("() => location.search.includes('q=zhen')")
    assert f"region={view['region']}" in page.url and "page=" not in page.url
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
    # The compare page draws with the vendored plotly.js: nothing it objects to, and only trace
    # types the partial bundle registers.
    plots = page.locator(".compare-results .js-plotly-plot")
    for index in range(plots.count()):
        problems, types = plots.nth(index).evaluate(
            "el => [window.Plotly.validate(el.data, el.layout) || [], el.data.map(t => t.type)]")
        assert problems == [] and types and set(types) <= REGISTERED, (problems, types)
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
    missing, invisible = keyboard_reach(page)
    assert not invisible, f"focus not visible on: {invisible[:5]}"
    assert not missing, f"not reachable by Tab: {missing[:5]}"
    watched.assert_clean()


def test_the_index_data_stays_small(corpus_site: Site, index: dict[str, Any]) -> None:
    """The budget is 300 KB gzipped at 10,000 reports, about 30 bytes a report; here, with the
    region table's fixed share, well under that per report."""
    reports = sum(len(b["reports"]) for b in index["bodies"])
    size = len(gzip.compress((corpus_site.out / "data" / "index.json").read_bytes()))
    assert size < 30 * reports * 1.5 + 2_000, (size, reports)
