"""The reports of a build: parsed once, cached, summarised.

The pages and files about all reports need a summary of each (``site.summary``); the
pages of one agency need its reports whole. The store keeps the summaries of all
reports in one index file and each whole report in a file of its own, so a rebuild after
one change reads every summary but only one report.

A file is taken as unchanged, like in Pelican's file-stamp cache, when its size and
modification time are; otherwise its bytes are hashed and only new content is parsed.
The parser version is part of every key: a parser change re-parses everything.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION
from giro_site.corpus import Problem, display_path, scan_reports
from giro_site.errors import ReportError
from giro_site.report import parse_report
from giro_site.site.summary import summarize

STORE_FORMAT = 1


@dataclass
class Entry:
    stamp: tuple[int, int]  # (size, mtime_ns)
    sha256: str
    summary: dict[str, Any] | None  # None when the file is a problem
    problem: tuple[str, int | None] | None = None


def report_key(name: str, sha256: str) -> str:
    """Names a whole report's cache file: its place, its content and the parser version."""
    return hashlib.sha256(f"{name}\0{sha256}\0{PARSER_VERSION}".encode()).hexdigest()[:32]


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns)


# State for forked worker processes (inherited, not pickled).
_OLD: dict[str, Entry] = {}
_CONTENT = Path("content")
_FOLDER = Path(".")


def _cache_file(name: str, sha256: str, folder: Path | None = None) -> Path:
    key = report_key(name, sha256)
    return (folder or _FOLDER) / "reports" / key[:2] / f"{key}.json"


def _write_report(name: str, sha256: str, report: dict[str, Any]) -> None:
    target = _cache_file(name, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_bytes(orjson.dumps(report))
    os.replace(temporary, target)


def _parse(path: Path) -> tuple[str, Entry, bool]:
    """(name, entry, parsed?): read once, hash, and parse only content not seen before."""
    name = display_path(path, _CONTENT)
    stamp = _stamp(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return name, Entry(stamp, "", None, (f"无法读取文件：{exc.strerror}", None)), True
    sha256 = hashlib.sha256(data).hexdigest()
    old = _OLD.get(name)
    if old is not None and old.sha256 == sha256 and (old.summary is None or _cache_file(name, sha256).is_file()):
        return name, Entry(stamp, sha256, old.summary, old.problem), False
    try:
        report = parse_report(path, data=data, display_path=name)
    except ReportError as exc:
        return name, Entry(stamp, sha256, None, (exc.reason, exc.line)), True
    _write_report(name, sha256, report)
    return name, Entry(stamp, sha256, summarize(report)), True


class ReportStore:
    def __init__(self, folder: Path, content: Path, *, fresh: bool = False):
        self.folder = folder
        self.content = content
        self.entries: dict[str, Entry] = {} if fresh else self._load()
        self.parsed = 0
        self._dirty = fresh
        self._stale: set[Path] = set()  # cache files of reports that changed or went away

    def _load(self) -> dict[str, Entry]:
        try:
            data = orjson.loads((self.folder / "store.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        if data.get("format") != STORE_FORMAT or data.get("parser") != PARSER_VERSION:
            return {}
        return {name: Entry(tuple(e["stamp"]), e["sha256"], e["summary"],  # type: ignore[arg-type]
                            tuple(e["problem"]) if e["problem"] else None)  # type: ignore[arg-type]
                for name, e in data["entries"].items()}

    def refresh(self, *, jobs: int = 1, progress: Callable[[str], None] | None = None) -> None:
        """Bring the store up to date with the content folder: parse what is new or changed."""
        global _OLD, _CONTENT, _FOLDER
        current: dict[str, Entry] = {}
        pending: list[Path] = []
        for path, stat in scan_reports(self.content):
            name = display_path(path, self.content)
            old = self.entries.get(name)
            if old is not None and old.stamp == (stat.st_size, stat.st_mtime_ns):
                current[name] = old
            else:
                pending.append(path)
        _OLD, _CONTENT, _FOLDER = self.entries, self.content, self.folder
        try:
            results: Iterable[tuple[str, Entry, bool]]
            pool = None
            if jobs > 1 and len(pending) > 50:
                pool = multiprocessing.get_context("fork").Pool(jobs)
                results = pool.imap(_parse, pending, chunksize=max(1, min(64, len(pending) // (jobs * 8))))
            else:
                results = map(_parse, pending)
            for done, (name, entry, parsed) in enumerate(results, start=1):
                current[name] = entry
                self.parsed += parsed
                if progress and done % 1000 == 0:
                    progress(f"已解析 {done}/{len(pending)} 个文件")
            if pool is not None:
                pool.close()
                pool.join()
        finally:
            _OLD = {}
        self._dirty = self._dirty or bool(pending) or set(current) != set(self.entries)
        self._stale |= {self._path(n, e.sha256) for n, e in self.entries.items()
                        if e.summary is not None and (n not in current or current[n].sha256 != e.sha256)}
        self.entries = dict(sorted(current.items()))

    def _path(self, name: str, sha256: str) -> Path:
        return _cache_file(name, sha256, self.folder)

    def reports(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, summary) of every file that is a report, in name order."""
        return [(name, e.summary) for name, e in self.entries.items() if e.summary is not None]

    def problems(self) -> list[Problem]:
        return [Problem(name, e.problem[0], e.problem[1]) for name, e in self.entries.items() if e.problem]

    def raw(self, name: str) -> bytes:
        """The whole report as parsed, compact JSON (parsed again if its cache file is gone)."""
        entry = self.entries[name]
        path = self._path(name, entry.sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            report = parse_report(self.content / name.split("/", 1)[1], display_path=name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(orjson.dumps(report))
            return path.read_bytes()

    def full(self, name: str) -> dict[str, Any]:
        return orjson.loads(self.raw(name))  # type: ignore[no-any-return]

    def save(self) -> None:
        """Write the index, and delete the cached reports of files that changed or went away."""
        if not self._dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"format": STORE_FORMAT, "parser": PARSER_VERSION, "entries": {
            name: {"stamp": list(e.stamp), "sha256": e.sha256, "summary": e.summary,
                   "problem": list(e.problem) if e.problem else None} for name, e in self.entries.items()}}
        temporary = self.folder / f".store.json.{os.getpid()}"
        temporary.write_bytes(orjson.dumps(data))
        os.replace(temporary, self.folder / "store.json")
        wanted = {self._path(name, e.sha256) for name, e in self.entries.items() if e.summary is not None}
        for path in self._stale - wanted:
            path.unlink(missing_ok=True)
        self._stale.clear()
        self._dirty = False
