"""The command line as a maintainer runs it: `python build.py parse|check`."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEEDS, seed_text


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_parse_prints_the_contract_json_with_readable_chinese() -> None:
    result = run("parse", "content/reports/2020/001_c2f37f7082ff9ace.txt")
    assert result.returncode == 0, result.stderr
    assert "高岭镇人民政府" in result.stdout  # not \\u escapes
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    assert report["source"] == {"file": "content/reports/2020/001_c2f37f7082ff9ace.txt", "format": "txt",
                                "sha256": report["source"]["sha256"]}
    assert len(report["source"]["sha256"]) == 64
    assert report["proactive"]["normative_documents"]["total_published"] == 119


def test_parse_of_a_bad_file_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = run("parse", str(bad))
    assert result.returncode == 2
    assert "empty.txt" in result.stderr and "文件为空" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_prints_a_clean_summary_of_the_shipped_content() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("岭子镇", "密云区高岭镇人民政府", "台儿庄区张山子镇", "长春市双阳区鹿乡镇人民政府", "岑港街道"):
        assert name in result.stdout
    assert "共 5 份报告，0 个错误；0 个文件无法读取。" in result.stdout
    assert run("check", "--strict").returncode == 0


def test_check_names_a_department_with_its_county_once(tmp_path: Path) -> None:
    """A department's own name starts with its county (南关区民政局 in 长春市南关区): the
    summary writes the county once, as the report's title does."""
    import random

    from giro_site.bench.synth import random_report, render_text

    content = tmp_path / "content"
    (content / "reports" / "2021").mkdir(parents=True)
    report = random_report(random.Random(3), "南关区民政局", "长春市", 2021)  # read as 长春市南关区 + 南关区民政局
    (content / "reports" / "2021" / "minzheng.txt").write_text(render_text(report), encoding="utf-8")
    result = run("check", "--content", str(content))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  长春市南关区民政局 · 2021年" in result.stdout, result.stdout


def _content_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    content = tmp_path / "content"
    deep = content / "reports" / "2020" / "north" / "towns"
    deep.mkdir(parents=True)
    for path in SEEDS:
        shutil.copy(path, deep / path.name)
    for name, data in files.items():
        (content / "reports" / name).write_bytes(data)
    return content


def test_check_lists_files_that_are_not_reports_and_goes_on(tmp_path: Path) -> None:
    content = _content_with(tmp_path, {
        "empty.txt": b"",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "minutes.txt": "会议纪要：讨论食堂菜单。".encode(),
        "scan.pdf": b"%PDF-1.4",
    })
    result = run("check", "--content", str(content))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    problems = [line for line in lines if line.startswith("无法读取")]
    assert len(problems) == 4
    assert any("empty.txt" in line and "文件为空" in line for line in problems)
    assert any("image.txt" in line and "二进制" in line for line in problems)
    assert any("minutes.txt" in line and "年度报告" in line for line in problems)
    assert any("scan.pdf" in line and ".docx" in line for line in problems)
    assert "共 5 份报告" in result.stdout  # the seeds, found at any depth, still parse
    assert "Traceback" not in result.stderr


def test_check_strict_fails_on_an_error_finding(tmp_path: Path) -> None:
    broken = seed_text("002").replace("\t8\n\t0\n\t0\n\t0\n\t8\n", "\t8\n\t0\n\t0\n\t0\n\t9\n")
    content = _content_with(tmp_path, {"broken.txt": broken.encode()})
    assert run("check", "--content", str(content)).returncode == 0
    strict = run("check", "--content", str(content), "--strict")
    assert strict.returncode == 1
    assert "[错误] REVIEW_TOTAL review_litigation.litigation_direct.total 第" in strict.stdout



def test_build_timings_show_wall_and_cpu_seconds_per_stage(tmp_path: Path) -> None:
    content = _content_with(tmp_path, {})
    result = run("build", "--content", str(content), "--out", str(tmp_path / "site"), "--jobs", "2", "--timings")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("各阶段用时"))
    stages = re.findall(r"(\w+) (\d+\.\d\d)（CPU (\d+\.\d\d)）", line)
    assert [name for name, _, _ in stages] == ["parse", "plan", "aggregate", "write", "save"]
    # a build parses and renders, so its CPU time cannot be zero (the clock ticks at 10 ms)
    assert sum(float(cpu) for _, _, cpu in stages) > 0
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_reader_that_stops_early_ends_the_output_quietly() -> None:
    """`python build.py parse X | head` when head has gone: no traceback, SIGPIPE's status."""
    for args in (["parse", "content/reports/2020/001_c2f37f7082ff9ace.txt"], ["check", "--quiet"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before the first byte is written
        try:
            result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, stdout=write,
                                    stderr=subprocess.PIPE, text=True, encoding="utf-8", timeout=120)
        finally:
            os.close(write)
        assert result.returncode == 128 + signal.SIGPIPE, result.stderr
        assert result.stderr == ""
