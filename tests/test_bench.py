"""The benchmark a maintainer runs: a realistic synthetic corpus, a full build, one-change
rebuilds, and figures taken from the build it made (not from a model of it)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from giro_site.bench import hugo
from giro_site.bench.run import make_corpus, run_bench
from tests.sitecheck import published_reports


def test_the_corpus_has_both_forms_and_several_years_per_body(tmp_path: Path) -> None:
    bodies = make_corpus(tmp_path, 300)
    files = sorted((tmp_path / "reports").rglob("*.txt"))
    assert len(files) == 300
    assert 60 < bodies < 300  # bodies report for one to five years
    per_body = Counter(path.name.split("-")[0] for path in files)
    assert max(per_body.values()) >= 3
    assert {path.parent.name for path in files} == {"2019", "2020", "2021", "2022", "2023"}
    texts = [path.read_text(encoding="utf-8") for path in files]
    ninth = sum("第二十条第（九）项" in text for text in texts)  # only the 2019 form has item (9)
    assert 0 < ninth < len(texts)
    assert make_corpus(tmp_path / "again", 300) == bodies  # the same seed, the same corpus
    assert [p.read_bytes() for p in sorted((tmp_path / "again" / "reports").rglob("*.txt"))] == \
        [p.read_bytes() for p in files]


def test_bench_builds_rebuilds_one_report_and_reports_what_it_measured(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(hugo.shutil, "which", lambda name: None)  # a machine without Hugo
    lines: list[str] = []
    figures = run_bench(60, keep=True, jobs=2, rounds=2, report=lines.append)
    site = next(tmp_path.glob("giro-bench-60-*")) / "public-2"
    reports = published_reports(site)
    assert len(reports) == figures.reports == 60
    assert {report["form"] for report in reports} == {"2019", "2021"}
    assert any(f["severity"] == "error" for report in reports for f in report["findings"])  # broken identities
    assert figures.agencies == len([p for p in (site / "agency").iterdir() if p.is_dir()])
    assert len(figures.rebuild_seconds) == 2 and all(s > 0 for s in figures.rebuild_seconds)
    assert len(figures.build_rounds) == 2 and figures.hugo_seconds == []  # two cold builds, Hugo left out
    assert any(line.startswith("Hugo 对照：本机没有 hugo") for line in lines)
    # rebuilds as serve makes them: patched, the pages on disk before the downloads followed
    assert len(figures.served) == 2 and all(s.patched and 0 < s.pages <= s.downloads for s in figures.served)
    assert figures.build_seconds > 0 and figures.peak_rss_mib > 20 and figures.output_mib > 1
    assert 0 < figures.agency_page_kib_mean <= figures.agency_page_kib_max <= 40
    assert figures.reference_seconds > 0 and figures.file_creation_ms > 0
    text = "\n".join(lines)
    # each rebuild was incremental: one report parsed, one agency rendered
    assert "增量生成（重新解析 1 份，重新生成 1 个机关）" in text
    assert "各阶段用时" in text and "CPU" in text
    assert f"{figures.agencies} 个机关" in text
    assert "serve，模型留在内存" in text and "均为局部更新" in text


@pytest.mark.skipif(not hugo.available(), reason="hugo is not installed")
def test_the_hugo_reference_builds_the_same_pages_with_the_same_tables(tmp_path: Path) -> None:
    """Not needed by the other tests: the benchmark leaves Hugo out where it is absent."""
    content = tmp_path / "content"
    make_corpus(content, 12)
    from giro_site.site.build.builder import BuildOptions, build_site

    build_site(BuildOptions(content=content, out=tmp_path / "site", build_date="2026-01-02"))
    reports = list(hugo.published(tmp_path / "site"))
    assert hugo.make_site(iter(reports), tmp_path / "hugo") == 12
    done = hugo.build(tmp_path / "hugo", tmp_path / "hugo-out")
    assert done.pages >= 12 and done.seconds > 0 and done.peak_bytes > 0  # (sampled as our build is)
    page = next((tmp_path / "hugo-out" / "reports").glob("*/index.html")).read_text(encoding="utf-8")
    assert "三、收到和处理政府信息公开申请情况" in page and "<td" in page


def test_the_hugo_pages_hold_every_figure_of_the_three_tables(tmp_path: Path) -> None:
    """The reference renders what our pages show: each report's three tables, cell for cell."""
    from giro_site.site.build.builder import BuildOptions, build_site
    from giro_site.site.tables import layouts

    make_corpus(tmp_path / "content", 6)
    build_site(BuildOptions(content=tmp_path / "content", out=tmp_path / "site", build_date="2026-01-02"))
    for report in hugo.published(tmp_path / "site"):
        matter = hugo.front_matter(report)
        cells = [cell for table in matter["tables"] for row in table["rows"] for cell in row["cells"]]
        paths = [part for layout in layouts(report["form"]) for row in layout.rows for part in row.parts]
        assert len(cells) == len(paths) > 100
        stated = [report[table].get(row, {}).get(column) for table, row, column in paths]
        assert sum(cell != "—" for cell in cells) == sum(value is not None for value in stated)


def test_a_slow_disk_is_named_before_the_figures() -> None:
    """Right after many files were deleted, creating one costs ten times more on this kind of
    disk: the benchmark says so, since a full build's figures are then not comparable."""
    from giro_site.bench.run import SLOW_CREATION_MS, creation_note

    assert creation_note(0.04) is None
    assert creation_note(SLOW_CREATION_MS) is None
    note = creation_note(0.5)
    assert note is not None and "0.50 毫秒" in note and "不可比" in note


def test_peak_memory_counts_a_process_and_its_children() -> None:
    """The sampler both sides of the comparison run under: a child holding 64 MiB, under a
    parent that waits for it, is counted (resident bytes from ``statm``, the tree from
    ``/proc``)."""
    from giro_site.bench.memory import PeakMemory, tree_rss

    hold = "import time; b = bytearray(64 << 20); time.sleep(0.6)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {hold!r}])"
    process = subprocess.Popen([sys.executable, "-c", parent])
    with PeakMemory(process.pid) as memory:
        process.wait()
    assert memory.peak >= 64 << 20
    assert tree_rss(os.getpid()) > 0
