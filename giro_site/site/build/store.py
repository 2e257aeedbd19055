"""The reports of a build: parsed once, cached, summarised.

The pages and files about all reports need a summary of each (``site.summary``); the
pages of one agency need its reports whole. The store keeps an index of all reports (each
file's stamp, hash and where its pieces are) in one file and the pieces, the whole report,
its summary and its cross-year link, in one append-only pack file, so a rebuild after one
change reads the index and only the summaries it asks for (``summary``): a rebuild that
patches the model it saved (``incremental``) reads a few, not 50,000. One pack, not a file
per report: on this project's build machine, creating a file costs up to a millisecond,
which is ten seconds at ten thousand reports. A build that changed a few entries writes
only those, beside the index (``journal``), not the whole index again.

A file is taken as unchanged, like in Pelican's file-stamp cache, when its size and
modification time are; otherwise its bytes are hashed and only new content is parsed.
The parser version is part of every key: a parser change re-parses everything.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION
from giro_site.corpus import Problem, display_path
from giro_site.errors import ReportError
from giro_site.fetch.sidecar import SUFFIX as SIDECAR
from giro_site.fetch.sidecar import origin
from giro_site.progress import Progress
from giro_site.readers import read_bytes
from giro_site.regions import gazetteer
from giro_site.regions.gazetteer import data_key
from giro_site.report import parse_report
from giro_site.site.build.journal import Journal
from giro_site.site.build.prescan import Scanned, scan_here
from giro_site.site.build.summary import cross_year_link, summarize

STORE_FORMAT = 6  # 6: the summary in the pack (``sum``), read when asked for
COMPACT_SLACK = 1 << 20  # a pack with more unused bytes than its used ones and this is copied anew


# An entry is kept as the plain dict the index file holds, so that loading and saving the
# index of ten thousand reports is one orjson call each way, not ten thousand conversions:
#   {"stamp": [size, mtime_ns], "sha256": str, "problem": [reason, line] | None (None: a report),
#    "span": [offset, length] of the report in the pack | None,
#    "link": [offset, length] of its ``summary.cross_year_link`` in the pack | None,
#    "sum": [offset, length] of its summary in the pack | None (not written yet, or not a report)}
# A report just parsed comes from the workers with its "summary" beside these, which the
# store takes into memory (``_held``) and writes into the pack when it saves.
Entry = dict[str, Any]


def _entry(stamp: list[int], sha256: str, summary: dict[str, Any] | None = None,
           problem: list[Any] | None = None, span: list[int] | None = None) -> Entry:
    entry = {"stamp": stamp, "sha256": sha256, "problem": problem, "span": span, "link": None, "sum": None}
    if summary is not None:
        entry["summary"] = summary
    return entry


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


# State for forked worker processes (inherited, not pickled).
_OLD: dict[str, Entry] = {}
_CONTENT = Path("content")


def _parse(path: Path) -> tuple[str, Entry, tuple[bytes, bytes] | None, bool]:
    """(name, entry, the whole report's JSON and its cross-year link's, parsed?): read once,
    hash, and parse only content not seen before. The main process appends both to the pack."""
    name = display_path(path, _CONTENT)
    try:
        stamp = _stamp(path)
    except OSError as exc:  # gone or moved since the scan: named now, read again at the next build
        reason = f"无法读取文件：{exc.strerror}（文件在构建过程中被删除或移动了？请检查后重新构建）"
        return name, _entry([0, 0], "", problem=[reason, None]), None, True
    try:
        data = read_bytes(path, shown=name)
    except ReportError as exc:
        return name, _entry(stamp, "", problem=[exc.reason, exc.line]), None, True
    sha256 = hashlib.sha256(data).hexdigest()
    old = _OLD.get(name)
    if old is not None and old["sha256"] == sha256:
        return name, {**old, "stamp": stamp}, None, False
    try:
        report = parse_report(path, data=data, display_path=name, sha256=sha256)
    except ReportError as exc:
        if exc.transient:  # not the file's fault for certain: tried again at the next build
            return name, _entry([0, 0], "", problem=[exc.reason, exc.line]), None, True
        return name, _entry(stamp, sha256, problem=[exc.reason, exc.line]), None, True
    return name, _entry(stamp, sha256, summarize(report)), (orjson.dumps(report),
                                                             orjson.dumps(cross_year_link(report))), True


def parser_key() -> str:
    """A report's JSON depends on the parser and on the gazetteer its places are read against."""
    return f"{PARSER_VERSION}|{data_key()}"


def _attach_origins(entries: dict[str, Entry], described: dict[str, tuple[str, tuple[int, int]]],
                    summary_of: Callable[[str], dict[str, Any] | None]) -> tuple[set[str], set[str]]:
    """Put each report's provenance (``fetch.sidecar.origin``) in its summary as ``origin``,
    reading a sidecar only when it or the report changed (``origin_stamp``: the sidecar's
    stamp when it was read into the summary; a summary just parsed has none). Returns the
    reports whose origin changed, and those whose summary changed at all (a sidecar read
    again). Only those summaries are read (``summary_of``)."""
    changed: set[str] = set()
    touched: set[str] = set()
    for name, entry in entries.items():
        side = described.get(name)
        if side is None:
            if "origin_stamp" in entry and (summary := summary_of(name)) is not None:
                summary["origin"] = None
                entry.pop("origin_stamp", None)
                changed.add(name)
                touched.add(name)
            continue
        stamp = list(side[1])  # (size, time)
        if entry.get("origin_stamp") == stamp or entry["problem"] is not None:
            continue
        summary = summary_of(name)
        if summary is None:
            continue
        found = origin(Path(side[0]), entry["sha256"])
        if found != summary.get("origin"):
            changed.add(name)
        summary["origin"] = found
        entry["origin_stamp"] = stamp
        touched.add(name)
    return changed, touched


class ReportStore:
    def __init__(self, folder: Path, content: Path, *, fresh: bool = False):
        self.folder = folder
        self.content = content
        self.pack = folder / "reports.pack"
        self.token = ""  # names the index as saved: changes whenever it is saved again
        self.journal = Journal(folder, "store")  # the index: the whole and the delta beside it
        self._unsaved: set[str] = set()  # entries replaced, changed in place or removed since the last save
        self.entries: dict[str, Entry] = {} if fresh else self._load()
        self.changed: set[str] = set()  # names whose content (or problem) the last refresh found changed
        self.before: dict[str, Entry] = {}  # the entries of those names before the last refresh
        self._earlier: dict[str, dict[str, Any] | None] = {}  # and their summaries (``summary_before``)
        self._held: dict[str, dict[str, Any]] = {}  # summaries in memory: parsed, or read (``summary``)
        self._unwritten: set[str] = set()  # those of them not in the pack as they are now
        self.parsed = 0
        self._dirty = fresh
        self._reader: Any = None

    def _load(self) -> dict[str, Entry]:
        """The index; {} (every report parsed again) when it is missing, of another parser,
        or does not describe the pack as it is."""
        loaded = self.journal.load()
        if loaded is None:
            return {}
        head, entries, added = loaded
        if head.get("format") != STORE_FORMAT or head.get("parser") != parser_key() \
                or not self.pack.is_file() or self.pack.stat().st_size != head.get("pack_size"):
            self.journal = Journal(self.folder, "store")  # (not built on: the next save writes it whole)
            return {}  # of another parser, or the pack is not the one the index describes
        self.token = str(head.get("token", ""))
        return dict(sorted(entries.items())) if added else entries  # in name order, as ``refresh`` keeps them

    def refresh(self, *, jobs: int = 1, progress: Progress | None = None,
                meanwhile: Callable[[], None] | None = None, scanned: Scanned | None = None) -> None:
        """Bring the store up to date with the content folder: parse what is new or changed.
        ``meanwhile``: work for this process while worker processes parse (when they do);
        ``scanned``: the content folder's scan, if the caller has made it (``prescan``)."""
        global _OLD, _CONTENT
        current: dict[str, Entry] = {}
        pending: list[Path] = []
        pending_names: list[str] = []
        found, skipped, sidecars = scanned or scan_here(self.content)
        described: dict[str, tuple[str, tuple[int, int]]] = {}  # report name → its sidecar
        inside, shown = str(self.content) + os.sep, f"{self.content.name}/"  # ``display_path``, inline
        for path, size, time in found:
            name = shown + path[len(inside):].replace(os.sep, "/") if path.startswith(inside) \
                else display_path(path, self.content)
            if path in sidecars:
                described[name] = (path + SIDECAR, sidecars[path])
            old = self.entries.get(name)
            if old is not None and (stamp := old["stamp"])[0] == size and stamp[1] == time:
                current[name] = old
            else:
                pending.append(Path(path))
                pending_names.append(name)
        for problem in skipped:  # not read: named again at every build, never cached
            current[problem.file] = _entry([0, 0], "", problem=[problem.reason, None])
        self.folder.mkdir(parents=True, exist_ok=True)
        old = self.entries
        if not old:
            self.pack.write_bytes(b"")  # nothing in the index refers to the old pack
        # The summaries of the entries this refresh may replace, as they were (``summary_before``),
        # read while the pack holds them where the index says.
        earlier = {name: self._summary(name, old[name]) for name in pending_names if name in old}
        reused = old  # the entries a worker hands back when a file's bytes are as they were
        # Mostly replaced reports: a new pack (looked at when the share may have moved: reports
        # to parse, or fewer files than the index holds).
        if pending or len(current) < len(old):
            live = sum(e["span"][1] + e["link"][1] + (e["sum"][1] if e["sum"] else 0) for e in current.values()
                       if e["span"])
            if self.pack.stat().st_size > 2 * live + COMPACT_SLACK:
                earlier.update((name, self._summary(name, entry)) for name, entry in old.items()
                               if name not in current and name not in earlier)  # gone: their place moves too
                again = {name: old[name] for name in pending_names if name in old}
                compacted = self._compact({**current, **again})
                current = {name: compacted[name] for name in current}
                reused = {**old, **{name: compacted[name] for name in again}}
        _OLD, _CONTENT = reused, self.content
        progress = progress or Progress()
        progress.stage("解析报告", len(pending), "个文件")
        if pending:
            gazetteer().by_name.ready()  # loaded once here, inherited by the forked workers
        self._close()
        try:
            results: Iterable[tuple[str, Entry, tuple[bytes, bytes] | None, bool]]
            pool = None
            if jobs > 1 and len(pending) > 50:
                pool = multiprocessing.get_context("fork").Pool(jobs)
                results = pool.imap(_parse, pending, chunksize=max(1, min(64, len(pending) // (jobs * 8))))
                if meanwhile is not None:
                    meanwhile()
            else:
                results = map(_parse, pending)
            with open(self.pack, "ab") as pack:
                offset = pack.tell()
                for name, entry, blobs, parsed in results:
                    if blobs is not None:
                        for key, blob in zip(("span", "link"), blobs, strict=True):
                            pack.write(blob)
                            entry[key] = [offset, len(blob)]
                            offset += len(blob)
                    summary = entry.pop("summary", None)
                    if summary is not None:  # written into the pack when the store is saved
                        self._held[name] = summary
                        self._unwritten.add(name)
                    elif entry["problem"] is not None:
                        self._held.pop(name, None)
                        self._unwritten.discard(name)
                    current[name] = entry
                    self.parsed += parsed
                    progress.advance()
            if pool is not None:
                pool.close()
                pool.join()
        finally:
            _OLD = {}
        with_new_origin, touched = _attach_origins(current, described,
                                                   lambda name: self._summary(name, current[name], keep=True))
        self._unwritten.update(touched)
        replaced = [name for name, entry in current.items() if entry is not old.get(name)]  # (or new)
        new_names = sum(name not in old for name in replaced)
        # names in the index no file has now: as many as the new ones beyond the growth in names
        gone = [name for name in old if name not in current] if new_names > len(current) - len(old) else []
        self._dirty = self._dirty or bool(pending) or bool(gone) or bool(new_names) or bool(touched)
        self._unsaved.update(touched, replaced, gone)
        self.changed = {name for name in replaced if (before := old.get(name)) is None
                        or before["sha256"] != current[name]["sha256"] or before["problem"] != current[name]["problem"]}
        self.changed.update(gone)
        self.changed.update(with_new_origin)
        self.before = {name: old[name] for name in self.changed if name in old}
        self._earlier = {name: earlier[name] if name in earlier else self._summary(name, entry)
                         for name, entry in self.before.items()}
        for name in gone:
            self._held.pop(name, None)
            self._unwritten.discard(name)
        self.entries = current if list(current) == sorted(current) else dict(sorted(current.items()))

    def _compact(self, current: dict[str, Entry]) -> dict[str, Entry]:
        """Copy the reports still in use into a new pack."""
        temporary = self.pack.with_name(f".{self.pack.name}.{os.getpid()}")
        compacted: dict[str, Entry] = {}
        with open(self.pack, "rb") as old, open(temporary, "wb") as new:
            for name, entry in current.items():
                if entry["span"] is not None:
                    entry = dict(entry)
                    for key in ("span", "link", "sum") if entry["sum"] is not None else ("span", "link"):
                        old.seek(entry[key][0])
                        blob = old.read(entry[key][1])
                        entry[key] = [new.tell(), len(blob)]
                        new.write(blob)
                compacted[name] = entry
        os.replace(temporary, self.pack)
        self._dirty = True
        return compacted

    def reports(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, summary) of every file that is a report, in name order."""
        return [(name, summary) for name, entry in self.entries.items()
                if entry["problem"] is None and (summary := self._summary(name, entry, keep=True)) is not None]

    def summary(self, name: str) -> dict[str, Any] | None:
        """The report's summary (``site.summary``), read from the pack the first time it is
        asked for; None when the file is not a report."""
        return self._summary(name, self.entries.get(name), keep=True)

    def summary_before(self, name: str) -> dict[str, Any] | None:
        """The summary as the index held it before the last refresh (what the last build saw)."""
        return self._earlier[name] if name in self._earlier else self.summary(name)

    def _summary(self, name: str, entry: Entry | None, *, keep: bool = False) -> dict[str, Any] | None:
        """``entry``'s summary; ``keep``: ``entry`` is the name's entry now, and what is read
        is kept for the next time (an entry from before a refresh may not be)."""
        held = self._held.get(name)
        if held is not None or entry is None or not entry.get("sum"):
            return held
        summary: dict[str, Any] = self._json(entry["sum"], name)
        if keep:
            self._held[name] = summary
        return summary

    def digests(self, but: set[str]) -> set[str]:
        """The hashes of the files read as reports, but those named."""
        return {entry["sha256"] for name, entry in self.entries.items() if entry["problem"] is None and name not in but}

    def problems(self) -> list[Problem]:
        return [Problem(name, e["problem"][0], e["problem"][1]) for name, e in self.entries.items() if e["problem"]]

    def raw(self, name: str) -> bytes:
        """The whole report as parsed, compact JSON."""
        return self._read_span(self.entries[name]["span"], name)

    def link(self, name: str) -> dict[str, Any]:
        """What the cross-year checks compare of the report (``summary.cross_year_link``)."""
        return self._json(self.entries[name]["link"], name)

    def _json(self, span: list[int] | None, name: str) -> Any:
        """A piece of the pack as JSON; a damaged one is named, with what to do."""
        try:
            return orjson.loads(self._read_span(span, name))
        except orjson.JSONDecodeError as exc:
            raise ReportError(f"缓存中的报告数据已损坏：{self.pack}（请用 --fresh 重新生成）", path=name) from exc

    def _read_span(self, span: list[int] | None, name: str) -> bytes:
        """Bytes of the pack, in one system call (a new model reads 50,000 summaries: a seek
        and a buffered read each cost more than the summary; a mapping of the pack would be
        counted again in every worker's memory)."""
        assert span is not None, name
        if self._reader is None or self._reader[0] != os.getpid():
            self._reader = (os.getpid(), os.open(self.pack, os.O_RDONLY))
        data = os.pread(self._reader[1], span[1], span[0])
        if len(data) != span[1]:
            raise ReportError(f"缓存中的报告数据不完整：{self.pack}（请用 --fresh 重新生成）", path=name)
        return data

    def full(self, name: str) -> dict[str, Any]:
        return self._json(self.entries[name]["span"], name)

    def _close(self) -> None:
        if self._reader is not None:
            if self._reader[0] == os.getpid():  # (a forked child leaves its parent's descriptor alone)
                os.close(self._reader[1])
            self._reader = None

    def save(self) -> None:
        """Write the summaries not in the pack yet into it, then the index (a crash in between
        only costs a re-parse): only the entries that changed, beside it, when few did
        (``journal``)."""
        self._close()
        if self._unwritten:
            with open(self.pack, "ab") as pack:
                offset = pack.tell()
                for name in sorted(self._unwritten):
                    entry, summary = self.entries.get(name), self._held.get(name)
                    if entry is not None and summary is not None:
                        blob = orjson.dumps(summary)
                        pack.write(blob)
                        entry["sum"] = [offset, len(blob)]
                        offset += len(blob)
                        self._unsaved.add(name)
            self._unwritten = set()
            self._dirty = True
        if not self._dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.token = os.urandom(8).hex()
        head = {"format": STORE_FORMAT, "parser": parser_key(), "token": self.token,
                "pack_size": self.pack.stat().st_size if self.pack.is_file() else 0}
        self.journal.save(head, self.entries, self._unsaved)
        self._unsaved = set()
        self._dirty = False
