"""All the reports under a content folder: find them, parse them, and check each against
the same body's report of the year before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.checks import check_against_previous
from giro_site.errors import ReportError
from giro_site.findings import sort_findings
from giro_site.readers import is_report_candidate
from giro_site.report import parse_report


@dataclass
class Problem:
    """A file that is not a report or cannot be read, and why."""

    file: str
    reason: str
    line: int | None = None

    def describe(self) -> str:
        where = self.file if self.line is None else f"{self.file} 第{self.line}行"
        return f"{where}：{self.reason}"


@dataclass
class Corpus:
    reports: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def report_files(content: Path) -> list[Path]:
    """Every candidate file under ``content/reports``, at any depth, in a stable order."""
    root = content / "reports"
    if not root.is_dir():
        return []
    return sorted(
        (p for p in root.rglob("*") if p.is_file() and is_report_candidate(p)
         and not any(part.startswith(".") for part in p.relative_to(root).parts)),
        key=lambda p: p.as_posix())


def display_path(path: Path, content: Path) -> str:
    """A path as users see it: ``content/reports/2020/x.txt``, whatever the working folder."""
    try:
        return (Path(content.name) / path.relative_to(content)).as_posix()
    except ValueError:
        return path.as_posix()


def agency_key(report: dict[str, Any]) -> str:
    """Reports of the same body share this key (region and name as the reports give them)."""
    return f"{report.get('region') or ''}|{report.get('agency') or report['source']['file']}"


def link_years(reports: Iterable[dict[str, Any]]) -> None:
    """Add cross-year findings where the same body's previous-year report is present."""
    by_key: dict[tuple[str, int], dict[str, Any]] = {}
    for report in reports:
        if report.get("year") is not None and report.get("agency"):
            by_key.setdefault((agency_key(report), report["year"]), report)
    for (key, year), report in sorted(by_key.items()):
        previous = by_key.get((key, year - 1))
        if previous is None:
            continue
        extra = check_against_previous(report, previous)
        if extra:
            report["findings"] = sort_findings(report["findings"] + extra)


def parse_one(path: Path, content: Path) -> dict[str, Any] | Problem:
    shown = display_path(path, content)
    try:
        return parse_report(path, display_path=shown)
    except ReportError as exc:
        return Problem(shown, exc.reason, exc.line)


def load_corpus(content: Path) -> Corpus:
    corpus = Corpus()
    for path in report_files(content):
        result = parse_one(path, content)
        if isinstance(result, Problem):
            corpus.problems.append(result)
        else:
            corpus.reports.append(result)
    link_years(corpus.reports)
    return corpus
