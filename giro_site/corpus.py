"""All the reports under a content folder: find them, parse them (in parallel, through the
parse cache), and check each against the same body's report of the year before."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.checks import check_against_previous
from giro_site.errors import ReportError
from giro_site.findings import sort_findings
from giro_site.identity import body_key
from giro_site.readers import candidate_suffixes
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
    parsed: int = 0  # how many files were parsed


def report_files(content: Path) -> list[Path]:
    """Every candidate file under ``content/reports``, at any depth, in a stable order."""
    return [Path(path) for path, _ in scan_reports(content)]


def scan_reports(content: Path) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of every candidate report file, hidden folders and files skipped.

    One pass of os.scandir: at ten thousand files, pathlib's rglob and a stat per file
    cost a rebuild a tenth of a second more."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [str(content / "reports")]
    suffixes = candidate_suffixes()
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                pending.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in suffixes and entry.is_file():
                found.append((entry.path, entry.stat()))
    found.sort(key=lambda item: item[0])
    return found


def display_path(path: Path | str, content: Path) -> str:
    """A path as users see it: ``content/reports/2020/x.txt``, whatever the working folder."""
    text, root = str(path), str(content)
    if text.startswith(root + os.sep):
        return f"{content.name}/{text[len(root) + 1:]}".replace(os.sep, "/")
    return Path(path).as_posix()


def agency_key(report: dict[str, Any]) -> str | None:
    """Reports of the same body share this key (``identity.body_key``); None if it names none."""
    return body_key(report.get("agency"), report.get("region"), (report.get("division") or {}).get("code"))


def cross_year_findings(reports: list[dict[str, Any]], keys: list[str],
                        known: dict[str, list[dict[str, Any]]] | None = None,
                        hashes: list[str] | None = None,
                        used: dict[str, list[dict[str, Any]]] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Findings from comparing each report with the same body's report of the year before.

    ``reports`` need only ``year``, ``form``, ``applications`` (carry-overs) and
    ``proactive``; ``keys`` say which reports are of the same body. Returns the findings
    by the report's position. With ``hashes`` (each report's content hash), comparisons are
    looked up in ``known``, and every comparison made or looked up is put in ``used``."""
    by_key: dict[tuple[str, int], int] = {}
    for index, (report, key) in enumerate(zip(reports, keys, strict=True)):
        if report.get("year") is not None:
            by_key.setdefault((key, report["year"]), index)
    found: dict[int, list[dict[str, Any]]] = {}
    for (key, year), index in sorted(by_key.items()):
        previous = by_key.get((key, year - 1))
        if previous is None:
            continue
        pair = f"{hashes[index]}|{hashes[previous]}" if hashes is not None and known is not None else None
        if pair is not None and pair in known:  # type: ignore[operator]
            extra = known[pair]  # type: ignore[index]
        else:
            extra = check_against_previous(reports[index], reports[previous])
        if pair is not None and used is not None:
            used[pair] = extra
        if extra:
            found[index] = extra
    return found


def link_years(reports: list[dict[str, Any]]) -> None:
    """Add cross-year findings to the reports (replacing each one's findings list)."""
    keys = [agency_key(r) or f"\0{i}" for i, r in enumerate(reports)]
    for index, extra in cross_year_findings(reports, keys).items():
        reports[index]["findings"] = sort_findings(reports[index]["findings"] + extra)


def _parse(path: Path, content: Path) -> dict[str, Any] | Problem:
    shown = display_path(path, content)
    try:
        return parse_report(path, display_path=shown)
    except ReportError as exc:
        return Problem(shown, exc.reason, exc.line)


def load_corpus(content: Path, *, jobs: int = 1) -> Corpus:
    """Parse every report (in ``jobs`` processes) and check each against the year before."""
    files = report_files(content)
    corpus = Corpus(parsed=len(files))
    if jobs > 1 and len(files) > 50:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(_parse, [(path, content) for path in files], chunksize=32)
    else:
        results = [_parse(path, content) for path in files]
    for result in results:
        if isinstance(result, Problem):
            corpus.problems.append(result)
        else:
            corpus.reports.append(result)
    link_years(corpus.reports)
    return corpus
