"""The downloads of all reports, one set per year: ``reports-2020.csv.zip``, ``.json.zip`` and
``.sqlite.zip`` (formats and columns in ``site.downloads.formats``).

At fifty thousand reports a year's files are megabytes, so a rebuild does not make them
again from every report. Only the years whose reports changed are made again, and those
cheaply: the CSV and JSON are zipped from parts of a few dozen reports each, and only the
parts holding a changed report are made and compressed again (``textparts``); the SQLite
database gets the changed reports' rows replaced in a working database, and the file is
written page by page (``paged``): only the pages of the changed reports' groups are made
and compressed again. The working databases and the zips are kept in the build's cache
folder with what each holds, and the site gets copies of the zips. The work runs in a
forked child process (the databases), which forks one more (the text files); which years
changed is found there from every report's version (``RowSource``), and only those years'
rows are made. A patched rebuild hands the work to a child forked when the build started
instead (``ahead``), sent only the rows it needs.

Everything is made so that the same reports give the same bytes, however they were made:
report ids are stable (derived from the report's path), the databases' layout is a
function of their rows alone, the parts are cut by the reports' names, and the zip files
carry fixed dates.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from giro_site.site import compression
from giro_site.site.build.output import file_stamp, load_state, save_state
from giro_site.site.downloads import allyears, paged, textparts
from giro_site.site.downloads.deflate import ZIP_LEVEL, Previous, Record, compress, file_parts
from giro_site.site.downloads.formats import (
    SCHEMA,
    SQLITE_TABLES,
    csv_header,
    csv_line,
    dictionary_csv,
    fixed_rows,
    insert_rows,
    sqlite_rows,
)
from giro_site.site.downloads.paged import stable_id
from giro_site.site.model import ReportInfo, as_published

LoadRaw = Callable[[str], bytes]
# What the cached files were made with: a new column or table (the SQLite schema, the CSV's
# header), or another way of cutting and compressing parts, makes every year again instead
# of reusing parts or rows of the old layout.
# ``_STATE``: the layout of the state file itself (what each year and the all-years files record).
_STATE = 4  # (4: a text member's record holds the lengths of its parts' pieces, ``textparts.OldPieces``)
_MADE_WITH = b"parts-2|%d|%d|%d|%d|%d|%d" % (textparts.GROUP, ZIP_LEVEL, paged.PAGE, paged.GROUP, paged.LAYOUT_FORMAT,
                                             _STATE)


def state_format(deflate: str) -> str:
    """What the cache's files must have been made with to be reused (``deflate``: the
    library's ``compression.NAME``, whose bytes differ from another's)."""
    return hashlib.sha1(SCHEMA.encode("utf-8") + csv_header() + _MADE_WITH + deflate.encode("utf-8")).hexdigest()[:16]


STATE_FORMAT = state_format(compression.NAME)


def full_json(info: ReportInfo, load_raw: LoadRaw) -> bytes:
    """The report's JSON as published (``model.as_published``)."""
    raw = load_raw(info.name)
    origin = info.summary.get("origin")
    if not info.linked:
        if not origin:
            return raw
        # the origin goes at the end of the ``source`` object, whose last key is the hash: a
        # splice of bytes, not a parse and a dump of the whole report for two keys
        end = b'"sha256":"%s"}' % info.summary["sha256"].encode()
        if raw.count(end) == 1:
            extra = orjson.dumps({"url": origin["url"], "fetched_at": origin["fetched_at"]})
            return raw.replace(end, end[:-1] + b"," + extra[1:])
    return orjson.dumps(as_published(orjson.loads(raw), info))


@dataclass
class Row:
    """A report as the downloads show it: its published JSON and its report-level fields
    (``dictionary.REPORT_FIELDS``: body, region, page URL…, which come from its agency).

    The fields may be given as a call that makes them, with a ``salt`` that changes whenever
    they would (the agency's key): then only the rows a build writes make their fields."""

    info: ReportInfo
    given: dict[str, Any] | Callable[[], dict[str, Any]]
    salt: str | None = None
    version: str = field(init=False)  # changes when anything the report's rows show changes

    def __post_init__(self) -> None:
        salt = self.salt if self.salt is not None else hashlib.sha1(orjson.dumps(self.fields)).hexdigest()[:12]
        self.version = row_version(self.info, salt)

    @property
    def fields(self) -> dict[str, Any]:
        return self.given if isinstance(self.given, dict) else self.given()

    @property
    def name(self) -> str:
        return self.info.name

    def published(self, load_raw: LoadRaw) -> bytes:
        return full_json(self.info, load_raw)

    def raw(self, load_raw: LoadRaw) -> bytes:
        return load_raw(self.info.name)


class ReportRow(Protocol):
    """What the downloads read of a report's row (``Row``, or what a child was sent: ``ahead``)."""

    @property
    def name(self) -> str: ...

    version: str

    @property
    def fields(self) -> dict[str, Any]: ...

    def published(self, load_raw: LoadRaw) -> bytes: ...

    def raw(self, load_raw: LoadRaw) -> bytes: ...


class NotSent(Exception):
    """A row's content that the downloads' early child was not sent (``ahead``): it hands the
    work back to a child forked the usual way."""


NOT_SENT = 3  # the exit code of a child that met a ``NotSent``


def row_version(info: ReportInfo, salt: str) -> str:
    return f"{info.version}:{salt}"


def year_key(year: int | None) -> str:
    return "unknown" if year is None else str(year)


@dataclass
class RowSource:
    """Every report's version in the downloads by year (``year_key``; a year's reports in the
    rows' order), and a year's rows, made only for the years whose files are made again:
    every row of 50,000 reports cost the downloads' child a tenth of a second."""

    versions: dict[str, dict[str, str]]
    rows_of: Callable[[str], Sequence[ReportRow]]


# --- the text files ----------------------------------------------------------------------------


def json_piece(load_raw: LoadRaw) -> Callable[[ReportRow], bytes]:
    return lambda row: row.published(load_raw)


def csv_piece(load_raw: LoadRaw) -> Callable[[ReportRow], bytes]:
    return lambda row: csv_line(row.fields, orjson.loads(row.raw(load_raw)))


# --- SQLite -----------------------------------------------------------------------------------


def update_sqlite(rows: Sequence[ReportRow], load_raw: LoadRaw, work: Path, versions: dict[str, str] | None,
                  current: dict[str, str]) -> tuple[set[int], set[int]]:
    """Bring the working database ``work`` to ``rows`` (``current``: their versions),
    replacing the rows of reports whose version differs from ``versions``, what it held
    (all of them when None). Returns the ids of the reports removed and of those added."""
    db = paged.new_work(work) if versions is None else paged.open_work(work)
    try:
        if versions is None:
            insert_rows(db, fixed_rows())
            versions = {}
        gone = {stable_id(n) for n, v in versions.items() if current.get(n) != v}
        stale = [(report_id,) for report_id in gone]
        for table in SQLITE_TABLES[:-2]:  # the dictionary and the codes hold no report's rows
            db.executemany(f"DELETE FROM {table} WHERE {'id' if table == 'reports' else 'report_id'} = ?", stale)
        batch: dict[str, list[tuple[Any, ...]]] = {}
        new: set[int] = set()
        # in the order of the tables' keys (a report's id first): SQLite then adds to the end
        # of its b-trees rather than splitting pages all over them (a tenth of the inserts' time)
        changed = sorted((r for r in rows if versions.get(r.name) != r.version), key=lambda r: stable_id(r.name))
        for count, row in enumerate(changed, start=1):
            fields = row.fields
            new.add(fields["id"])
            for table, values in sqlite_rows(orjson.loads(row.published(load_raw)), fields).items():
                batch.setdefault(table, []).extend(values)
            if count % 2000 == 0:
                insert_rows(db, batch)
                batch = {}
        insert_rows(db, batch)
        db.commit()
    finally:
        db.close()
    return gone, new


# --- zip files ----------------------------------------------------------------------------------


def zip_members(target: Path, members: list[tuple[str, bytes | Path]], held: dict[str, Record] | None = None
                ) -> dict[str, Record]:
    """A zip of ``members`` whose bytes depend only on them (``deflate``): a file given as a
    path (a database) in parts, each read back from the previous zip (``held``: what it
    recorded) where its bytes are unchanged; returns what to record of this one."""
    made: list[textparts.Member] = []
    for name, data in members:
        if isinstance(data, Path):
            previous = Previous(target, (held or {}).get(name))
            try:
                keys, parts = file_parts(data, previous)
            finally:
                previous.close()
            made.append((name, keys, parts))
        else:
            made.append(textparts.fixed(name, data))
    return textparts.write(target, made)


# --- one set of files per year ---------------------------------------------------------------

FORMATS = ("csv.zip", "json.zip", "sqlite.zip")


@dataclass
class _Year:
    key: str
    versions: dict[str, str]  # each report's version: a year whose versions are as recorded is kept
    old: dict[str, Any]  # what the cache holds for this year, as last recorded (or {})
    source: RowSource
    rows: Sequence[ReportRow] = ()  # made only for a year whose files are made again (``load_rows``)

    def load_rows(self) -> None:
        self.rows = self.source.rows_of(self.key)


def _text_files(years: list[_Year], load_raw: LoadRaw, folder: Path, every: list[_Year] | None = None
                ) -> dict[str, Any]:
    """The zipped CSV (with the dictionary beside it) and JSON of each year, from parts
    (``textparts``); and with ``every`` (every year, those not in ``years`` as the cache holds
    them) the all-years CSV, from the yearly CSVs' parts. Returns what the cache now holds,
    per year (``allyears.ALL`` for the all-years files)."""
    done: dict[str, Any] = {}
    for year in years:
        name = f"reports-{year.key}"
        held: dict[str, Any] = {}
        order = textparts.OldOrder(year.old.get("versions") or {})  # (the rows the cached zips were made of)
        for suffix, piece, separator, head, tail in (("json", json_piece(load_raw), b",", b"[", b"]"),
                                                     ("csv", csv_piece(load_raw), b"", csv_header(), b"")):
            member = f"{name}.{suffix}"
            salt = _MADE_WITH + suffix.encode()
            previous = textparts.previous(folder, f"{member}.zip", member, year.old.get(suffix))
            old = textparts.OldPieces(previous, order, separator, salt, first=1)
            try:
                keys, parts, _, pieces = textparts.item_parts(year.rows, _or_old(piece, old), separator, salt,
                                                              previous)
            finally:
                previous.close()
            ends = [compress(head)], ([compress(tail)] if tail else [])
            made = [(member, ["head", *keys, *(["tail"] if tail else [])], [*ends[0], *parts, *ends[1]])]
            lengths = [[None, *pieces, *([None] if tail else [])]]
            if suffix == "csv":
                made.append(textparts.fixed("dictionary.csv", dictionary_csv()))
                lengths.append(None)
            held[suffix] = textparts.write(folder / f"{member}.zip", made, lengths)
        done[year.key] = held
    if every is not None:
        done[allyears.ALL] = {"csv": _every_csv(folder, every, done)}
    return done


def _or_old(piece: Callable[[ReportRow], bytes], old: textparts.OldPieces) -> Callable[[ReportRow], bytes]:
    """``piece``, or for a row whose content was not sent (``ahead``: it did not change) its
    piece as the previous zip holds it."""
    def made(row: ReportRow) -> bytes:
        try:
            return piece(row)
        except NotSent:
            found = old.piece(row.name, row.version)
            if found is None:
                raise
            return found
    return made


def _every_csv(folder: Path, every: list[_Year], done: dict[str, Any]) -> dict[str, Record]:
    """``reports-all.csv.zip``: one header, then each year's CSV parts (oldest year first), read
    from the yearly zips as just written or kept."""
    keys, parts = ["head"], [compress(csv_header())]
    by_key = {year.key: year for year in every}
    for key in allyears.year_order(list(by_key)):
        member = f"reports-{key}.csv"
        record = (done.get(key) or by_key[key].old)["csv"][member]
        keys += [part[0] for part in record["parts"][1:]]
        parts += textparts.read_all(folder / f"{member}.zip", record, skip=1)
    name = f"reports-{allyears.ALL}"
    return textparts.write(folder / f"{name}.csv.zip", [(f"{name}.csv", keys, parts),
                                                        textparts.fixed("dictionary.csv", dictionary_csv())])


def _database_files(years: list[_Year], load_raw: LoadRaw, folder: Path, site: dict[str, str],
                    every: dict[str, dict[str, str]] | None = None, every_old: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    """The zipped database of each year; and with ``every`` (every year's reports and their
    versions) the all-years database (``allyears``); returns what the cache now holds, per year."""
    done: dict[str, Any] = {}
    for year in years:
        name = f"reports-{year.key}"
        work = folder / f"{name}.work.sqlite"
        old = year.old.get("sqlite") or {}
        versions = year.old.get("versions") if old and old["stamp"] == file_stamp(work) else None
        gone, new = update_sqlite(year.rows, load_raw, work, versions, year.versions)
        layout = paged.load_layout(folder / f"{name}.layout") if versions is not None else None
        layout, bounds, dirty = paged.changes(layout, old.get("stamp"), gone, new, lambda y=year: y.versions)
        heading = f"{'年度不详' if year.key == 'unknown' else year.key + '年度'}报告的 SQLite 数据库"
        zipped, made = paged.zip_database(folder, name, heading, site, bounds, dirty, layout, old.get("zip"))
        made.stamp = file_stamp(work)
        paged.save_layout(folder / f"{name}.layout", made)
        done[year.key] = {"sqlite": {"stamp": made.stamp, "zip": zipped}}
    if every is not None:
        old = (every_old or {}).get("sqlite", {})
        done[allyears.ALL] = {"sqlite": allyears.update_database(folder, every, site, old, zip_members)}
    return done


def _in_child(target: Callable[..., dict[str, Any]], result: Path, *args: Any) -> None:
    try:
        made = target(*args)
    except NotSent:
        os._exit(NOT_SENT)  # (not an error: told to the early child, which hands the work back)
    result.write_bytes(orjson.dumps(made))


def make(source_of: Callable[[], RowSource], load_raw: LoadRaw, folder: Path, site: dict[str, str], fresh: bool,
          result: Path, generation: str = "", state: dict[str, Any] | None = None) -> None:
    """In the downloads' child process: every report's version (``source_of``), the years
    whose reports changed (by the state the cache holds, or ``state`` as read already),
    their files (their rows made only now) and the all-years files, the text in a second
    child and the databases here; save the state, with the ``generation`` of the saved
    model these rows are of (``ahead``), and say where the files are (``result``)."""
    source = source_of()
    versions = source.versions
    if state is None:
        state = {} if fresh else load_state(folder / "state.json")
    old_years = state.get("years", {}) if state.get("format") == STATE_FORMAT else {}
    salt = orjson.dumps(site).decode()
    years = [_Year(key, versions[key], old_years.get(key, {}), source) for key in sorted(versions)]
    for leftover in folder.iterdir():
        if _leftover(leftover.name, set(versions)):
            leftover.unlink()
    changed = [y for y in years if y.old.get("salt") != salt or y.old.get("versions") != y.versions
               or not _intact(folder, y)
               or file_stamp(folder / f"reports-{y.key}.work.sqlite") is None]
    kept: dict[str, Any] = {y.key: y.old for y in years}
    # The all-years files: made again when any year is, or when they are not in the cache.
    every = state.get(allyears.ALL, {}) if state.get("format") == STATE_FORMAT else {}
    every_missing = not every or not all(path.is_file() for _, _, path in
                                         allyears.published(folder, every.get("sqlite", {})))
    every_changed = bool(years) and (bool(changed) or every_missing)
    if changed or every_changed:
        for year in changed:  # (here, before the text's child forks: made once, not in both)
            year.load_rows()
        text_result = folder / f".text-result.{os.getpid()}.json"
        text = multiprocessing.get_context("fork").Process(
            target=_in_child, args=(_text_files, text_result, changed, load_raw, folder, years))
        text.start()
        try:
            held = _database_files(changed, load_raw, folder, site, versions, every)
        finally:
            text.join()  # (never left writing beside whatever runs next)
        if text.exitcode == NOT_SENT:
            raise NotSent("the CSV and JSON")
        if text.exitcode != 0:
            raise RuntimeError(f"生成下载文件失败（CSV 和 JSON：子进程退出码 {text.exitcode}）")
        for year, files in orjson.loads(text_result.read_bytes()).items():
            held.setdefault(year, {}).update(files)
        text_result.unlink()
        for year in changed:
            kept[year.key] = {"salt": salt, "versions": year.versions, **held[year.key]}
        if every_changed:
            every = held[allyears.ALL]
    if changed or every_changed or state.get("generation") != generation:
        save_state(folder / "state.json", {"format": STATE_FORMAT, "generation": generation, "years": kept,
                                           allyears.ALL: every})
    published = {key: every.get("sqlite", {}).get(key) for key in ("split", "provinces")}
    result.write_bytes(orjson.dumps({"years": [y.key for y in years], "every": published}))


def _intact(folder: Path, year: _Year) -> bool:
    """Whether the year's zips are those its state records (a part is read back from them)."""
    for fmt, held in (("csv.zip", year.old.get("csv")), ("json.zip", year.old.get("json")),
                      ("sqlite.zip", (year.old.get("sqlite") or {}).get("zip"))):
        stamp = file_stamp(folder / f"reports-{year.key}.{fmt}")
        if stamp is None or not held or any(record.get("stamp") != stamp for record in held.values()):
            return False
    return True


class Downloads:
    """Make the files of every year whose reports changed in a forked child process (which
    forks one more: text and databases side by side). The main process only forks and,
    at the end, waits: which years changed, by the rows' versions, is found in the child.

    ``site`` holds what the files say about the site (``title``, ``source_url``); a change
    there makes every year again."""

    def __init__(self, folder: Path, wait: Callable[[], int | None], result_path: Path,
                 instead: Callable[[], Downloads] | None = None):
        """``wait``: for the child, its exit code; ``instead``: the downloads to wait for if that
        child hands the work back (``NOT_SENT``) or fails (the early child is a shortcut: the
        usual child says what is wrong, if anything still is)."""
        self.folder, self._wait, self.result_path, self._instead = folder, wait, result_path, instead
        self.made: dict[str, Any] = {}

    @classmethod
    def start(cls, source_of: Callable[[], RowSource], load_raw: LoadRaw, folder: Path, site: dict[str, str], *,
              fresh: bool, generation: str = "") -> Downloads:
        folder.mkdir(parents=True, exist_ok=True)
        result_path = folder / f".result.{os.getpid()}.json"
        process = multiprocessing.get_context("fork").Process(
            target=make, args=(source_of, load_raw, folder, site, fresh, result_path, generation))
        process.start()

        def wait() -> int | None:
            process.join()
            return process.exitcode

        return cls(folder, wait, result_path)

    def paths(self, year: str) -> dict[str, Path]:
        return {fmt: self.folder / f"reports-{year}.{fmt}" for fmt in FORMATS}

    def result(self) -> list[tuple[str, dict[str, Path]]]:
        """(year, format → file in the cache) for every year, newest first."""
        if not self.made:
            code = self._wait()
            if code != 0 and self._instead is not None:
                instead = self._instead()
                self._wait, self.result_path, self._instead = instead._wait, instead.result_path, None
                code = self._wait()
            if code != 0:
                raise RuntimeError(f"生成下载文件失败（子进程退出码 {code}）")
            self.made = orjson.loads(self.result_path.read_bytes())
            self.result_path.unlink()
        return [(key, self.paths(key)) for key in reversed(self.made["years"])]

    def every_year(self) -> list[tuple[str, str, Path]]:
        """The all-years files (``allyears.published``), after ``result``."""
        return allyears.published(self.folder, self.made["every"]) if self.made["years"] else []


def _leftover(file_name: str, years: set[str]) -> bool:
    """A file of the cache folder no build needs: a failed build's temporary file, a file of a
    year that has no report now, an unzipped file (older builds kept the CSV and JSON)."""
    if file_name.startswith("."):
        return True
    if file_name == "state.json":
        return False
    year = _year_of(file_name)
    if year not in years and not year.startswith(allyears.ALL):
        return True
    return file_name.endswith((".csv", ".json", ".sqlite")) and not file_name.endswith(".work.sqlite")


def _year_of(file_name: str) -> str:
    """``reports-2020.csv`` → "2020"; "" for the state file."""
    if not file_name.startswith("reports-"):
        return ""
    return file_name[len("reports-"):].split(".", 1)[0]

