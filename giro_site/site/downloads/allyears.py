"""The downloads of every year at once, beside the yearly ones: ``reports-all.csv.zip`` and
``reports-all.sqlite.zip`` (the same columns and tables as a year's, with ``year`` in them).

Made from the yearly files rather than from the reports again: the CSV is the yearly CSVs'
compressed parts one after the other behind one header (``aggregates``), and the database
takes the rows of the yearly working databases with SQLite's own ``INSERT … SELECT``. A
rebuild replaces only the rows of the reports that changed, copied from their year's
database; then, as for a year, the file is written page by page (``paged``); split by
province, each part is laid out by VACUUM INTO, the same way for the same rows.

A journalist's one file must still be one a host serves: when the zipped database would
pass ``SPLIT_LIMIT`` (judged from the yearly files, which hold the same rows) it is written
as one file per province instead (``reports-all-11.sqlite.zip`` for 北京市, and
``reports-all-other`` for the reports of no known province), each made again only when a
report in it changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from giro_site.site.build.output import file_stamp
from giro_site.site.downloads import paged
from giro_site.site.downloads.formats import (
    SQLITE_TABLES,
    database_companions,
    fixed_rows,
    insert_rows,
    write_out,
)

ALL = "all"
SPLIT_LIMIT = 50 * 1024 * 1024  # bytes of the zipped database: GitHub warns about a larger file
OTHER = "other"  # the province part of the name of the file of reports of no known province
_ROW_TABLES = SQLITE_TABLES[:-2]  # the tables that hold reports' rows (not the dictionary and the codes)
_EVERY_YEAR = "%s的 SQLite 数据库（各年度的报告都在其中，年度见 reports 表的 year 列）"  # a README's heading


def year_order(keys: list[str]) -> list[str]:
    """Years oldest first, the reports of no known year last."""
    return sorted(keys, key=lambda key: (key == "unknown", key))


def _key_column(table: str) -> str:
    return "id" if table == "reports" else "report_id"


def _copy_rows(db: sqlite3.Connection, source: Path, ids: list[int] | None) -> None:
    """The rows of the reports ``ids`` (all of them when None) from the database ``source``."""
    db.execute("ATTACH DATABASE ? AS source", (str(source),))
    try:
        if ids is not None:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS pick (id INTEGER PRIMARY KEY)")
            db.execute("DELETE FROM temp.pick")
            db.executemany("INSERT INTO temp.pick VALUES (?)", [(i,) for i in ids])
        for table in _ROW_TABLES:
            where = f" WHERE {_key_column(table)} IN (SELECT id FROM temp.pick)" if ids is not None else ""
            db.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table}{where}")
        db.commit()
    finally:
        db.execute("DETACH DATABASE source")


def _new_database(path: Path) -> sqlite3.Connection:
    db = paged.new_work(path)
    insert_rows(db, fixed_rows())
    return db


def _zip_database(folder: Path, name: str, final: Path, site: dict[str, str], what: str, zip_members: Any,
                  held: dict[str, Any] | None) -> dict[str, Any]:
    """The zip of the database ``final`` (removed after); ``held``: what the cache recorded of
    the previous zip, whose unchanged parts are read back (``aggregates.zip_members``)."""
    zipped: dict[str, Any] = zip_members(folder / f"{name}.sqlite.zip", [
        (f"{name}.sqlite", final), *database_companions(name, site, _EVERY_YEAR % what)], held)
    final.unlink()
    return zipped


def update_database(folder: Path, years: dict[str, dict[str, str]], site: dict[str, str], old: dict[str, Any],
                    zip_members: Any, limit: int | None = None) -> dict[str, Any]:
    """Bring ``reports-all.work.sqlite`` to the yearly working databases, which hold ``years``
    (year key → report name → version), and write the zipped file or files. ``old``: what the
    cache held (``{}``). Returns what it holds now."""
    work = folder / f"reports-{ALL}.work.sqlite"
    before: dict[str, dict[str, str]] | None = old.get("versions") if old.get("stamp") == file_stamp(work) else None
    if not isinstance(before, dict) or not all(isinstance(held, dict) for held in before.values()):
        before = None  # not what this version records (year → report → version): made again
    if before is None:
        db = _new_database(work)
        before = {}
    else:
        db = paged.open_work(work)
    try:
        # only the years whose reports changed are looked at, and ids (a hash of the name)
        # made only of the reports that changed: this runs at every rebuild
        gone: set[int] = set()
        fresh: dict[str, list[str]] = {}
        for key in set(years) | set(before):
            now, was = years.get(key, {}), before.get(key, {})
            if now != was:
                gone |= {paged.stable_id(name) for name, version in was.items() if now.get(name) != version}
                fresh[key] = [name for name, version in now.items() if was.get(name) != version]
        for table in _ROW_TABLES:
            db.executemany(f"DELETE FROM {table} WHERE {_key_column(table)} = ?", [(i,) for i in gone])
        db.commit()
        new: set[int] = set()
        for key in year_order([key for key, names in fresh.items() if names]):
            ids = [paged.stable_id(name) for name in fresh[key]]
            new.update(ids)
            _copy_rows(db, folder / f"reports-{key}.work.sqlite", None if not before else ids)
        estimate = sum((folder / f"reports-{key}.sqlite.zip").stat().st_size for key in years)
        split = estimate > (SPLIT_LIMIT if limit is None else limit)
        provinces: dict[str, str] = {}
        zips: dict[str, Any] = {}
        if split:
            versions = {name: version for held in years.values() for name, version in held.items()}
            provinces, zips = _split(db, folder, versions, site, old.get("provinces", {}), zip_members,
                                     old.get("zips") or {})
            (folder / f"reports-{ALL}.sqlite.zip").unlink(missing_ok=True)
    finally:
        db.close()
    if not split:
        layout = paged.load_layout(folder / f"reports-{ALL}.layout") if before else None
        layout, bounds, dirty = paged.changes(layout, old.get("stamp"), gone, new,
                                              lambda: [name for held in years.values() for name in held])
        zips[""], made = paged.zip_database(folder, f"reports-{ALL}", _EVERY_YEAR % "全部年度报告", site,
                                            bounds, dirty, layout, (old.get("zips") or {}).get(""))
        made.stamp = file_stamp(work)
        paged.save_layout(folder / f"reports-{ALL}.layout", made)
        for stale_file in folder.glob(f"reports-{ALL}-*.sqlite.zip"):
            stale_file.unlink()
    else:
        (folder / f"reports-{ALL}.layout").unlink(missing_ok=True)
    return {"versions": years, "stamp": file_stamp(work), "split": split, "provinces": provinces, "zips": zips}


def _split(db: sqlite3.Connection, folder: Path, versions: dict[str, str],
           site: dict[str, str], old: dict[str, str], zip_members: Any, old_zips: dict[str, Any]
           ) -> tuple[dict[str, str], dict[str, Any]]:
    """One file per province (the first two digits of the body's place code); returns each
    province's fingerprint, so a province none of whose reports changed is not made again,
    and what the cache records of each province's zip."""
    by_province: dict[str, list[int]] = {}
    for code, report_id in db.execute("SELECT substr(region_code, 1, 2), id FROM reports ORDER BY id"):
        by_province.setdefault(code or OTHER, []).append(report_id)
    version_of = {paged.stable_id(name): version for name, version in versions.items()}
    made: dict[str, str] = {}
    zips: dict[str, Any] = {}
    for code, members in sorted(by_province.items()):
        digest = hashlib.sha1()
        for report_id in members:
            digest.update(f"{report_id}:{version_of.get(report_id, '')}\0".encode())
        made[code] = digest.hexdigest()
        name = f"reports-{ALL}-{code}"
        if old.get(code) == made[code] and (folder / f"{name}.sqlite.zip").is_file() and code in old_zips:
            zips[code] = old_zips[code]
            continue
        part_work = folder / f"{name}.work.sqlite"
        part = _new_database(part_work)
        try:
            part.commit()
            part.execute("ATTACH DATABASE ? AS whole", (str(folder / f"reports-{ALL}.work.sqlite"),))
            part.execute("CREATE TEMP TABLE pick (id INTEGER PRIMARY KEY)")
            part.executemany("INSERT INTO temp.pick VALUES (?)", [(i,) for i in members])
            for table in _ROW_TABLES:
                part.execute(f"INSERT INTO main.{table} SELECT * FROM whole.{table} "
                             f"WHERE {_key_column(table)} IN (SELECT id FROM temp.pick)")
            part.commit()
            part.execute("DETACH DATABASE whole")
            final = folder / f"{name}.sqlite"
            write_out(part, final)
        finally:
            part.close()
            part_work.unlink(missing_ok=True)
        zips[code] = _zip_database(folder, name, final, site, f"全部年度、{code}省级行政区内机关报告", zip_members,
                                   old_zips.get(code))
    for leftover in folder.glob(f"reports-{ALL}-*.sqlite.zip"):
        if leftover.name[len(f"reports-{ALL}-"):].split(".", 1)[0] not in made:
            leftover.unlink()
    return made, zips


def published(folder: Path, state: dict[str, Any]) -> list[tuple[str, str, Path]]:
    """(part: "" for the whole or a province code, format, file in the cache) of every
    all-years file ``state`` (what ``update_database`` returned) says there is."""
    files = [("", "csv.zip", folder / f"reports-{ALL}.csv.zip")]
    if state.get("split"):
        files += [(code, "sqlite.zip", folder / f"reports-{ALL}-{code}.sqlite.zip")
                  for code in sorted(state.get("provinces", {}))]
    else:
        files.append(("", "sqlite.zip", folder / f"reports-{ALL}.sqlite.zip"))
    return files
