"""The data as downloads: every output format registered in one place.

* JSON: the contract's object per report, and a list of them for all.
* CSV: one wide row per report (UTF-8 with BOM, so Excel shows Chinese).
* SQLite: the wide table plus long tables of cells, findings and extra rows, a file
  that sqlite3 and Datasette open as it is.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from giro_site.forms.spec import APPLICANT_KEYS, APPLICATION_ROWS, PROACTIVE_ROWS, REVIEW_GROUPS, REVIEW_OUTCOMES
from giro_site.site.model import headline

TABLES = ("proactive", "applications", "review_litigation")


def _proactive_columns() -> list[str]:
    seen: list[str] = []
    for form in ("2019", "2021"):
        for spec, columns in PROACTIVE_ROWS[form]:
            for column in columns:
                key = f"proactive.{spec.key}.{column}"
                if key not in seen:
                    seen.append(key)
    return seen


CELL_COLUMNS: list[str] = (
    _proactive_columns()
    + [f"applications.{row.key}.{col}" for row in APPLICATION_ROWS for col in APPLICANT_KEYS]
    + [f"review_litigation.{g}.{o}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES]
)
META_COLUMNS = ["agency", "region", "year", "form", "source_file", "source_format", "sha256", "proactive_items",
                "quality", "errors", "warnings", "extra_rows"]
WIDE_COLUMNS = META_COLUMNS + CELL_COLUMNS


def cell(report: dict[str, Any], dotted: str) -> Any:
    table, row, column = dotted.split(".")
    return report[table].get(row, {}).get(column)


def wide_row(report: dict[str, Any]) -> list[Any]:
    head = headline(report)
    meta = [report.get("agency"), report.get("region"), report.get("year"), report["form"],
            report["source"]["file"], report["source"]["format"], report["source"]["sha256"],
            report["metrics"]["proactive_items"]["value"], head.quality, head.errors, head.warnings,
            len(report["extra_rows"])]
    return meta + [cell(report, column) for column in CELL_COLUMNS]


def report_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8")


def reports_json(reports: list[dict[str, Any]]) -> bytes:
    return json.dumps(reports, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reports_csv(reports: Iterable[dict[str, Any]]) -> bytes:
    """Blank cells are empty fields, never 0."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(WIDE_COLUMNS)
    for report in reports:
        writer.writerow(["" if v is None else v for v in wide_row(report)])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def reports_sqlite(reports: list[dict[str, Any]]) -> bytes:
    """An SQLite database file as bytes (written to a temporary file: sqlite needs one)."""
    handle, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        _fill_sqlite(connection, reports)
        connection.close()
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        os.unlink(path)


def _fill_sqlite(db: sqlite3.Connection, reports: list[dict[str, Any]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in ["id", *WIDE_COLUMNS])
    db.execute(f"CREATE TABLE reports ({quoted}, PRIMARY KEY (id))")
    db.execute("CREATE TABLE cells (report_id INTEGER REFERENCES reports(id), \"table\" TEXT, row TEXT, "
               "\"column\" TEXT, value REAL, derived INTEGER)")
    db.execute("CREATE TABLE findings (report_id INTEGER REFERENCES reports(id), code TEXT, severity TEXT, "
               "\"where\" TEXT, line INTEGER, message TEXT)")
    db.execute("CREATE TABLE extra_rows (report_id INTEGER REFERENCES reports(id), \"table\" TEXT, parent TEXT, "
               "label TEXT, \"values\" TEXT, raw TEXT, line INTEGER)")
    db.execute("CREATE TABLE narrative (report_id INTEGER REFERENCES reports(id), section TEXT, text TEXT)")
    marks = ", ".join("?" for _ in range(len(WIDE_COLUMNS) + 1))
    for index, report in enumerate(reports, start=1):
        db.execute(f"INSERT INTO reports VALUES ({marks})", [index, *wide_row(report)])
        derived = set(report.get("derived", []))
        db.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?)", [
            (index, table, row, column, value, int(f"{table}.{row}.{column}" in derived))
            for table in TABLES for row, columns in report[table].items() for column, value in columns.items()])
        db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?)", [
            (index, f["code"], f["severity"], f["where"], f.get("line"), f["message"]) for f in report["findings"]])
        db.executemany("INSERT INTO extra_rows VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (index, r["table"], r["parent"], r["label"], json.dumps(r["values"]),
             json.dumps(r["raw"], ensure_ascii=False), r.get("line")) for r in report["extra_rows"]])
        db.executemany("INSERT INTO narrative VALUES (?, ?, ?)",
                       [(index, key, text) for key, text in report["narrative"].items()])
    db.execute("CREATE INDEX cells_report ON cells(report_id)")
    db.execute("CREATE INDEX findings_code ON findings(code)")
    db.commit()


# One registry: (file extension, media description, renderer of all reports).
Renderer = Callable[[list[dict[str, Any]]], bytes]
ALL_REPORT_RENDERERS: dict[str, tuple[str, Renderer]] = {
    "csv": ("CSV（每份报告一行，UTF-8 带 BOM，可直接用 Excel 打开）", reports_csv),
    "json": ("JSON（全部报告，结构同单份报告）", reports_json),
    "sqlite": ("SQLite 数据库（可用 sqlite3 或 Datasette 打开）", reports_sqlite),
}
ONE_REPORT_RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "json": ("JSON", report_json),
    "csv": ("CSV", lambda report: reports_csv([report])),
}
