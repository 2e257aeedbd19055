"""The agency pages' kept pieces of markup give the bytes the macros give, whatever was kept
before: a table filled into its skeleton figure by figure, and a report's charts kept by what
the chart macro reads of them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from giro_site.bench.synth import random_report, render_text
from giro_site.report import parse_report
from giro_site.site.pages import charts
from giro_site.site.pages.contexts import _numbered, shown_table
from giro_site.site.pages.environment import make_environment
from giro_site.site.pages.fragments import Fragments
from giro_site.site.tables import layouts
from tests.conftest import ROOT, SEEDS


def _reports(tmp_path: Path) -> list[dict[str, Any]]:
    """The seeds and synthetic reports of both forms, with blanks, sub-rows and broken identities."""
    rng = random.Random(7)
    found = [parse_report(path) for path in SEEDS]
    for index in range(24):
        synthetic = random_report(rng, f"第{index}测试局", "北京市东城区", 2019 + index % 5, blanks=index % 2 == 0,
                                  subrows=index % 3 == 0, broken=index % 4 == 0)
        path = tmp_path / f"r{index}.txt"
        path.write_text(render_text(synthetic), encoding="utf-8")
        found.append(parse_report(path))
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return _reports(tmp_path_factory.mktemp("fragments"))


def _environment() -> Any:
    return make_environment(ROOT / "templates", {"quality_label": {}, "severity_label": {}})


def test_a_report_chart_is_the_macro_markup_whatever_was_kept_before(reports: list[dict[str, Any]]) -> None:
    env = _environment()
    macro = env.get_template("macros.html").module.chart
    fragments = Fragments(env)
    made = [charts.report_charts(report, year_id) for report in reports for year_id in ("2021", "2022-2")]
    # The same year's source charts with other figures (blank, all zero) must not come back from the cache.
    blank = {**reports[0], "applications": {row: dict.fromkeys(cells) for row, cells in
                                            reports[0]["applications"].items()}}
    made.append(charts.report_charts(blank, "2021"))
    for report_charts in made * 2:  # the second time every chart is kept
        for chart in report_charts:
            assert fragments.chart(chart) == Markup(macro(chart))
    # a source chart of one id both empty and drawn: what the cache must tell apart
    shown = {(chart["id"], chart["empty"]) for report_charts in made for chart in report_charts}
    assert ("applicants-2021", True) in shown and ("applicants-2021", False) in shown


def test_a_table_filled_into_its_skeleton_is_the_macro_markup(reports: list[dict[str, Any]]) -> None:
    skeleton = Fragments(_environment())
    whole = Fragments(_environment())
    whole.has_table = lambda key: False  # type: ignore[method-assign]  # every table by the macro
    # Each report also without findings or extra rows (the skeleton's case) and with some
    # cells marked derived (a row with one takes the per-cell path).
    plain = [{**report, "findings": [], "extra_rows": [],
              "derived": [path for layout in layouts(report["form"]) for row in layout.rows[::5] for path in row.paths]}
             for report in reports]
    filled = 0
    for report in (reports + plain) * 2:  # the second time every skeleton is kept
        for layout in layouts(report["form"]):
            args = (layout, report, _numbered(report, "2021"), True)
            kept = shown_table(*args, skeleton, "2021")
            made = shown_table(*args, whole, "2021")
            assert (kept.html or "") == (made.html or "")
            filled += kept.html is not None and not kept.rows  # filled into the skeleton
    assert filled >= len(plain) * 3
