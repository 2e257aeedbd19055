"""The data as downloads: every output format registered in one place.

* JSON: the list of the contract's objects of all reports.
* CSV: one wide row per report (UTF-8 with BOM, so Excel shows Chinese).
* SQLite: the same wide table, plus one row per form row for tables 二, 三 and 四, the
  findings, the extra rows and the narrative: a file that sqlite3 and Datasette open
  as it is.
"""

from __future__ import annotations

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


_APPLICANT_SQL = ", ".join(f'"{k}" REAL' for k in APPLICANT_KEYS)
_OUTCOME_SQL = ", ".join(f'"{k}" REAL' for k in REVIEW_OUTCOMES)
# Every table has an explicit row id made from the report's stable id, so the file is the
# same whatever order rows were written in (a rebuild replaces only changed reports' rows).
SQLITE_TABLES = ("reports", "proactive", "applications", "review_litigation", "findings", "extra_rows", "narrative")
SCHEMA = f"""
CREATE TABLE reports (id INTEGER PRIMARY KEY, {", ".join(f'"{c}"' for c in META_COLUMNS)});
CREATE TABLE proactive (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), row TEXT,
                        "column" TEXT, value REAL, derived INTEGER);
CREATE TABLE applications (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), row TEXT,
                           {_APPLICANT_SQL}, derived TEXT);
CREATE TABLE review_litigation (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), "group" TEXT,
                                {_OUTCOME_SQL});
CREATE TABLE findings (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), code TEXT, severity TEXT,
                       "where" TEXT, line INTEGER, message TEXT);
CREATE TABLE extra_rows (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), "table" TEXT,
                         parent TEXT, label TEXT, "values" TEXT, raw TEXT, line INTEGER);
CREATE TABLE narrative (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), section TEXT, text TEXT);
CREATE INDEX proactive_report ON proactive(report_id);
CREATE INDEX applications_report ON applications(report_id);
CREATE INDEX review_litigation_report ON review_litigation(report_id);
CREATE INDEX findings_report ON findings(report_id);
CREATE INDEX extra_rows_report ON extra_rows(report_id);
CREATE INDEX narrative_report ON narrative(report_id);
"""
ROWS_PER_REPORT = 1 << 11  # row ids: report id × 2048 + the row's place in the report


def sqlite_rows(report_id: int, report: dict[str, Any], meta: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of one report in every table of the SQLite download."""
    derived = set(report.get("derived", ()))
    rows: dict[str, list[tuple[Any, ...]]] = {
        "reports": [(report_id, *meta)],
        "proactive": [(row, column, value, int(f"proactive.{row}.{column}" in derived))
                      for row, columns in report["proactive"].items() for column, value in columns.items()],
        "applications": [(row, *(columns[c] for c in APPLICANT_KEYS),
                          ",".join(c for c in APPLICANT_KEYS if f"applications.{row}.{c}" in derived) or None)
                         for row, columns in report["applications"].items()],
        "review_litigation": [(group, *(columns[o] for o in REVIEW_OUTCOMES))
                              for group, columns in report["review_litigation"].items()],
        "findings": [(f["code"], f["severity"], f["where"], f.get("line"), f["message"]) for f in report["findings"]],
        "extra_rows": [(r["table"], r["parent"], r["label"], orjson.dumps(r["values"]).decode(),
                        orjson.dumps(r["raw"]).decode(), r.get("line")) for r in report["extra_rows"]],
        "narrative": [(key, text) for key, text in report["narrative"].items() if text],
    }
    base = report_id * ROWS_PER_REPORT
    for table in SQLITE_TABLES[1:]:
        rows[table] = [(base + place, report_id, *row) for place, row in enumerate(rows[table][:ROWS_PER_REPORT])]
    return rows


# The registry of formats, in one place: the files of all reports (made by
# ``site.aggregates``, which keeps them up to date cheaply).
ALL_REPORT_FORMATS: dict[str, str] = {
    "csv": "CSV（每份报告一行，UTF-8 带 BOM，可直接用 Excel 打开）",
    "json": "JSON（全部报告，结构同单份报告）",
    "sqlite": "SQLite 数据库（可用 sqlite3 或 Datasette 打开）",
}
