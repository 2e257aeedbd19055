"""约 in the browser: a number of items a report gives only approximately is drawn in the
charts (at its figure) and its tip keeps the 约; the comparison table's rows (drawn by
index.js) and the compare page's figures say 约 too."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.site.build.builder import BuildOptions, build_site
from tests.browser.conftest import Site, _serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def approximate_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """高岭镇 reports 约300 and 约320 items in 2020 and 2021; 穆家峪镇 gives 150 exactly."""
    root = tmp_path_factory.mktemp("approximate")
    content = root / "content"
    for year, agency, items, about in ((2020, "高岭镇人民政府", 300, True), (2021, "高岭镇人民政府", 320, True),
                                       (2021, "穆家峪镇人民政府", 150, False)):
        report = random_report(random.Random(year), agency, "北京市密云区", year)
        report.proactive_items = items
        text = render_text(report)
        if about:
            text = text.replace(f"全年主动公开政府信息{items}条", f"全年主动公开政府信息约{items}条")
        path = content / "reports" / str(year) / f"{agency}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = root / "site"
    build_site(BuildOptions(content=content, out=out, build_date="2026-01-02"))
    server, origin = _serve(out)
    yield Site(root=origin + "/", base="/", out=out, content=content)
    server.shutdown()


def _marks(page: Any, selector: str) -> list[tuple[float, str]]:
    return page.eval_on_selector_all(f"{selector} [data-tip]",
                                     "ms => ms.map(m => [+m.dataset.value, m.dataset.tip])")


def test_an_approximate_figure_is_drawn_and_its_tip_says_so(approximate_site: Site, open_page: Any) -> None:
    watched = open_page(approximate_site.url())
    page = watched.page
    volumes = page.locator("figure.chart", has=page.locator("figcaption", has_text="主动公开政府信息条数"))
    volumes.scroll_into_view_if_needed()
    volumes.locator(".chart-plot.drawn svg [data-tip]").first.wait_for(state="attached")
    tips = dict(volumes.locator("[data-tip]").evaluate_all("ms => ms.map(m => [+m.dataset.value, m.dataset.tip])"))
    assert tips.get(320.0, "").endswith("：约320") and tips.get(150.0, "").endswith("：150")
    page.wait_for_function("() => document.querySelectorAll('.compare-table tbody tr').length === 2")
    cells = page.locator(".compare-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].textContent, r.cells[4].textContent])")
    assert sorted(cells) == [["穆家峪镇人民政府", "150"], ["高岭镇人民政府", "约320"]]
    agency = approximate_site.out / "agency"
    slug = next(p.name for p in agency.iterdir() if (p / "2020.html").is_file())
    watched.assert_clean()

    trend = open_page(approximate_site.url(f"agency/{slug}/2021.html")).page
    trend.wait_for_selector(".chart-plot.drawn [data-tip]", state="attached")
    points = _marks(trend, ".chart-plot.drawn")
    assert [300.0, "2020 · 主动公开信息（条）：约300"] in [list(p) for p in points]
    assert [320.0, "2021 · 主动公开信息（条）：约320"] in [list(p) for p in points]
    assert trend.locator(".card").first.inner_text().replace("\n", "").startswith("主动公开政府信息约320")
