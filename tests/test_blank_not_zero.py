"""A blank is never 0 in any figure the site prints.

The corpus-wide test builds a site from reports with blanks in every table (cells, row
totals, whole outcome groups, the figures shares are made of) and checks every figure of
the home page, the region pages, the comparison table (its pages and index.json), the
charts' tables and each report's page against sums of the stated cells, computed here
from the published reports by the rule alone: a sum over reports adds the stated figures
and says how many it covers; a figure made of a report's cells needs all of them; a share
counts only reports that state its numerator and its denominator. Then unit and property
tests of the rule, and 约 wherever an approximate figure is shown.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giro_site.bench.synth import corpus_bodies, random_report, render_text
from giro_site.forms.spec import APPLICANT_KEYS, REVIEW_GROUPS, REVIEW_OUTCOMES
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.downloads.aggregates import stable_id
from giro_site.site.downloads.formats import WIDE_COLUMNS
from giro_site.site.model import OUTCOME_GROUPS
from giro_site.site.totals import share_of, total_of

BUILD_DATE = "2026-01-02"
Report = dict[str, Any]


# --- the rule, written again from its statement -----------------------------------------------


def _all(values: list[Any]) -> Any:
    return None if any(v is None for v in values) else sum(values)


def _stated(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def expected(report: Report) -> dict[str, Any]:
    apps, review = report["applications"], report["review_litigation"]
    groups = {key: [apps[row]["total"] for row in rows] for key, _, rows in OUTCOME_GROUPS}
    processed = apps["total_processed"]["total"]
    if processed is None:
        processed = _all([v for values in groups.values() for v in values])
    granted = _all([apps["granted"]["total"], apps["partially_granted"]["total"]])
    received = apps["new_received"]["total"]
    if received is None:
        received = _all([apps["new_received"][c] for c in APPLICANT_KEYS if c != "total"])
    reviews = review["review"]["total"]
    lawsuits = _all([review["litigation_direct"]["total"], review["litigation_after_review"]["total"]])
    items = report["metrics"]["proactive_items"]
    return {
        "items": items["value"], "approx": bool(items["value"] is not None and items["approximate"]),
        "applications": received, "processed": processed, "granted": granted,
        "share": round(granted / processed, 4) if granted is not None and processed else None,
        "reviews": reviews, "lawsuits": lawsuits, "cases": _all([reviews, lawsuits]),
        "corrected": _all([review[g]["corrected"] for g in REVIEW_GROUPS]),
        "groups": {key: _stated(values) for key, values in groups.items()},
        "complete": {key: all(v is not None for v in values) for key, values in groups.items()},
    }


def fmt(value: Any, approx: bool = False) -> str:
    if value is None:
        return "—"
    return ("约" if approx else "") + (f"{value:,}" if isinstance(value, int) else str(value))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def year_totals(reports: list[Report]) -> dict[str, Any]:
    """The sums of one year's reports: each figure's stated values, how many, and the share
    of the reports that state both its parts (a part over its whole is in doubt)."""
    heads = [expected(r) for r in reports]
    out: dict[str, Any] = {"agencies": len(heads)}
    for key in ("items", "applications", "reviews", "lawsuits"):
        values = [h[key] for h in heads if h[key] is not None]
        out[key] = (sum(values) if values else None, len(values),
                    key == "items" and any(h["approx"] for h in heads if h[key] is not None))
    pairs = [(h["granted"], h["processed"]) for h in heads
             if h["granted"] is not None and h["processed"] is not None and h["granted"] <= h["processed"]]
    whole = sum(p for _, p in pairs)
    out["share"] = (round(sum(g for g, _ in pairs) / whole, 4) if whole else None, len(pairs))
    return out


# --- a corpus with blanks in every table --------------------------------------------------------


def _blank_some(report: Any, rng: random.Random, case: int) -> None:
    """Blank cells of every table; some reports in the ways that once gave wrong figures."""
    for table in (report.proactive, report.applications, report.review):
        for row in table.values():
            for column in row:
                if rng.random() < 0.12:
                    row[column] = None
    apps = report.applications
    if case == 0:  # 部分公开 blank: a share of 予以公开 alone was shown
        apps["partially_granted"]["total"] = None
    elif case == 1:  # every outcome blank beside a stated total: 805 in the denominator, 0 above
        for _, _, rows in OUTCOME_GROUPS:
            for row in rows:
                apps[row] = dict.fromkeys(APPLICANT_KEYS)
    elif case == 2:  # the totals blank, the parts stated
        apps["new_received"]["total"] = None
        apps["total_processed"]["total"] = None
        report.review["litigation_after_review"] = dict.fromkeys(REVIEW_OUTCOMES)
    elif case == 3:  # a whole group blank
        for row in next(rows for key, _, rows in OUTCOME_GROUPS if key == "denied"):
            apps[row] = dict.fromkeys(APPLICANT_KEYS)


def write_corpus(content: Path, bodies: int, seed: int) -> None:
    rng = random.Random(seed)
    for number, body in enumerate(corpus_bodies(bodies, rng)):
        if number >= bodies:
            break
        region = "".join(p.name for p in body.place.parent.chain()) if body.place.parent else None
        for year in (2021, 2022) if number % 3 else (2022,):
            report = random_report(rng, body.name, region, year)
            report.proactive_items = rng.choice([None, rng.randint(10, 900)])
            _blank_some(report, rng, (number + year) % 6)
            text = render_text(report)
            if report.proactive_items is not None and number % 4 == 1:
                text = text.replace(f"全年主动公开政府信息{report.proactive_items}条",
                                    f"全年主动公开政府信息约{report.proactive_items}条")
            path = content / "reports" / str(year) / f"{number:03d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, list[Report]]]:
    root = tmp_path_factory.mktemp("blanks")
    write_corpus(root / "content", 36, 5)
    out = root / "public"
    build_site(BuildOptions(content=root / "content", out=out, build_date=BUILD_DATE))
    index = json.loads((out / "data" / "index.json").read_text(encoding="utf-8"))
    published = {row[0]: json.loads(gzip.decompress((out / "agency" / row[0] / "reports.json.gz").read_bytes()))
                 for row in index["rows"]}
    return out, index, published


# --- reading what the pages print ---------------------------------------------------------------


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def cards(html: str) -> dict[str, str]:
    """Each card's title and what it shows, as a reader reads it."""
    found = re.findall(r"<dt>([^<]+)(?:</dt>)?<dd>(.*?)(?:</dd>)?</div>", html)
    return {title: text_of(value) for title, value in found}


def card(total: tuple[Any, int, bool], of: int, unit: str) -> str:
    value, covers, approx = total
    note = f"{covers}/{of} 个机关填写" if value is not None and covers < of else ""
    return f"{fmt(value, approx)} {unit}{note}"


def share_card(share: tuple[float | None, int], of: int) -> str:
    value, covers = share
    return pct(value) + (f"{covers}/{of} 个机关填写" if value is not None and covers < of else "")


def cell(total: tuple[Any, int, bool], of: int) -> str:
    value, covers, approx = total
    return fmt(value, approx) + (f"（{covers}）" if value is not None and covers < of else "")


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption (or a chart's data table with this title)."""
    start = html.index(caption)
    body = html[start:html.index("</table>", start)]
    rows = []
    for row in re.split(r"<tr[^>]*>", body)[1:]:
        cells = re.split(r"<t[hd][^>]*>", row)[1:]
        rows.append([text_of(c) for c in cells])
    return rows


# --- the test ----------------------------------------------------------------------------------


def test_no_figure_the_site_prints_adds_a_blank_as_zero(built: tuple[Path, dict[str, Any],
                                                                     dict[str, list[Report]]]) -> None:
    out, index, published = built
    reports = [r for slug in published for r in published[slug]]
    assert len(reports) > 50
    heads = [expected(r) for r in reports]
    # the corpus has what the test is about
    assert any(h["share"] is None and h["processed"] for h in heads)
    assert any(not all(h["complete"].values()) and h["groups"]["denied"] is None for h in heads)
    assert any(h["approx"] for h in heads) and any(h["items"] is None for h in heads)
    assert any(h["lawsuits"] is None and h["reviews"] is not None for h in heads)

    by_year: dict[int, list[Report]] = {}
    for report in reports:
        by_year.setdefault(report["year"], []).append(report)
    home = (out / "index.html").read_text(encoding="utf-8")
    latest = max(by_year)
    sums = year_totals(by_year[latest])
    shown = cards(home)
    of = sums["agencies"]
    assert shown["报告机关"] == f"{of} 个"
    assert shown["主动公开政府信息"] == card(sums["items"], of, "条")
    assert shown["本年新收申请"] == card(sums["applications"], of, "件")
    assert shown["予以公开或部分公开"] == share_card(sums["share"], of)
    assert shown["行政复议"] == card(sums["reviews"], of, "件")
    assert shown["行政诉讼"] == card(sums["lawsuits"], of, "件")
    for row in table_rows(home, "<caption>历年合计</caption>")[1:]:
        sums = year_totals(by_year[int(row[0])])
        of = sums["agencies"]
        assert row[1:] == [str(of), cell(sums["items"], of), cell(sums["applications"], of),
                           pct(sums["share"][0]) + (f"（{sums['share'][1]}）" if sums["share"][0] is not None
                                                    and sums["share"][1] < of else ""),
                           cell(sums["reviews"], of), cell(sums["lawsuits"], of)]

    # index.json: every report's figures; the latest of each body in the table's pages
    latest_of: dict[str, Report] = {}
    for row in index["rows"]:
        record = dict(zip(index["fields"], row, strict=True))
        for entry, report in zip(record["reports"], published[record["slug"]], strict=True):
            fields = dict(zip(index["report_fields"], entry, strict=True))
            head = expected(report)
            assert [fields["items"], fields["applications"], fields["share"], fields["cases"], fields["approx"]] == \
                [head["items"], head["applications"], head["share"], head["cases"], int(head["approx"])]
        latest_of[record["name"]] = published[record["slug"]][0]
    pages = [home] + [p.read_text(encoding="utf-8") for p in (out / "agencies").rglob("index.html")]
    listed = 0
    for page in pages:
        for row in table_rows(page, "各机关年度报告对比</caption>")[1:]:
            head = expected(latest_of[row[0]])
            assert row[4:8] == [fmt(head["items"], head["approx"]), fmt(head["applications"]), pct(head["share"]),
                                fmt(head["cases"])], row[0]
            listed += 1
    assert listed >= len(latest_of)

    # the home page's charts: items (with 约) and each outcome's share of those processed
    for row in table_rows(home, "主动公开政府信息条数</figcaption>")[1:]:
        head = expected(latest_of[row[0]])
        assert row[1] == fmt(head["items"], head["approx"])
    for row in table_rows(home, "申请办理结果构成</figcaption>")[1:]:
        head = expected(latest_of[row[0]])
        assert head["processed"]
        assert row[1:] == [_share_cell(head, key) for key, _, _ in OUTCOME_GROUPS], row[0]

    # every region page: its latest year's sums over the bodies in it
    regions = 0
    for path in (out / "regions").rglob("index.html"):
        html = path.read_text(encoding="utf-8")
        if "年度合计</h2>" not in html:
            continue
        year = int(re.search(r"<h2 id=\"h-totals\">(\d+)年度合计</h2>", html).group(1))  # type: ignore[union-attr]
        code = re.search(r"行政区划代码 (\d+)", html).group(1)  # type: ignore[union-attr]
        inside = [r for r in by_year[year] if _within(r["division"]["code"], code)]
        sums = year_totals(inside)
        shown, of = cards(html), sums["agencies"]
        assert shown["报告机关"] == f"{of} 个", path
        assert shown["主动公开政府信息"] == card(sums["items"], of, "条"), path
        assert shown["本年新收申请"] == card(sums["applications"], of, "件"), path
        assert shown["予以公开或部分公开"] == share_card(sums["share"], of), path
        assert shown["行政复议"] == card(sums["reviews"], of, "件"), path
        assert shown["行政诉讼"] == card(sums["lawsuits"], of, "件"), path
        regions += 1
    assert regions >= 5

    # each report's page: its cards, its outcomes chart (stated rows only), the trend
    for row in index["rows"]:
        slug = row[0]
        for report, entry in zip(published[slug], row[7], strict=True):
            html = (out / "agency" / slug / f"{entry[0]}.html").read_text(encoding="utf-8")
            head, shown = expected(report), cards(html)
            assert shown["主动公开政府信息"] == f"{fmt(head['items'], head['approx'])} 条"
            assert shown["本年新收申请"] == f"{fmt(head['applications'])} 件"
            assert shown["予以公开或部分公开"] == pct(head["share"])
            assert shown["行政复议 / 行政诉讼"] == f"{fmt(head['reviews'])} / {fmt(head['lawsuits'])} 件"
            assert shown["其中结果纠正"] == f"{fmt(head['corrected'])} 件"
            outcomes = table_rows(html, "申请办理结果（件）</figcaption>")[1:]
            assert [r[1] for r in outcomes] == [fmt(head["groups"][key]) for key, _, _ in OUTCOME_GROUPS]
        if len(published[slug]) > 1:
            html = (out / "agency" / slug / f"{row[7][0][0]}.html").read_text(encoding="utf-8")
            trend = table_rows(html, "历年变化</figcaption>")[1:]
            for line, report in zip(trend, sorted(published[slug], key=lambda r: r["year"]), strict=True):
                head = expected(report)
                assert line == [str(report["year"]), fmt(head["items"], head["approx"]), fmt(head["applications"]),
                                fmt(head["cases"])]


def test_no_download_adds_a_blank_as_zero(built: tuple[Path, dict[str, Any], dict[str, list[Report]]],
                                         tmp_path: Path) -> None:
    """Every cell of the CSV and the database is the report's figure, a blank an empty field or
    NULL; the group totals and the share granted are the rule's, with their flags."""
    out, _, published = built
    reports = {str(stable_id(r["source"]["file"])): r for slug in published for r in published[slug]}
    with zipfile.ZipFile(out / "data" / "reports-all.csv.zip") as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("reports-all.csv").decode("utf-8-sig"))))
    assert sorted(row["id"] for row in rows) == sorted(reports)
    blanks = 0
    for row in rows:
        report, head = reports[row["id"]], expected(reports[row["id"]])
        for column in WIDE_COLUMNS:
            if column.count(".") == 2:
                table, key, cell_key = column.split(".")
                value = report[table].get(key, {}).get(cell_key)
                assert row[column] == ("" if value is None else str(value)), column
                blanks += value is None
        for group in ("denied", "unable", "not_processed"):
            assert row[f"{group}_total"] == ("" if head["groups"][group] is None else str(head["groups"][group]))
            assert row[f"{group}_complete"] == str(int(head["complete"][group]))
        assert row["granted_share"] == ("" if head["share"] is None else str(head["share"]))
        assert row["proactive_items"] == ("" if head["items"] is None else str(head["items"]))
        assert row["proactive_items_approximate"] == ("" if head["items"] is None else str(int(head["approx"])))
    assert blanks > 500
    with zipfile.ZipFile(out / "data" / "reports-all.sqlite.zip") as archive:
        archive.extract("reports-all.sqlite", tmp_path)
    db = sqlite3.connect(tmp_path / "reports-all.sqlite")
    for report_id, key, total, person in db.execute(
            "SELECT report_id, row_key, total, natural_person FROM applications"):
        cells = reports[str(report_id)]["applications"][key]
        assert (total, person) == (cells["total"], cells["natural_person"])


def _within(code: str | None, region: str) -> bool:
    """Whether a body's place (12 digits) is in the region of this code (12 digits)."""
    if not code:
        return False
    for length in (2, 4, 6, 9, 12):
        if region[length:].strip("0") == "":
            return code[:length] == region[:length]
    return code == region


def _share_cell(head: dict[str, Any], key: str) -> str:
    if not head["complete"][key] or head["groups"][key] is None:
        return "—"
    share = round(100 * head["groups"][key] / head["processed"], 1)
    return f"{share:.1f}".removesuffix(".0") + "%"


# --- the rule as unit and property tests -------------------------------------------------------


def test_a_share_counts_only_reports_that_state_both_its_parts() -> None:
    """The home page's 1.0% for 2019: 805 processed beside blank outcomes was in the
    denominator; a report whose 部分公开 is blank showed 予以公开 alone as the share."""
    assert share_of([(None, 805), (10, 20)]).value == 0.5
    assert share_of([(None, 805), (10, None)]).value is None and share_of([]).covers == 0
    assert share_of([(30, 20), (10, 20)]).value == 0.5  # 30 of 20 is in doubt (its report says so)
    assert share_of([(0, 0), (1, 4)]).covers == 2


def test_totals_add_the_stated_figures_and_count_them() -> None:
    total = total_of([3, None, 4, None], [False, True, True, False])
    assert (total.value, total.covers, total.approximate) == (7, 2, True)
    assert total_of([None, None]).value is None and total_of([None]).covers == 0
    assert total_of([0, None]).value == 0  # a stated 0 is a figure


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 50)), st.one_of(st.none(), st.integers(0, 60))),
                max_size=8))
def test_share_of_is_the_share_of_the_pairs_stated(pairs: list[tuple[int | None, int | None]]) -> None:
    kept = [(a, b) for a, b in pairs if a is not None and b is not None and a <= b]
    share = share_of(pairs)  # type: ignore[arg-type]
    assert share.covers == len(kept)
    whole = sum(b for _, b in kept)
    assert share.value == (round(sum(a for a, _ in kept) / whole, 4) if whole else None)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), max_size=10))
def test_total_of_never_counts_a_blank(values: list[int | None]) -> None:
    total = total_of(values)  # type: ignore[arg-type]
    stated = [v for v in values if v is not None]
    assert (total.value, total.covers) == ((sum(stated) if stated else None), len(stated))


@given(st.data())
def test_a_headline_figure_made_of_cells_needs_every_one(data: st.DataObject) -> None:
    """Property: whatever cells of table 三 and 四 are blank, the headline of a report is
    the rule's (``expected``): made of stated cells only, and blank when one is missing."""
    from giro_site.site.model import headline

    rng = random.Random(data.draw(st.integers(0, 10**6)))
    synth = random_report(rng, "高岭镇人民政府", "北京市密云区", data.draw(st.sampled_from([2020, 2022])))
    _blank_some(synth, rng, data.draw(st.integers(0, 5)))
    report = {"applications": synth.applications, "review_litigation": synth.review, "findings": [],
              "metrics": {"proactive_items": {"value": 5, "approximate": True}}}
    head, want = headline(report), expected(report)
    assert [head.items, head.applications, head.processed, head.granted, head.granted_share, head.reviews,
            head.lawsuits, head.cases, head.corrected, head.outcomes, head.complete, head.items_approximate] == \
        [want["items"], want["applications"], want["processed"], want["granted"], want["share"], want["reviews"],
         want["lawsuits"], want["cases"], want["corrected"], want["groups"], want["complete"], want["approx"]]


_figure = st.one_of(st.none(), st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False, allow_infinity=False))


@given(st.lists(st.tuples(_figure, _figure, _figure, _figure, _figure, _figure, _figure, st.booleans(),
                          st.sampled_from(["ok", "warning", "error"])), max_size=30))
def test_a_years_totals_are_the_sums_of_the_stated_figures_in_one_pass(rows: list[tuple[Any, ...]]) -> None:
    """The home and region pages' totals are made in one pass over the reports; each must be
    what summing that figure's stated values alone gives (a blank is not 0), in the same
    order (the same bytes as before), with the share over reports that state both parts."""
    from giro_site.site.model import Headline
    from giro_site.site.totals import share_of, total_of, totals_by_year

    class _Agency:
        def __init__(self, slug: str, info: Any) -> None:
            self.slug, self.reports = slug, [info]

    class _Info:
        def __init__(self, head: Headline) -> None:
            self.year, self.head = 2023, head

    heads = [Headline(items=None if items is None else int(items), applications=applications, processed=processed,
                      granted_share=None, reviews=reviews, lawsuits=lawsuits, corrected=corrected, outcomes={},
                      quality=quality, errors=0, warnings=0, granted=granted, items_approximate=approximate)
             for items, applications, processed, reviews, lawsuits, corrected, granted, approximate, quality in rows]
    made = totals_by_year([_Agency(f"a{i}", _Info(head)) for i, head in enumerate(heads)])  # type: ignore[list-item]
    if not heads:
        assert made == []
        return
    (totals,) = made
    assert totals.items == total_of([h.items for h in heads], [h.items_approximate for h in heads])
    for name in ("applications", "reviews", "lawsuits", "corrected"):
        assert getattr(totals, name) == total_of([getattr(h, name) for h in heads]), name
    assert totals.granted_share == share_of([(h.granted, h.processed) for h in heads])
    assert (totals.reports, totals.agencies, totals.errors) == (len(heads), len(heads),
                                                                sum(h.quality == "error" for h in heads))
