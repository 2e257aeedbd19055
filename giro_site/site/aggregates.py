"""The downloads of all reports: reports.csv, reports.json and reports.sqlite.

At ten thousand reports these are tens of megabytes each, so a rebuild does not make
them again from every report: the CSV is joined from lines cached with each report's
summary, the JSON keeps the bytes of every unchanged report from the previous file and
puts in the changed ones, and the SQLite file gets the changed reports' rows replaced.
Report ids in SQLite are stable (derived from the report's path) so rows can be replaced.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from giro_site.findings import sort_findings
from giro_site.site.downloads import CELLS, SCHEMA, SQLITE_TABLES, WIDE_COLUMNS, sqlite_rows
from giro_site.site.model import ReportInfo
from giro_site.site.output import Prepared

LoadRaw = Callable[[str], bytes]


def stable_id(name: str) -> int:
    """A report's id in SQLite: the same in every build, whatever else changes (52 bits, so
    that the row ids made from it fit SQLite's 63)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:13], 16)


def full_json(info: ReportInfo, load_raw: LoadRaw) -> bytes:
    """The report's JSON as published: as parsed, plus its cross-year findings."""
    raw = load_raw(info.name)
    if not info.linked:
        return raw
    report = orjson.loads(raw)
    report["findings"] = sort_findings(report["findings"] + info.linked)
    return orjson.dumps(report)


def csv_meta(info: ReportInfo) -> list[Any]:
    s, head = info.summary, info.head
    return [s["agency"], s["region"], s["year"], s["form"], s["file"], s["format"], s["sha256"], s["items"],
            head.quality, head.errors, head.warnings, s["extra_rows"]]


def csv_line(info: ReportInfo, load_raw: LoadRaw) -> bytes:
    """The report's line in reports.csv; blank cells are empty fields, never 0."""
    report = orjson.loads(load_raw(info.name))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        ["" if v is None else v for v in csv_meta(info)] + ["" if (v := report[t].get(r, {}).get(c)) is None else v
                                                          for t, r, c in CELLS])
    return buffer.getvalue().encode("utf-8")


def csv_header() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(WIDE_COLUMNS)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


Layout = dict[str, list[Any]]  # report name → [version, start, end] of its bytes in the file


def splice(infos: list[ReportInfo], piece: Callable[[ReportInfo], bytes], previous: bytes | None,
           layout: Layout | None, *, head: bytes, separator: bytes, tail: bytes) -> tuple[bytes, Layout]:
    """A file made of one piece per report (head, pieces joined by ``separator``, tail), reusing
    the previous file's bytes for every report whose version is unchanged.

    Consecutive unchanged reports that were consecutive before are copied as one slice, so a
    rebuild after one change makes a handful of slices, not ten thousand."""
    parts: list[bytes] = [head]
    spans: Layout = {}
    run: tuple[int, int] | None = None  # a slice of ``previous`` still to copy
    position = len(head)
    old_layout = layout or {}
    width = len(separator)
    for index, info in enumerate(infos):
        current = info.version
        old = old_layout.get(info.name)
        gap = width if index else 0
        if previous is not None and old is not None and old[0] == current:
            start, end = old[1] - gap, old[2]  # with the separator before it, if any
            if run is not None and run[1] == start and (gap or run[0] == start):
                run = (run[0], end)
            else:
                if run is not None:
                    parts.append(previous[run[0]:run[1]])
                if gap and previous[start:start + width] != separator:
                    parts.append(separator)
                    start += width
                run = (start, end)
            length = old[2] - old[1]
        else:
            if run is not None:
                parts.append(previous[run[0]:run[1]])  # type: ignore[index]
                run = None
            made = piece(info)
            parts.append(separator + made if gap else made)
            length = len(made)
        spans[info.name] = [current, position + gap, position + gap + length]
        position += gap + length
    if run is not None:
        parts.append(previous[run[0]:run[1]])  # type: ignore[index]
    parts.append(tail)
    return b"".join(parts), spans


def reports_json(infos: list[ReportInfo], load_raw: LoadRaw, previous: bytes | None,
                 layout: Layout | None) -> tuple[bytes, Layout]:
    """The list of all reports (the contract's object each)."""
    return splice(infos, lambda info: full_json(info, load_raw), previous, layout, head=b"[", separator=b",",
                  tail=b"]")


def reports_csv(infos: list[ReportInfo], load_raw: LoadRaw, previous: bytes | None,
                layout: Layout | None) -> tuple[bytes, Layout]:
    """One wide row per report, UTF-8 with BOM so Excel shows Chinese."""
    return splice(infos, lambda info: csv_line(info, load_raw), previous, layout, head=csv_header(),
                  separator=b"", tail=b"")


def _insert(db: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for table, values in rows.items():
        if values:
            marks = ", ".join("?" for _ in values[0])
            db.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)


def _rows(info: ReportInfo, load_raw: LoadRaw) -> dict[str, list[tuple[Any, ...]]]:
    report = orjson.loads(full_json(info, load_raw))
    return sqlite_rows(stable_id(info.name), report, csv_meta(info))


def canonical_header(header: bytes) -> bytes:
    """Fix the header's counters, which count how often a file was written, not what it holds:
    the file change counter and its copy (bytes 24 and 92, which must agree) and the schema
    cookie (byte 40). Then the same rows give the same bytes however the file was made."""
    one = (1).to_bytes(4, "big")
    fixed = bytearray(header[:100])
    fixed[24:28] = fixed[92:96] = fixed[40:44] = one
    return bytes(fixed)


def reports_sqlite(infos: list[ReportInfo], load_raw: LoadRaw, previous: Path | None,
                   versions: dict[str, str] | None, final: Path) -> dict[str, str]:
    """Write the SQLite file to ``final``: the previous one with changed reports' rows replaced,
    or a new one. Returns each report's version, to tell next time what changed.

    Either way it is written out with VACUUM INTO, which lays a database out the same way
    for the same rows: a rebuild gives the same bytes as a fresh build."""
    current = {info.name: info.version for info in infos}
    work = final.with_name(f"{final.stem}.work.sqlite")
    for path in (work, final):
        path.unlink(missing_ok=True)
    try:
        update = previous is not None and previous.is_file() and versions is not None
        if update:
            shutil.copyfile(previous, work)  # type: ignore[arg-type]
        db = sqlite3.connect(work)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        if update:
            assert versions is not None
            stale = [(stable_id(n),) for n, v in versions.items() if current.get(n) != v]
            fresh = [info for info in infos if versions.get(info.name) != current[info.name]]
            for table in SQLITE_TABLES:
                db.executemany(f'DELETE FROM "{table}" WHERE {"id" if table == "reports" else "report_id"} = ?',
                               stale)
        else:
            db.executescript(SCHEMA)
            fresh = infos
        batch: dict[str, list[tuple[Any, ...]]] = {}
        for count, info in enumerate(fresh, start=1):
            for table, values in _rows(info, load_raw).items():
                batch.setdefault(table, []).extend(values)
            if count % 2000 == 0:
                _insert(db, batch)
                batch = {}
        _insert(db, batch)
        db.commit()
        db.execute("VACUUM INTO ?", (str(final),))
        db.close()
        with open(final, "r+b") as stream:
            header = canonical_header(stream.read(100))
            stream.seek(0)
            stream.write(header)
        return current
    finally:
        work.unlink(missing_ok=True)


class SqliteJob:
    """``reports_sqlite`` in a forked child process: at ten thousand reports it takes half a
    second, which the build spends on the pages meanwhile."""

    def __init__(self, infos: list[ReportInfo], load_raw: LoadRaw, previous: Path | None,
                 versions: dict[str, str] | None, final: Path):
        self.final = final
        self.versions = {info.name: info.version for info in infos}
        self.fingerprint = hashlib.sha1(orjson.dumps(self.versions)).hexdigest()  # the rows follow from these
        final.parent.mkdir(parents=True, exist_ok=True)
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=reports_sqlite, args=(infos, load_raw, previous, versions, final))
        self.process.start()

    def result(self) -> tuple[Prepared, dict[str, str]]:
        self.process.join()
        if self.process.exitcode != 0:
            raise RuntimeError(f"生成 SQLite 下载文件失败（子进程退出码 {self.process.exitcode}）")
        return Prepared(self.final, self.fingerprint), self.versions
