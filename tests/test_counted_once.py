"""A body-year counts once: copies of a file, a .txt and a .docx of one report, a corrected
version, a report in the folder of another year, a year no report can be for; and the rule
that chooses between versions, as unit and property tests."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import SynthReport, random_report, render_text
from giro_site.corpus import Candidate, choose_versions, folder_year, public_file, year_findings
from giro_site.readers.text import parse_text
from giro_site.site.build.builder import BuildOptions, build_site
from tests.sitecheck import broken_links, page_text
from tests.writers import document_to_docx

BUILD_DATE = "2026-01-02"


def _report(seed: int, agency: str, year: int, items: int, **options: Any) -> SynthReport:
    report = random_report(random.Random(seed), agency, "北京市密云区", year, **options)
    report.proactive_items = items
    return report


def _received(report: SynthReport) -> int:
    return report.applications["new_received"]["total"]  # type: ignore[return-value]


def _card(html: str, title: str) -> str:
    match = re.search(rf"<dt>{title}</dt><dd>(.*?)</dd>", html)
    assert match, title
    return re.sub(r"<[^>]+>", "", match.group(1))


def _build(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    content = tmp_path / "content"
    for relative, data in files.items():
        path = content / "reports" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, build_date=BUILD_DATE))
    return out


def _index(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "data" / "index.json").read_text(encoding="utf-8"))
    rows = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    return {row["name"]: row for row in rows}


def test_a_body_year_counts_once_in_every_page_and_download(tmp_path: Path) -> None:
    """高岭镇's 2020 report as a .txt, the same bytes again in the 2021 folder, a .docx of
    it, and a version with a figure that breaks an identity whose name sorts first: one
    report counts (the .docx or the .txt: same errors and cells, the first path), the county
    shows the town's figures once, and every other file is named where the issue says."""
    town = _report(1, "高岭镇人民政府", 2020, 54)
    neighbour = _report(2, "穆家峪镇人民政府", 2020, 20)
    broken = _report(1, "高岭镇人民政府", 2020, 54, broken=True)
    text = render_text(town)
    out = _build(tmp_path, {
        "2020/gaoling.txt": text, "2021/gaoling.txt": text, "2020/gaoling.docx": document_to_docx(parse_text(text)),
        "2020/a-gaoling-corrected.txt": render_text(broken), "2020/mujiayu.txt": render_text(neighbour)})

    rows = _index(out)
    assert sorted(rows) == ["穆家峪镇人民政府", "高岭镇人民政府"]
    gaoling = rows["高岭镇人民政府"]
    assert [r[0] for r in gaoling["reports"]] == ["2020"]  # no 2020-2, no 2021
    folder = out / "agency" / gaoling["slug"]
    assert sorted(p.name for p in folder.glob("*.html")) == ["2020.html"]

    county = next(p for p in (out / "regions").rglob("index.html") if "<h1>密云区</h1>" in p.read_text("utf-8"))
    html = county.read_text(encoding="utf-8")
    assert _card(html, "报告机关") == "2 个"
    assert _card(html, "主动公开政府信息") == "74 条"
    assert _card(html, "本年新收申请") == f"{_received(town) + _received(neighbour):,} 件"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert _card(home, "报告机关") == "2 个" and _card(home, "主动公开政府信息") == "74 条"

    page = (folder / "2020.html").read_text(encoding="utf-8")
    used = "gaoling.docx"  # same errors and cells as the .txt: the first path
    assert f"本站采用 2020/{used}" in page
    assert page.count("<strong>同一年度有两份报告</strong>") == 2  # the .txt and the broken one
    listed = re.search(r"本年度还有(\d)份报告文件没有计入", page)
    assert listed and listed.group(1) == "2"
    assert 'download="a-gaoling-corrected.txt"' in page and 'download="gaoling.txt"' in page
    assert "它的核对错误较少" in page  # why the broken one is not used
    report = json.loads(__import__("gzip").decompress((folder / "reports.json.gz").read_bytes()))
    [published] = report
    duplicate = sorted(f["severity"] for f in published["findings"] if f["code"] == "DUPLICATE_REPORT")
    assert duplicate == ["info", "warning"]  # the .txt has the same figures; the corrected one does not
    assert published["source"]["file"].endswith(used)

    problems = page_text(out / "problems" / "index.html")
    assert "2021/gaoling.txt：与 2020/gaoling.txt 内容完全相同" in problems
    assert "2020/a-gaoling-corrected.txt：同一年度的另一版本，未计入" in problems and "content/" not in problems
    assert "无法读取的文件" in problems and "所有文件都已读取" in problems  # a duplicate is no unreadable file

    with zipfile.ZipFile(out / "data" / "reports-2020.csv.zip") as archive:
        lines = list(csv.DictReader(io.StringIO(archive.read("reports-2020.csv").decode("utf-8-sig"))))
    assert sorted(line["body"] for line in lines) == ["穆家峪镇人民政府", "高岭镇人民政府"]
    assert not (out / "data" / "reports-2021.csv.zip").exists()
    with zipfile.ZipFile(out / "data" / "reports-all.csv.zip") as archive:
        every = list(csv.DictReader(io.StringIO(archive.read("reports-all.csv").decode("utf-8-sig"))))
    assert every == lines
    assert not broken_links(out, "/")


def test_a_report_in_another_years_folder_and_an_impossible_year(tmp_path: Path) -> None:
    """A 2024 report in reports/2022/ counts in 2024 with a warning; a report for 2031 (the
    site is built in 2026) is an error, counts in no year and is not the body's latest."""
    out = _build(tmp_path, {"2022/gaoling.txt": render_text(_report(3, "高岭镇人民政府", 2024, 54)),
                            "2025/gaoling.txt": render_text(_report(4, "高岭镇人民政府", 2031, 99))})
    [row] = _index(out).values()
    assert [r[:2] for r in row["reports"]] == [["2024", 2024], ["2031", None]]  # 2024 first: the latest
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2 id=\"h-totals\">2024年度总览</h2>" in home and "2031年度" not in home
    assert _card(home, "主动公开政府信息") == "54 条"
    folder = out / "agency" / row["slug"]
    latest = page_text(folder / "2024.html")
    assert "年度与文件夹不符" in latest and "放在“2022”文件夹中" in latest
    impossible = page_text(folder / "2031.html")
    assert "报告年度不可能" in impossible and "晚于本站生成的2026年" in impossible
    assert "2031（年度有误）" in latest  # the year switch says so
    assert sorted(p.name for p in (out / "data").glob("reports-*.csv.zip")) == [
        "reports-2024.csv.zip", "reports-all.csv.zip", "reports-unknown.csv.zip"]


def test_year_findings() -> None:
    assert [f["code"] for f in year_findings("content/reports/2020/x.txt", 2007, 2026)] == ["YEAR_INVALID",
                                                                                           "YEAR_FOLDER_MISMATCH"]
    assert [f["code"] for f in year_findings("content/reports/x.txt", 2027, 2026)] == ["YEAR_INVALID"]
    assert year_findings("content/reports/2026/x.txt", 2026, 2026) == []
    assert year_findings("content/reports/2008/x.txt", 2008, 2026) == []
    assert year_findings("content/reports/2020/x.txt", None, 2026) == []
    assert [f["severity"] for f in year_findings("content/reports/2022/town/x.txt", 2024, 2026)] == ["warning"]
    assert folder_year("content/reports/2022/密云区/x.txt") == 2022
    assert folder_year("content/reports/county/x.txt") is None
    assert folder_year("content/reports/2022/x2021.txt") == 2022


def _candidate(name: str, body: str | None = "b", year: int | None = 2020, errors: int = 0, stated: int = 100,
               sha: str = "", figures: str = "") -> Candidate:
    return Candidate(name, body, year, errors, stated, sha or f"sha-{name}", figures)


def test_the_rule_fewer_errors_then_more_cells_then_the_path() -> None:
    cases = [
        ([_candidate("a", errors=2), _candidate("b", errors=1)], "b", "核对错误较少"),
        ([_candidate("a", stated=90), _candidate("b", stated=91)], "b", "填写的数字较多"),
        ([_candidate("b"), _candidate("a")], "a", "按文件路径"),
        ([_candidate("a", errors=1, stated=200), _candidate("b", errors=0, stated=10)], "b", "核对错误较少"),
    ]
    for candidates, chosen, why in cases:
        versions = choose_versions(candidates)
        [used] = versions.used
        assert candidates[used].name == chosen
        [(other, kept)] = versions.others.items()
        assert kept == used and why in versions.reasons[other]
        [found] = versions.findings[used]
        assert found["code"] == "DUPLICATE_REPORT" and candidates[other].name in found["message"]
        assert candidates[used].name in found["message"]


def test_copies_keep_the_one_in_its_own_years_folder() -> None:
    candidates = [_candidate("content/reports/2019/x.txt", sha="s"), _candidate("content/reports/2020/x.txt", sha="s")]
    versions = choose_versions(candidates)
    assert versions.used == [1] and versions.same_bytes == {0: 1} and not versions.findings


def test_reports_of_no_known_body_or_year_are_never_versions_of_each_other() -> None:
    versions = choose_versions([_candidate("a", body=None), _candidate("b", body=None), _candidate("c", year=None),
                                _candidate("d", year=None)])
    assert versions.used == [0, 1, 2, 3]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["b1", "b2", None]), st.sampled_from([2019, 2020, None]),
                          st.integers(0, 2), st.integers(0, 3), st.sampled_from(["s1", "s2", "s3", "", "s4"]),
                          st.sampled_from(["f1", "f2"])), max_size=12))
def test_every_body_year_has_one_report_and_every_file_is_accounted_for(rows: list[tuple[Any, ...]]) -> None:
    """Property: each file is used, a copy of a file read, or another version of a used
    report of its body and year; one used report per body and year, the best by the rule;
    no two used files have the same bytes."""
    candidates = [Candidate(f"content/reports/{i:02d}.txt", body, year, errors, stated, sha, figures)
                  for i, (body, year, errors, stated, sha, figures) in enumerate(rows)]
    versions = choose_versions(candidates)
    used = set(versions.used)
    assert used | set(versions.same_bytes) | set(versions.others) == set(range(len(candidates)))
    assert not used & set(versions.same_bytes) and not used & set(versions.others)
    assert not set(versions.same_bytes) & set(versions.others)
    shas = [candidates[i].sha256 for i in used if candidates[i].sha256]
    assert len(shas) == len(set(shas))
    for copy, kept in versions.same_bytes.items():
        assert candidates[copy].sha256 == candidates[kept].sha256 != "" and kept not in versions.same_bytes
    keys = [(candidates[i].body, candidates[i].year) for i in used if candidates[i].body and candidates[i].year]
    assert len(keys) == len(set(keys))
    for other, kept in versions.others.items():
        a, b = candidates[other], candidates[kept]
        assert kept in used and (a.body, a.year) == (b.body, b.year)
        assert (b.errors, -b.stated, b.name) < (a.errors, -a.stated, a.name)
        severities = [f["severity"] for f in versions.findings[kept] if f" {public_file(a.name)}；" in f["message"]]
        assert severities == ["info" if a.figures == b.figures else "warning"]
