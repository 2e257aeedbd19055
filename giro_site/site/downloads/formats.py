"""The data as downloads: every format, its columns and its rows, registered in one place.
Every column comes from the data dictionary (``site.dictionary``). The files are split by
year (each stays far under a host's per-file limit at fifty thousand reports) and made and
kept up to date by ``site.aggregates``.

* CSV: one wide row per report, UTF-8 with BOM so Excel shows Chinese; the header is the
  stable keys (``year``, ``applications.new_received.total``), explained by the
  ``dictionary.csv`` zipped beside it. Text that a spreadsheet would run as a formula is
  neutralised; numbers are written as numbers.
* JSON: the list of the contract's objects of the year's reports, zipped.
* SQLite: a typed database (counts INTEGER, amounts REAL) with one table per row family,
  views that add the body, its region, level, year and page to every row, and the
  dictionary itself; zipped with Datasette's ``metadata.json``.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from giro_site.findings import CODES
from giro_site.site.downloads.dictionary import (
    DICTIONARY_COLUMNS,
    REPORT_FIELDS,
    TABLE_FIELDS,
    VIEW_COLUMNS,
    VIEWS,
    cells,
    datasette_metadata,
    entries,
    row_of,
    table_columns,
)
from giro_site.site.model import Headline

CELLS: list[tuple[str, str, str]] = [(c.sqlite_table, c.sqlite_row_key, c.sqlite_column) for c in cells()]
CELL_COLUMNS = [c.field for c in cells()]
META_COLUMNS = [key for key, *_ in REPORT_FIELDS]
WIDE_COLUMNS = META_COLUMNS + CELL_COLUMNS

# The registry of formats: (file suffix, what it is), one file of each per year.
YEAR_FORMATS: dict[str, str] = {
    "csv.zip": "CSV（每份报告一行，UTF-8 带 BOM，可直接用 Excel 打开；附数据字典；zip 压缩）",
    "json.zip": "JSON（每份报告一个对象，结构同机关数据文件；zip 压缩）",
    "sqlite.zip": "SQLite 数据库（附 Datasette 的 metadata.json 和数据字典；zip 压缩）",
}

def example_query(year: int) -> str:
    """The question a journalist asks first, answered from one year's database with the
    dictionary alone: the downloads page asks it of the newest year the site has a file of."""
    return f"""SELECT body, province, city, county, total AS applications
FROM applications_full
WHERE year = {year} AND row_key = 'new_received'
ORDER BY total DESC
LIMIT 10;"""


# The example as docs/data.md shows it (a test runs it).
EXAMPLE_QUERY = example_query(2020)

def derived_fields(head: Headline) -> dict[str, Any]:
    """The figures a journalist would otherwise work out by hand from table 三, with what they
    cover (``dictionary.REPORT_FIELDS``): the sums of the outcome groups the form gives no
    subtotal row for, each with whether every row was stated, and the share granted (only
    when every figure it needs is stated)."""
    approximate = None if head.items is None else int(head.items_approximate)
    fields: dict[str, Any] = {"proactive_items_approximate": approximate}
    for group in ("denied", "unable", "not_processed"):
        fields[f"{group}_total"] = head.outcomes[group]
        fields[f"{group}_complete"] = int(head.complete.get(group, False))
    fields["granted_share"] = head.granted_share
    fields["granted_share_complete"] = int(head.granted is not None and head.processed is not None)
    return fields


# --- CSV -------------------------------------------------------------------------------------

# Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A value for a CSV cell: text that would start a formula gets a leading apostrophe, as
    OWASP recommends; numbers (a negative 本年增/减 included) and blanks are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_rows(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[csv_text(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def csv_header() -> bytes:
    return b"\xef\xbb\xbf" + csv_rows([WIDE_COLUMNS])


def _cell_runs() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """``CELLS`` as runs of one row's columns (table, row key, columns), in their order."""
    runs: list[tuple[str, str, list[str]]] = []
    for table, row, column in CELLS:
        if runs and runs[-1][:2] == (table, row):
            runs[-1][2].append(column)
        else:
            runs.append((table, row, [column]))
    return tuple((table, row, tuple(columns)) for table, row, columns in runs)


_CELL_RUNS = _cell_runs()


def csv_line(fields: dict[str, Any], report: dict[str, Any]) -> bytes:
    """A report's line in the wide CSV; blank cells are empty fields, never 0.

    Made for tens of thousands of reports a build: each row's cells are read at C speed
    (``map`` of the row's ``get``), and only text is looked at for a formula's start (the
    csv module writes None as an empty field)."""
    values = [csv_text(v) if isinstance(v, str) else v for v in map(fields.__getitem__, META_COLUMNS)]
    figures: list[Any] = []  # (text in a table's cell is rare: looked at only when there is some)
    for table, row, columns in _CELL_RUNS:
        cells = report[table].get(row)
        figures.extend(map(cells.get, columns) if cells is not None else (None,) * len(columns))
    values += figures if str not in set(map(type, figures)) else [
        csv_text(v) if isinstance(v, str) else v for v in figures]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


@lru_cache(maxsize=1)
def dictionary_csv() -> bytes:
    """``data/dictionary.csv``: UTF-8 with BOM, one line per entry (made once a process: it
    goes into the site and into every database's zip)."""
    return b"\xef\xbb\xbf" + csv_rows([[key for key, _ in DICTIONARY_COLUMNS], *map(list, map(row_of, entries()))])


# --- SQLite ----------------------------------------------------------------------------------

ROW_TABLES = tuple(TABLE_FIELDS)  # proactive … finding_codes
SQLITE_TABLES = ("reports", *ROW_TABLES, "dictionary")
# Keys of each table besides report_id: the row's key, or its place in the report.
_KEYS = {"proactive": ("row_key",), "applications": ("row_key",), "review_litigation": ("row_key",),
         "findings": ("number",), "extra_rows": ("number",), "narrative": ("section",)}


def _columns_sql(table: str) -> str:
    link = " NOT NULL REFERENCES reports(id)"
    return ", ".join(f"{c.sqlite_column} {c.type}{link if c.sqlite_column == 'report_id' else ''}"
                     for c in table_columns(table))


def _schema() -> str:
    parts = [f"CREATE TABLE reports ({_columns_sql('reports').replace('id INTEGER', 'id INTEGER PRIMARY KEY', 1)});"]
    for table, keys in _KEYS.items():
        parts.append(f"CREATE TABLE {table} ({_columns_sql(table)}, "
                     f"PRIMARY KEY (report_id, {', '.join(keys)})) WITHOUT ROWID;")
    parts.append(f"CREATE TABLE finding_codes ({_columns_sql('finding_codes')}, PRIMARY KEY (code)) WITHOUT ROWID;")
    parts.append(f"CREATE TABLE dictionary ({', '.join(f'{k} TEXT' for k, _ in DICTIONARY_COLUMNS)}, "
                 "PRIMARY KEY (field)) WITHOUT ROWID;")
    shown = ", ".join(f"r.{c}" for c in VIEW_COLUMNS)
    for table in VIEWS:
        parts.append(f"CREATE VIEW {table}_full AS SELECT {shown}, t.* FROM {table} AS t "
                     "JOIN reports AS r ON r.id = t.report_id;")
    return "\n".join(parts)


SCHEMA = _schema()


def insert_rows(db: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """``rows`` (table → its rows) into ``db``."""
    for table, values in rows.items():
        if values:
            marks = ", ".join("?" for _ in values[0])
            db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)


def fixed_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The rows every database holds whatever its reports: the dictionary and the codes."""
    return {table: list(rows) for table, rows in _fixed_rows().items()}


@lru_cache(maxsize=1)
def _fixed_rows() -> dict[str, tuple[tuple[Any, ...], ...]]:
    """(made once a process: a build writes a database for each year and one for all)"""
    return {"dictionary": tuple(row_of(c) for c in entries()),
            "finding_codes": tuple((c.code, c.severity, c.title, c.explanation) for c in CODES)}


def _derived_by_row(derived: Iterable[str]) -> dict[str, set[str]]:
    """A report's derived cells ("applications.<row>.<column>") as each row's ("applications.<row>")
    columns: a row is then looked up once, not each of its cells (a column has no dot)."""
    by_row: dict[str, set[str]] = {}
    for path in derived:
        row, _, column = path.rpartition(".")
        by_row.setdefault(row, set()).add(column)
    return by_row


def _derived(by_row: dict[str, set[str]], prefix: str, columns: list[str]) -> str | None:
    """The row's derived columns, in the table's order, comma-separated; None when none is."""
    found = by_row.get(prefix)
    if found is None:  # most rows: nothing worked out
        return None
    return ",".join(c for c in columns if c in found) or None


_PROACTIVE = [c.sqlite_column for c in table_columns("proactive")][2:-1]
_APPLICANTS = [c.sqlite_column for c in table_columns("applications")][2:-1]
_OUTCOMES = [c.sqlite_column for c in table_columns("review_litigation")][2:]


def sqlite_rows(report: dict[str, Any], fields: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of one report in every table of the SQLite download."""
    rid = fields["id"]
    derived = _derived_by_row(report.get("derived", ()))
    return {
        "reports": [tuple(fields[key] for key in META_COLUMNS)],
        "proactive": [(rid, row, *map(cells.get, _PROACTIVE),
                       _derived(derived, f"proactive.{row}", _PROACTIVE))
                      for row, cells in report["proactive"].items()],
        "applications": [(rid, row, *map(cells.get, _APPLICANTS),
                          _derived(derived, f"applications.{row}", _APPLICANTS))
                         for row, cells in report["applications"].items()],
        "review_litigation": [(rid, group, *map(cells.get, _OUTCOMES))
                              for group, cells in report["review_litigation"].items()],
        "findings": [(rid, number, f["code"], f["severity"], f["where"], f.get("line"), f.get("page"), f["message"])
                     for number, f in enumerate(report["findings"], start=1)],
        "extra_rows": [(rid, number, r["table"], r["parent"], r["label"], orjson.dumps(r["values"]).decode(),
                        orjson.dumps(r["raw"]).decode(), r.get("line"), r.get("page"))
                       for number, r in enumerate(report["extra_rows"], start=1)],
        "narrative": [(rid, key, text) for key, text in report["narrative"].items() if text],
    }


def database_companions(name: str, site: dict[str, str], heading: str) -> list[tuple[str, bytes]]:
    """The members beside a database in its zip (yearly and all-years): Datasette's metadata,
    the dictionary and the README (``heading``: what the database holds)."""
    metadata = orjson.dumps(datasette_metadata([name], site["title"], site["source_url"]), option=orjson.OPT_INDENT_2)
    return [("metadata.json", metadata), ("dictionary.csv", dictionary_csv()),
            ("README.txt", database_readme(name, site["title"], heading))]


def database_readme(name: str, title: str, heading: str) -> bytes:
    """README.txt of a database's zip (yearly and all-years): what each file is, how to open
    it, and that a blank is NULL, not 0. UTF-8 with a BOM and CRLF, for Windows' Notepad."""
    text = (f"{title}：{heading}\r\n\r\n"
            f"{name}.sqlite   数据库（用 sqlite3、DB Browser for SQLite 或 Datasette 打开）\r\n"
            "metadata.json      Datasette 的说明文件：每张表、每一列的含义和单位\r\n"
            "dictionary.csv     数据字典（数据库中的 dictionary 表与之相同）\r\n\r\n"
            f"用 Datasette 浏览：datasette {name}.sqlite -m metadata.json\r\n"
            "空白单元格为空值（NULL），不等于0。各表以 report_id 对应 reports 表的 id；"
            "以 _full 结尾的视图给每一行加上机关、地区、层级、年度和页面地址。\r\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


# --- a database laid out the same way for the same rows ------------------------------------

def canonical_header(header: bytes) -> bytes:
    """Fix the header's counters, which count how often a file was written, not what it holds:
    the file change counter and its copy (bytes 24 and 92, which must agree) and the schema
    cookie (byte 40). Then the same rows give the same bytes however the file was made."""
    one = (1).to_bytes(4, "big")
    fixed = bytearray(header[:100])
    fixed[24:28] = fixed[92:96] = fixed[40:44] = one
    return bytes(fixed)


def write_out(db: sqlite3.Connection, final: Path) -> None:
    """``db`` laid out into ``final`` by VACUUM INTO, its header's counters fixed
    (``canonical_header``): the same rows give the same bytes, however they were made."""
    final.unlink(missing_ok=True)
    db.execute("VACUUM INTO ?", (str(final),))
    with open(final, "r+b") as stream:
        header = canonical_header(stream.read(100))
        stream.seek(0)
        stream.write(header)
