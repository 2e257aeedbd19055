"""The built site, from the seeds: pages, links, downloads, safety, determinism."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.report import parse_report
from giro_site.site.build.assets import PLOTLY_BUNDLE, bundle_trace_types
from giro_site.site.build.builder import BuildOptions, build_site
from tests.conftest import ROOT, SEEDS, seed_text
from tests.sitecheck import broken_links, file_for, page_text, parse_page

BUILD_DATE = "2026-01-02"


def build(content: Path, out: Path, base_url: str | None = None) -> Any:
    return build_site(BuildOptions(content=content, out=out, base_url=base_url, build_date=BUILD_DATE))


def copy_content(tmp: Path) -> Path:
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    build(ROOT / "content", out)
    return out


@pytest.fixture(scope="module")
def index_rows(site: Path) -> list[dict[str, Any]]:
    data = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    rows = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    for row in rows:  # the latest report's page, as index.js builds it
        row["url"] = data["agency_url"].replace("{slug}", row["slug"]).replace("{id}", row["reports"][0][0])
    return rows


AGENCIES = {"000": "岭子镇人民政府", "001": "高岭镇人民政府", "002": "张山子镇", "003": "鹿乡镇人民政府",
            "004": "岑港街道"}


def agency_page(site: Path, index_rows: list[dict[str, Any]], name: str) -> Path:
    row = next(r for r in index_rows if r["name"] == name)
    page = file_for(site, "/", row["url"])
    assert page is not None
    return page


@pytest.mark.parametrize(("name", "figures"), [
    ("岭子镇人民政府", ["86"]),
    ("高岭镇人民政府", ["309", "59", "18", "119"]),
    ("张山子镇", ["54", "100.0%"]),
    ("鹿乡镇人民政府", ["109", "发布总数量"]),
    ("岑港街道", ["203", "61", "373.9265"]),
])
def test_every_agency_page_exists_and_shows_its_own_figures(site: Path, index_rows: list[dict[str, Any]],
                                                            name: str, figures: list[str]) -> None:
    text = page_text(agency_page(site, index_rows, name))
    assert name in text
    for figure in figures:
        assert figure in text
    others = [n for n in AGENCIES.values() if n != name and n not in name]
    assert not any(f"<h1>{other}</h1>" in text for other in others)


def test_blank_is_shown_as_a_dash_and_not_as_zero(site: Path, index_rows: list[dict[str, Any]]) -> None:
    html = agency_page(site, index_rows, "岭子镇人民政府").read_text(encoding="utf-8")
    row = re.search(r"<tr><th>规章(.*?)<tr", html)
    assert row is not None
    assert row.group(1).count("<td class=b aria-label=空白>—") == 3 and "<td>0" not in row.group(1)


def test_derived_values_and_subrows_are_marked(site: Path, index_rows: list[dict[str, Any]]) -> None:
    html = agency_page(site, index_rows, "高岭镇人民政府").read_text(encoding="utf-8")
    assert html.count("<td class=d>0<span class=vh>（合计得出）</span>*") == 3
    assert "行政检查" in html and "行政确认" in html


def test_index_lists_every_agency(site: Path, index_rows: list[dict[str, Any]]) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    for name in AGENCIES.values():
        assert name in html
    assert sorted(r["name"] for r in index_rows) == sorted(AGENCIES.values())
    gaoling = next(r for r in index_rows if r["name"] == "高岭镇人民政府")
    assert "gaoling" in gaoling["py"] and "glz" in gaoling["initials"]


@pytest.mark.parametrize("base", [None, "/x/"])
def test_every_internal_link_and_asset_resolves(tmp_path: Path, base: str | None) -> None:
    out = tmp_path / "public"
    build(ROOT / "content", out, base)
    assert broken_links(out, base or "/") == []
    if base:
        html = (out / "index.html").read_text(encoding="utf-8")
        assert 'href="/x/assets/css/site.' in html and 'href="/agency/' not in html
        assert "/x/assets/plotly." in html


def test_no_script_or_stylesheet_from_another_host(site: Path) -> None:
    for page in site.rglob("*.html"):
        collected = parse_page(page)
        for _, _, url in collected.links:
            assert not re.match(r"^(https?:)?//", url) or "rel=\"noopener\"" in page.read_text(), url
        for src in collected.scripts:
            assert src.startswith("/"), src
    css = next((site / "assets" / "css").glob("site.*.css")).read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_plotly_is_the_vendored_partial_bundle_served_with_a_content_hash(site: Path) -> None:
    plotly = list((site / "assets").glob("plotly.*.js"))
    assert len(plotly) == 1 and re.fullmatch(r"plotly\.[0-9a-f]{10}\.js", plotly[0].name)
    assert plotly[0].read_bytes() == (ROOT / "assets" / PLOTLY_BUNDLE).read_bytes()
    assert not (site / "assets" / "vendor").exists()
    assert bundle_trace_types(plotly[0]) == {"bar", "pie", "scatter"}


def test_the_compare_page_uses_only_trace_types_the_bundle_registers() -> None:
    """plotly.js draws the compare page's charts (the pages' own are SVG from chart.js): the
    trace types compare.js makes must be ones the vendored bundle registers (the browser tests
    draw them and ask plotly.js to validate them)."""
    registered = bundle_trace_types(ROOT / "assets" / PLOTLY_BUNDLE)
    script = (ROOT / "assets" / "js" / "compare.js").read_text(encoding="utf-8")
    used = set(re.findall(r'type: "(\w+)", (?:mode|name)', script))
    assert used == {"bar", "scatter"} and used <= registered


def test_every_chart_kind_the_pages_name_is_one_chart_js_draws(site: Path) -> None:
    script = (ROOT / "assets" / "js" / "chart.js").read_text(encoding="utf-8")
    kinds = {kind for page in site.rglob("*.html")
             for kind in re.findall(r"data-chart=(\w+)", page.read_text(encoding="utf-8"))}
    assert kinds == {"bars", "stack", "shares"}  # the seeds have one year each: no trend (lines)
    drawn = set(re.search(r'if \((kind !== "\w+"(?: && )?)+\)', script).group(0).split('"')[1::2])
    assert kinds | {"lines"} == drawn


def test_agency_data_file_holds_its_reports_as_published_newest_first(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    later = random_report(random.Random(5), "岑港街道", None, 2021)
    (content / "reports" / "2021").mkdir()
    (content / "reports" / "2021" / "cengang-2021.txt").write_text(render_text(later), encoding="utf-8")
    out = tmp_path / "public"
    build(content, out)
    index = json.loads((out / "data" / "index.json").read_text(encoding="utf-8"))
    body = next(dict(zip(index["fields"], row, strict=True)) for row in index["rows"] if row[1] == "岑港街道")
    report_id = next(r[0] for r in body["reports"] if r[1] == 2020)
    url = index["agency_url"].replace("{slug}", body["slug"]).replace("{id}", report_id)
    page = file_for(out, "/", url)
    assert page is not None
    links = [link for _, _, link in parse_page(page).links if ".json" in link]
    assert len(links) == 1 and links[0].endswith("/reports.json.gz")
    packed = file_for(out, "/", links[0]).read_bytes()  # type: ignore[union-attr]
    assert packed[:2] == b"\x1f\x8b" and packed[4:8] == b"\0\0\0\0"  # gzip, no date: same bytes every build
    published = json.loads(gzip.decompress(packed))
    assert [r["year"] for r in published] == [2021, 2020]
    seed = next(p for p in SEEDS if p.name.startswith("004"))
    assert published[1] == parse_report(seed, display_path=published[1]["source"]["file"])
    # the 2021 report is compared with 2020: its cross-year findings are in the file as published
    assert published[0]["findings"] != parse_report(content / "reports" / "2021" / "cengang-2021.txt",
                                                    display_path=published[0]["source"]["file"])["findings"]
    assert not (out / "data" / "reports").exists()  # no per-report JSON or CSV files any more


def test_two_builds_are_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build(ROOT / "content", first)
    build(ROOT / "content", second)
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    for relative in files_a:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_report_text_is_escaped_everywhere(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    hostile = seed_text("002").replace("台儿庄区张山子镇", "台儿庄区<script>alert(1)</script>张山子镇", 1)
    hostile = hostile.replace("无。", "<img src=x onerror=alert(2)></script><script>alert(3)</script>")
    hostile = hostile.replace("\t规章\n", "\t规章<b onmouseover=alert(4)>\n")
    (content / "reports" / "2020" / "002_6a7134ba6c38d59e.txt").write_text(hostile, encoding="utf-8")
    out = tmp_path / "public"
    build(content, out)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html, page
        assert "alert(1)</script>" not in html.replace("&lt;/script&gt;", "")
    agency = next(p for p in out.rglob("*.html") if "onerror" in p.read_text(encoding="utf-8"))
    html = agency.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    # The JSON inside the page cannot close its script element either.
    for script in re.findall(r"<script type=\"application/json\"[^>]*>(.*?)</script>", html, re.S):
        assert "<" not in script


def test_garbage_file_lands_on_the_problems_page_and_the_rest_builds(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    (content / "reports" / "2020" / "garbage.txt").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 20)
    (content / "reports" / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "public"
    result = build(content, out)
    assert result.reports == 5 and len(result.problems) == 2
    problems = page_text(out / "problems" / "index.html")
    assert "garbage.txt" in problems and "二进制" in problems
    assert "scan.pdf" in problems and ".docx" in problems
    assert len(list((out / "agency").iterdir())) == 5


def test_failed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(ROOT / "content", out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "agency.html").write_text("{% extends 'base.html' %}{% block main %}{{ no_such.thing }}{% endblock %}",
                                          encoding="utf-8")
    with pytest.raises(Exception, match="no_such"):
        build_site(BuildOptions(content=ROOT / "content", out=out, build_date=BUILD_DATE, templates=templates))
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public.")]


def test_pages_people_expect(site: Path) -> None:
    for name in ("404.html", "sitemap.xml", "robots.txt", "about/index.html", "downloads/index.html",
                 "problems/index.html", "agencies/index.html"):
        assert (site / name).is_file(), name
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html and 'property="og:title"' in html
    assert f'datetime="{BUILD_DATE}"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") >= 10 and "/agency/" in sitemap
    about = page_text(site / "about" / "index.html")
    assert "空白不等于零" in about and "BALANCE" in about and "CARRYOVER_MISMATCH" in about


def test_chart_js_draws_with_the_font_and_palette_of_the_compare_page() -> None:
    from giro_site.site.pages.charts import FONT, PALETTE

    script = (ROOT / "assets" / "js" / "chart.js").read_text(encoding="utf-8")
    palette = re.search(r"var PALETTE = \[(.*?)\];", script)
    font = re.search(r"var FONT = '(.*?)' \+\s*'(.*?)';", script, re.S)
    assert palette is not None and font is not None
    assert tuple(re.findall(r'"(#[0-9A-F]{6})"', palette.group(1))) == PALETTE
    assert font.group(1) + font.group(2) == FONT
