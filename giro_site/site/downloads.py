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
from functools import cache
from typing import Any

import orjson

from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_KEYS,
    APPLICATION_ROWS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
)
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
    return orjson.dumps(report)


def report_csv(report: dict[str, Any]) -> bytes:
    """One report as a long table a person can read in Excel: one line per cell of its form,
    with the form's own labels; a blank cell is an empty field, never 0."""
    derived = set(report.get("derived", ()))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["表", "行", "列", "数值", "说明", "字段"])
    for table, row, column, labels in _labelled_cells(report["form"]):
        value = report[table].get(row, {}).get(column)
        path = f"{table}.{row}.{column}"
        writer.writerow([*labels, "" if value is None else value, "合计得出" if path in derived else "", path])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


@cache
def _labelled_cells(form: str) -> list[tuple[str, str, str, tuple[str, str, str]]]:
    from giro_site.site.tables import layouts

    cells = []
    for layout in layouts(form):
        table_label = layout.caption.split("、", 1)[0]
        column_labels = _column_labels(layout.id, form)
        for row in layout.rows:
            if not row.paths:
                continue
            row_label = row.labels[-1].text if row.labels else "复议诉讼"
            for (table, row_key, column), _ in zip(row.parts, row.paths, strict=True):
                cells.append((table, row_key, column, (table_label, row_label, column_labels[(row_key, column)])))
    return cells


def _column_labels(table: str, form: str) -> dict[tuple[str, str], str]:
    if table == "proactive":
        names = {c.key: c.label for c in PROACTIVE_COLUMNS[form]}
        return {(spec.key, c): names[c] for spec, columns in PROACTIVE_ROWS[form] for c in columns}
    if table == "applications":
        return {(row.key, leaf.key): leaf.label for row in APPLICATION_ROWS for _, leaf in APPLICANT_COLUMNS.leaves()}
    groups = {"review": "行政复议", "litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
    outcomes = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                "total": "总计"}
    return {(g, o): f"{groups[g]}·{outcomes[o]}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES}


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
ONE_REPORT_RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "json": ("JSON", report_json),
    "csv": ("CSV", report_csv),
}
