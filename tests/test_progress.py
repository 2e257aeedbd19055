"""A build says how far along it is: every stage through the ``Progress`` interface, a tqdm
bar on a terminal, a few plain lines in a log, nothing with ``--quiet``."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from giro_site import cli, progress
from giro_site.corpus import load_corpus
from giro_site.progress import Bar, Lines, Progress, for_terminal
from giro_site.site.build.builder import BuildOptions, build_site
from tests.conftest import SEEDS
from tests.test_cli import run

STAGES = ["解析报告", "生成汇总页面和下载文件", "生成机关页面", "保存缓存"]


class Recorded(Progress):
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}

    def stage(self, name: str, total: int | None = None, unit: str = "个") -> None:
        self.stages.append((name, total))
        self.done[name] = 0

    def advance(self, count: int = 1) -> None:
        self.done[self.stages[-1][0]] += count


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, content / "reports" / "2020" / seed.name)
    return content


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_builder_goes_through_every_stage_and_counts_its_items(tmp_path: Path, jobs: int) -> None:
    content = _content(tmp_path)
    seen = Recorded()
    result = build_site(BuildOptions(content=content, out=tmp_path / "site", build_date="2026-01-01", jobs=jobs,
                                     progress=seen))
    assert [name for name, _ in seen.stages] == STAGES
    assert dict(seen.stages)["解析报告"] == len(SEEDS) == seen.done["解析报告"]
    assert dict(seen.stages)["生成机关页面"] == result.agencies == seen.done["生成机关页面"]

    report = content / "reports" / "2020" / SEEDS[1].name
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    again = Recorded()
    rebuilt = build_site(BuildOptions(content=content, out=tmp_path / "site", build_date="2026-01-01", jobs=jobs,
                                      progress=again))
    assert rebuilt.mode == "rebuild"
    assert [name for name, _ in again.stages] == STAGES
    assert dict(again.stages)["解析报告"] == 1 == again.done["解析报告"]  # only the edited file
    assert dict(again.stages)["生成机关页面"] == 1 == again.done["生成机关页面"]


def test_a_log_gets_a_few_plain_lines_and_quiet_gets_none(tmp_path: Path) -> None:
    content = _content(tmp_path)
    result = run("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()  # stderr is a pipe here, as in CI
    assert [line.split("（")[0].rstrip("…") for line in lines] == STAGES, lines
    assert lines[0] == f"解析报告（{len(SEEDS)} 个文件）…"
    assert "\r" not in result.stderr  # no bar drawn into a log
    quiet = run("build", "--content", str(content), "--out", str(tmp_path / "site"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_a_long_stage_in_a_log_says_how_far_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 10.0, 31.0, 40.0, 65.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    stream = io.StringIO()
    lines = Lines(stream)
    lines.stage("解析报告", 300, "个文件")
    for _ in range(4):
        lines.advance(50)
    assert stream.getvalue().splitlines() == ["解析报告（300 个文件）…", "解析报告：100/300 个文件，已用 31 秒",
                                              "解析报告：200/300 个文件，已用 65 秒"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_per_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert isinstance(for_terminal(Terminal()), Bar)
    assert isinstance(for_terminal(io.StringIO()), Lines)
    assert type(for_terminal(Terminal(), quiet=True)) is Progress
    monkeypatch.setenv("CI", "true")
    assert isinstance(for_terminal(Terminal()), Lines)
    monkeypatch.delenv("CI")

    monkeypatch.setattr(Bar, "delay", 0)  # a bar at once, however quick the stage, and every step drawn
    monkeypatch.setattr(Bar, "mininterval", 0)
    screen = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", screen)
    content = _content(tmp_path)
    assert cli.main(["build", "--content", str(content), "--out", str(tmp_path / "site")]) == 0
    drawn = screen.getvalue()
    for stage in STAGES:
        assert stage in drawn
    assert "解析报告: 100%|" in drawn and f"{len(SEEDS)}/{len(SEEDS)}" in drawn, drawn
    assert "\r" in drawn  # redrawn in place


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_counts_every_report_it_parses(tmp_path: Path, jobs: int) -> None:
    """`check` parses the whole corpus before it prints anything: its progress counts each
    report, in one process and in the pool (which a corpus of more than 50 files takes)."""
    content = _content(tmp_path)
    for copy in range(12):  # 60 files: the pool's path
        for seed in SEEDS:
            text = seed.read_text(encoding="utf-8").replace("。", f"。{copy}", 1)
            (content / "reports" / "2020" / f"{copy}-{seed.name}").write_text(text, encoding="utf-8")
    files = len(list((content / "reports").rglob("*.txt")))
    seen = Recorded()
    corpus = load_corpus(content, jobs=jobs, progress=seen)
    assert seen.stages == [("解析报告", files)] and seen.done["解析报告"] == files == corpus.parsed


def test_check_shows_its_progress_in_a_log_and_none_with_quiet(tmp_path: Path) -> None:
    content = _content(tmp_path)
    result = run("check", "--content", str(content))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"解析报告（{len(SEEDS)} 个文件）…"]
    quiet = run("check", "--content", str(content), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == result.stdout
