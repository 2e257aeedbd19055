"""The parse cache: reports already parsed are not parsed again.

Like Pelican's file-stamp cache, a file whose size and modification time are unchanged is
taken as unchanged; otherwise its bytes are hashed, and only new content is parsed. The
parser version is part of every entry, so a parser change re-parses everything. The
cache is one JSON file, read and written with orjson: at 10,000 reports that is far
faster than one file per report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION

CACHE_FORMAT = 1


@dataclass
class Entry:
    """What is known about one report file."""

    stamp: tuple[int, int]  # (size, mtime_ns)
    sha256: str
    report: dict[str, Any] | None  # the parse result, or None when the file is a problem
    problem: tuple[str, int | None] | None = None  # (reason, line) when it could not be read


class ParseCache:
    def __init__(self, path: Path | None, *, load: bool = True):
        self.path = path
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        if load and path is not None and path.is_file():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return  # a damaged cache is only a slower build
        if data.get("format") != CACHE_FORMAT or data.get("parser") != PARSER_VERSION:
            return
        for name, item in data["entries"].items():
            problem = item.get("problem")
            self.entries[name] = Entry(tuple(item["stamp"]), item["sha256"], item.get("report"),  # type: ignore[arg-type]
                                       tuple(problem) if problem else None)  # type: ignore[arg-type]

    def lookup(self, name: str, stamp: tuple[int, int]) -> Entry | None:
        """The entry if the file's stamp is unchanged."""
        entry = self.entries.get(name)
        return entry if entry is not None and entry.stamp == stamp else None

    def by_hash(self, name: str, sha256: str) -> Entry | None:
        entry = self.entries.get(name)
        return entry if entry is not None and entry.sha256 == sha256 else None

    def store(self, name: str, entry: Entry) -> None:
        self.entries[name] = entry
        self.dirty = True

    def retain(self, names: set[str]) -> None:
        """Forget files that are gone."""
        for name in set(self.entries) - names:
            del self.entries[name]
            self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": CACHE_FORMAT, "parser": PARSER_VERSION, "entries": {
            name: {"stamp": list(e.stamp), "sha256": e.sha256, "report": e.report,
                   "problem": list(e.problem) if e.problem else None}
            for name, e in self.entries.items()}}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        temporary.write_bytes(orjson.dumps(data))
        os.replace(temporary, self.path)
        self.dirty = False


def file_stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns)
