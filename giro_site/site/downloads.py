"""The data as downloads: every output format registered in one place.

* JSON: the contract's object per report, and a list of them for all.
* CSV: one wide row per report (UTF-8 with BOM, so Excel shows Chinese).
* SQLite: the same wide table, plus one row per form row for tables 二, 三 and 四, the
  findings, the extra rows and the narrative: a file that sqlite3 and Datasette open
  as it is.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Callable
from typing import Any

import orjson

from giro_site.forms.spec import APPLICANT_KEYS, APPLICATION_ROWS, PROACTIVE_ROWS, REVIEW_GROUPS, REVIEW_OUTCOMES
from giro_site.site.model import Headline

TABLES = ("proactive", "applications", "review_litigation")
Pair = tuple[dict[str, Any], Headline]


def _proactive_cells() -> list[tuple[str, str, str]]:
    seen: list[tuple[str, str, str]] = []
    for form in ("2019", "2021"):
        for spec, columns in PROACTIVE_ROWS[form]:
            for column in columns:
                if ("proactive", spec.key, column) not in seen:
                    seen.append(("proactive", spec.key, column))
    return seen


CELLS: list[tuple[str, str, str]] = (
    _proactive_cells()
    + [("applications", row.key, col) for row in APPLICATION_ROWS for col in APPLICANT_KEYS]
    + [("review_litigation", g, o) for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES]
)
CELL_COLUMNS = [".".join(c) for c in CELLS]
META_COLUMNS = ["agency", "region", "year", "form", "source_file", "source_format", "sha256", "proactive_items",
                "quality", "errors", "warnings", "extra_rows"]
WIDE_COLUMNS = META_COLUMNS + CELL_COLUMNS


def wide_row(report: dict[str, Any], head: Headline) -> list[Any]:
    source = report["source"]
    meta = [report.get("agency"), report.get("region"), report.get("year"), report["form"], source["file"],
            source["format"], source["sha256"], report["metrics"]["proactive_items"]["value"], head.quality,
            head.errors, head.warnings, len(report["extra_rows"])]
    return meta + [report[t].get(r, {}).get(c) for t, r, c in CELLS]


def report_json(report: dict[str, Any]) -> bytes:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2)


def reports_json(pairs: list[Pair]) -> bytes:
    return orjson.dumps([report for report, _ in pairs])


def reports_csv(pairs: list[Pair]) -> bytes:
    """Blank cells are empty fields, never 0."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(WIDE_COLUMNS)
    writer.writerows([["" if v is None else v for v in wide_row(report, head)] for report, head in pairs])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


_APPLICANT_SQL = ", ".join(f'"{k}" REAL' for k in APPLICANT_KEYS)
_OUTCOME_SQL = ", ".join(f'"{k}" REAL' for k in REVIEW_OUTCOMES)
SCHEMA = f"""
CREATE TABLE reports (id INTEGER PRIMARY KEY, {", ".join(f'"{c}"' for c in WIDE_COLUMNS)});
CREATE TABLE proactive (report_id INTEGER REFERENCES reports(id), row TEXT, "column" TEXT, value REAL,
                        derived INTEGER);
CREATE TABLE applications (report_id INTEGER REFERENCES reports(id), row TEXT, {_APPLICANT_SQL},
                           derived TEXT);
CREATE TABLE review_litigation (report_id INTEGER REFERENCES reports(id), "group" TEXT, {_OUTCOME_SQL});
CREATE TABLE findings (report_id INTEGER REFERENCES reports(id), code TEXT, severity TEXT, "where" TEXT,
                       line INTEGER, message TEXT);
CREATE TABLE extra_rows (report_id INTEGER REFERENCES reports(id), "table" TEXT, parent TEXT, label TEXT,
                         "values" TEXT, raw TEXT, line INTEGER);
CREATE TABLE narrative (report_id INTEGER REFERENCES reports(id), section TEXT, text TEXT);
"""


def reports_sqlite(pairs: list[Pair]) -> bytes:
    """An SQLite database file as bytes (written to a temporary file: sqlite needs one)."""
    handle, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        _fill_sqlite(connection, pairs)
        connection.close()
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        os.unlink(path)


def _fill_sqlite(db: sqlite3.Connection, pairs: list[Pair]) -> None:
    db.executescript(SCHEMA)
    wide, proactive, applications, review, findings, extra, narrative = [], [], [], [], [], [], []
    for index, (report, head) in enumerate(pairs, start=1):
        wide.append((index, *wide_row(report, head)))
        derived = set(report.get("derived", ()))
        for row, columns in report["proactive"].items():
            proactive.extend((index, row, column, value, int(f"proactive.{row}.{column}" in derived))
                             for column, value in columns.items())
        for row, columns in report["applications"].items():
            marked = ",".join(c for c in APPLICANT_KEYS if f"applications.{row}.{c}" in derived) or None
            applications.append((index, row, *(columns[c] for c in APPLICANT_KEYS), marked))
        for group, columns in report["review_litigation"].items():
            review.append((index, group, *(columns[o] for o in REVIEW_OUTCOMES)))
        findings.extend((index, f["code"], f["severity"], f["where"], f.get("line"), f["message"])
                        for f in report["findings"])
        extra.extend((index, r["table"], r["parent"], r["label"], orjson.dumps(r["values"]).decode(),
                      orjson.dumps(r["raw"]).decode(), r.get("line")) for r in report["extra_rows"])
        narrative.extend((index, key, text) for key, text in report["narrative"].items() if text)
    marks = ", ".join("?" for _ in range(len(WIDE_COLUMNS) + 1))
    db.executemany(f"INSERT INTO reports VALUES ({marks})", wide)
    db.executemany("INSERT INTO proactive VALUES (?, ?, ?, ?, ?)", proactive)
    db.executemany(f"INSERT INTO applications VALUES (?, ?, {', '.join('?' for _ in APPLICANT_KEYS)}, ?)",
                   applications)
    db.executemany(f"INSERT INTO review_litigation VALUES (?, ?, {', '.join('?' for _ in REVIEW_OUTCOMES)})",
                   review)
    db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?)", findings)
    db.executemany("INSERT INTO extra_rows VALUES (?, ?, ?, ?, ?, ?, ?)", extra)
    db.executemany("INSERT INTO narrative VALUES (?, ?, ?)", narrative)
    for table in ("proactive", "applications", "review_litigation", "findings", "extra_rows", "narrative"):
        db.execute(f"CREATE INDEX {table}_report ON {table}(report_id)")
    db.commit()


# One registry: (file extension, what it is, renderer of all reports).
ALL_REPORT_RENDERERS: dict[str, tuple[str, Callable[[list[Pair]], bytes]]] = {
    "csv": ("CSV（每份报告一行，UTF-8 带 BOM，可直接用 Excel 打开）", reports_csv),
    "json": ("JSON（全部报告，结构同单份报告）", reports_json),
    "sqlite": ("SQLite 数据库（可用 sqlite3 或 Datasette 打开）", reports_sqlite),
}
ONE_REPORT_RENDERERS: dict[str, tuple[str, Callable[[Pair], bytes]]] = {
    "json": ("JSON", lambda pair: report_json(pair[0])),
    "csv": ("CSV", lambda pair: reports_csv([pair])),
}
