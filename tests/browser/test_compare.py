"""The compare page at phone and desktop widths: the trend's years in numeric order with the
missing ones as gaps, no year written with a thousands separator, the search as a keyboard
combobox and listbox, the median checkbox beside its label, table 三 with its group
headings, one 主要数字, and an address naming Object's own keys as just unknown bodies."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from giro_site.site.model import OUTCOME_GROUPS
from tests.browser.conftest import Site, index_rows
from tests.browser.test_pages import assert_no_sideways_scroll, screenshot
from tests.ui_content import PINGTAN, ZHANGSHANZI

pytestmark = pytest.mark.browser


def compare_url(site: Site, *slugs: str) -> str:
    return site.url("compare/?" + urlencode([("a", slug) for slug in slugs]))


def wait_for_results(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('.compare-results table') !== null")


def test_the_trend_runs_over_the_years_in_order_with_gaps(ui_site: Site, open_page: Any, viewport: str) -> None:
    rows = index_rows(ui_site)
    first, second = rows[ZHANGSHANZI], rows[PINGTAN]  # 2020 (a seed), 2022, 2023 against 2019, 2020, 2023
    watched = open_page(compare_url(ui_site, first["slug"], second["slug"]))
    page = watched.page
    wait_for_results(page)
    headline = page.locator(".compare-results table").first
    year_row = headline.locator("tbody tr", has=page.locator("th", has_text=re.compile("^年度$")))
    assert year_row.locator("td").all_inner_texts() == ["2023", "2023"]  # the latest of each, as written
    page.locator(".compare-results .chart-plot").last.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.compare-results svg.main-svg').length >= 2",
                           timeout=15_000)
    trend = page.locator(".compare-results .js-plotly-plot").last
    traces = trend.evaluate("el => el.data.map(t => ({name: t.name, x: t.x, y: t.y}))")
    years = [str(y) for y in range(2019, 2024)]
    applications = {
        name: {str(r["year"]): r["applications"] for r in rows[name]["reports"]} for name in (ZHANGSHANZI, PINGTAN)}
    assert [t["name"] for t in traces] == [ZHANGSHANZI, PINGTAN]
    for trace in traces:
        assert trace["x"] == years
        assert trace["y"] == [applications[trace["name"]].get(year) for year in years]  # a missing year: null
    # What the reader sees: the axis reads 2019 … 2023 from left to right, never 2,023.
    ticks = trend.locator(".xtick text").all_text_contents()
    assert ticks == years, ticks
    text = page.locator(".compare-results").inner_text()
    assert not re.search(r"\b20,\d\d\d\b|\b2,0\d\d\b", text), "a year written with a thousands separator"
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    screenshot(watched, "compare-trend", viewport)


def test_the_search_is_a_listbox_worked_by_the_keyboard(ui_site: Site, open_page: Any, viewport: str) -> None:
    rows = index_rows(ui_site)
    watched = open_page(compare_url(ui_site, rows[ZHANGSHANZI]["slug"]))
    page = watched.page
    page.wait_for_function("() => !document.querySelector('form.picker').hidden")
    box = page.locator("#c-q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    listbox = page.locator("#" + (box.get_attribute("aria-controls") or "missing"))
    assert listbox.get_attribute("role") == "listbox"
    box.focus()
    page.keyboard.type("zhen")  # every 镇 but the one chosen
    page.wait_for_function("() => document.querySelector('#c-q').getAttribute('aria-expanded') === 'true'")
    options = listbox.locator("[role=option]")
    assert options.count() >= 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    assert options.nth(0).get_attribute("aria-selected") == "false"
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    page.keyboard.press("ArrowDown")
    picked = second.inner_text().split("（")[0]
    page.keyboard.press("Enter")  # adds the marked one; focus stays in the box
    chosen = page.locator(".chosen li span")
    page.wait_for_function("() => document.querySelectorAll('.chosen li').length === 2")
    assert [t.strip() for t in chosen.all_inner_texts()] == [ZHANGSHANZI, picked]
    assert rows[picked]["slug"] in page.url
    assert page.evaluate("() => document.activeElement.id") == "c-q"
    assert box.input_value() == "" and listbox.is_hidden()
    page.keyboard.type("zhen")
    page.wait_for_function("() => document.querySelector('#c-q').getAttribute('aria-expanded') === 'true'")
    page.keyboard.press("Escape")  # closes the list, keeps the text
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false" and box.input_value() == "zhen"
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("Escape")  # a second Escape clears the box
    assert box.input_value() == ""
    # The pointer works too: a tap on an option adds it.
    page.keyboard.type("pingtan")
    listbox.locator("[role=option]").first.click()
    page.wait_for_function("() => document.querySelectorAll('.chosen li').length === 3")
    watched.assert_clean()


def test_the_median_checkbox_sits_with_its_label(ui_site: Site, open_page: Any, viewport: str) -> None:
    watched = open_page(ui_site.url("compare/"))
    page = watched.page
    page.wait_for_function("() => !document.querySelector('form.picker').hidden")
    box = page.locator("#c-median").bounding_box()
    label = page.locator("label[for=c-median]")
    text = label.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el);"
                          " const b = r.getClientRects()[0]; return {x: b.x, y: b.y, height: b.height}; }")
    assert box and box["width"] <= 24, box  # a box, not a field 20em wide
    assert 0 <= text["x"] - (box["x"] + box["width"]) <= 16, (box, text)  # the label right after it
    assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) <= 6, (box, text)  # on its line
    label.click()  # the label ticks its box
    assert page.locator("#c-median").is_checked()
    watched.assert_clean()


def test_table_three_keeps_its_group_headings_and_main_figures_are_named_once(
        ui_site: Site, open_page: Any, viewport: str) -> None:
    rows = index_rows(ui_site)
    watched = open_page(compare_url(ui_site, rows[ZHANGSHANZI]["slug"], rows[PINGTAN]["slug"]))
    page = watched.page
    wait_for_results(page)
    table = page.locator(".compare-results table", has=page.locator("caption", has_text="三、收到和处理"))
    labels = [t.strip() for t in table.locator("tbody th").all_inner_texts()]
    for heading, first in (("三、本年度办理结果", "（一）予以公开"), ("（三）不予公开", "1.属于国家秘密"),
                           ("（四）无法提供", "1.本机关不掌握相关政府信息"), ("（五）不予处理", "1.信访举报投诉类申请"),
                           ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")):
        assert labels[labels.index(heading) + 1] == first, labels
    heading_row = table.locator("tbody tr.block", has=page.locator("th", has_text="（三）不予公开"))
    assert heading_row.count() == 1
    secret = table.locator("tbody tr", has=page.locator("th", has_text="1.属于国家秘密"))
    assert "sub" in (secret.get_attribute("class") or "")
    visible = page.evaluate("""() => [...document.querySelectorAll('.compare-results *')]
        .filter(el => el.children.length === 0 && el.textContent.trim() === '主要数字' && el.getClientRects().length)
        .length""")
    assert visible == 1
    headline = page.locator(".compare-results table").first
    assert headline.get_attribute("aria-labelledby") and headline.locator("caption").count() == 0
    assert_no_sideways_scroll(watched)
    watched.assert_clean()
    screenshot(watched, "compare-tables", viewport)


def _partial_groups(site: Site, slug: str) -> tuple[list[str], list[int | None]]:
    """A body's latest report as its data file holds it: the outcome groups with
    some rows stated and some blank, and each group's sum of stated rows."""
    reports = json.loads(gzip.decompress((site.out / "agency" / slug / "reports.json.gz").read_bytes()))
    applications = reports[0]["applications"]
    partial, sums = [], []
    for _, label, keys in OUTCOME_GROUPS:
        stated = [applications[key]["total"] for key in keys if applications[key]["total"] is not None]
        if len(keys) > 1 and 0 < len(stated) < len(keys):
            partial.append(label)
        sums.append(sum(stated) if stated else None)
    return partial, sums


def test_an_outcome_bar_with_blank_rows_says_so(ui_site: Site, open_page: Any) -> None:
    """A group's bar sums the rows a report states, as on a body's page; a note names each
    body and group where some rows are blank, so a partial sum is never read as the whole."""
    rows = index_rows(ui_site)
    partial_name, partial_slug = next((name, row["slug"]) for name, row in rows.items()
                                      if _partial_groups(ui_site, row["slug"])[0])  # the corpus has some
    whole_slug = rows[ZHANGSHANZI]["slug"]
    watched = open_page(compare_url(ui_site, partial_slug, whole_slug))
    page = watched.page
    wait_for_results(page)
    page.locator(".compare-results .chart-plot").first.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.compare-results svg.main-svg').length >= 1",
                           timeout=15_000)
    figure = page.locator(".compare-results figure.chart", has_text="申请办理结果")
    traces = figure.locator(".js-plotly-plot").evaluate("el => el.data.map(t => t.y)")
    partial, sums = _partial_groups(ui_site, partial_slug)
    assert traces[0] == sums
    assert traces[1] == _partial_groups(ui_site, whole_slug)[1]
    note = figure.locator(".chart-note").inner_text()
    assert note.startswith("有空白的行，只计填写了数字的行")
    assert f"{partial_name}：{'、'.join(partial)}" in note
    if not _partial_groups(ui_site, whole_slug)[0]:
        assert ZHANGSHANZI not in note
    watched.assert_clean()


@pytest.mark.parametrize("keys", [["constructor", "toString"], ["__proto__", "hasOwnProperty", "valueOf"]])
def test_object_keys_in_the_address_are_unknown_bodies(ui_site: Site, open_page: Any, keys: list[str]) -> None:
    rows = index_rows(ui_site)
    real = rows[ZHANGSHANZI]["slug"]
    watched = open_page(compare_url(ui_site, *keys, real))
    page = watched.page
    page.wait_for_function("() => !document.querySelector('form.picker').hidden")
    assert [t.strip() for t in page.locator(".chosen li span").all_inner_texts()] == [ZHANGSHANZI]
    assert "请再选择至少一个机关" in page.locator(".comparison .status").inner_text()
    page.locator("#c-year").select_option("2023")
    assert "year=2023" in page.url and "constructor" not in page.url
    watched.assert_clean()
    watched = open_page(ui_site.url("?" + urlencode({"region": keys[0], "year": keys[-1]})))
    page = watched.page
    page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')")
    assert page.locator(".compare-table tbody tr").count() == len(rows)
    watched.assert_clean()
