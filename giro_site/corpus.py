"""All the reports under a content folder: find them, parse them (in parallel, through the
parse cache), and check each against the same body's report of the year before."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.cache import Entry, ParseCache, file_stamp
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
    parsed: int = 0  # how many files were parsed rather than taken from the cache


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
    """Add cross-year findings where the same body's previous-year report is present.

    Only the ``findings`` key of a report is replaced (never the list in place), so a
    shallow copy of a cached report can be linked without touching the cache."""
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


# --- parsing, in worker processes ------------------------------------------------------

_CACHE: ParseCache | None = None  # the loaded cache, inherited by forked workers
_CONTENT: Path = Path("content")


def _parse(path: Path) -> tuple[str, Entry, bool]:
    """(name, entry, whether it was parsed). Reads once: the hash and the parse share bytes."""
    name = display_path(path, _CONTENT)
    stamp = file_stamp(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return name, Entry(stamp, "", None, (f"无法读取文件：{exc.strerror}", None)), True
    sha256 = hashlib.sha256(data).hexdigest()
    known = _CACHE.by_hash(name, sha256) if _CACHE is not None else None
    if known is not None:  # touched, not changed
        return name, Entry(stamp, sha256, known.report, known.problem), False
    try:
        return name, Entry(stamp, sha256, parse_report(path, data=data, display_path=name)), True
    except ReportError as exc:
        return name, Entry(stamp, sha256, None, (exc.reason, exc.line)), True


def load_corpus(content: Path, *, jobs: int = 1, cache: ParseCache | None = None,
                progress: Callable[[str], None] | None = None) -> Corpus:
    """Parse every report (only the new or changed ones when a cache is given)."""
    global _CACHE, _CONTENT
    files = report_files(content)
    cache = cache or ParseCache(None)
    entries: dict[str, Entry] = {}
    pending: list[Path] = []
    for path in files:
        name = display_path(path, content)
        entry = cache.lookup(name, file_stamp(path))
        if entry is None:
            pending.append(path)
        else:
            entries[name] = entry
    _CACHE, _CONTENT = cache, content
    parsed = 0
    try:
        results: Iterable[tuple[str, Entry, bool]]
        if jobs > 1 and len(pending) > 50:
            pool = multiprocessing.get_context("fork").Pool(jobs)
            results = pool.imap(_parse, pending, chunksize=max(1, min(64, len(pending) // (jobs * 8))))
        else:
            pool = None
            results = map(_parse, pending)
        for done, (name, entry, was_parsed) in enumerate(results, start=1):
            entries[name] = entry
            cache.store(name, entry)
            parsed += was_parsed
            if progress and done % 1000 == 0:
                progress(f"已解析 {done}/{len(pending)} 个文件")
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        _CACHE = None
    cache.retain(set(entries))

    corpus = Corpus(parsed=parsed)
    for name in sorted(entries):
        entry = entries[name]
        if entry.report is not None:
            corpus.reports.append(dict(entry.report))  # shallow: linking replaces "findings" only
        elif entry.problem is not None:
            corpus.problems.append(Problem(name, entry.problem[0], entry.problem[1]))
    link_years(corpus.reports)
    return corpus
