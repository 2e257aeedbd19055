"""The downloads a journalist reads: one set of files per year, every column in the data
dictionary, a typed SQLite database with readable names, a CSV that no spreadsheet runs as
formulas, and Datasette explaining the database from the shipped metadata."""

from __future__ import annotations

import _sqlite3
import asyncio
import csv
import ctypes
import io
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report, render_text
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.downloads import dictionary
from giro_site.site.downloads import formats as downloads
from giro_site.site.downloads.aggregates import stable_id
from giro_site.site.downloads.formats import EXAMPLE_QUERY, WIDE_COLUMNS, csv_text
from tests.conftest import ROOT
from tests.sitecheck import broken_links, published_reports

DATE = "2026-01-02"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds (2020) plus reports of 2021 and 2022, one of them with a name a spreadsheet
    would run as a formula."""
    content = tmp_path_factory.mktemp("downloads") / "content"
    shutil.copytree(ROOT / "content", content)
    rng = random.Random(11)
    more_2020 = [(2020, f"{place}街道", "临江市高新区") for place in "东西南北中上下前后左右"]
    for year, name, region in ((2021, "高岭镇人民政府", "密云区"), (2021, "=HYPERLINK(1)街道", None),
                               (2022, "岑港街道", None), *more_2020):
        report = random_report(rng, name, region, year, blanks=True)
        folder = content / "reports" / str(year)
        folder.mkdir(exist_ok=True)
        (folder / f"{year}-{len(list(folder.iterdir()))}.txt").write_text(render_text(report), encoding="utf-8")
    out = content.parent / "public"
    build_site(BuildOptions(content=content, out=out, build_date=DATE))
    return out


def unzip(path: Path, folder: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def db_2020(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzip(site / "data" / "reports-2020.sqlite.zip", tmp_path_factory.mktemp("db")) / "reports-2020.sqlite"


def csv_rows(path: Path, member: str = "") -> list[dict[str, str]]:
    """The rows of a CSV file, or of a CSV ``member`` of the zip file ``path``."""
    if member:
        with zipfile.ZipFile(path) as archive:
            raw = archive.read(member)
    else:
        raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def year_csv(site: Path, year: int) -> list[dict[str, str]]:
    return csv_rows(site / "data" / f"reports-{year}.csv.zip", f"reports-{year}.csv")


def test_one_set_of_files_per_year(site: Path) -> None:
    names = sorted(p.name for p in (site / "data").glob("reports-*"))
    yearly = [f"reports-{y}.{fmt}" for y in (2020, 2021, 2022) for fmt in ("csv.zip", "json.zip", "sqlite.zip")]
    assert names == [*yearly, "reports-all.csv.zip", "reports-all.sqlite.zip"]
    by_year = {}
    for report in published_reports(site):
        by_year.setdefault(report["year"], []).append(report["agency"])
    assert sorted(by_year) == [2020, 2021, 2022] and len(by_year[2020]) == 16 and len(by_year[2021]) == 2
    downloads = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'/data/{name}"' in downloads
    assert "/data/dictionary.csv" in downloads and "/data/metadata.json" in downloads
    assert "applications_full" in downloads


def test_the_csv_keeps_stable_keys_and_adds_the_page_and_region(site: Path) -> None:
    rows = year_csv(site, 2020)
    assert list(rows[0]) == WIDE_COLUMNS
    beside = csv_rows(site / "data" / "reports-2020.csv.zip", "dictionary.csv")
    assert beside == csv_rows(site / "data" / "dictionary.csv")
    assert "applications.new_received.total" in rows[0] and "proactive.procurement.amount_wan_yuan" in rows[0]
    cengang = next(r for r in rows if r["agency"] == "岑港街道")
    assert cengang["proactive.procurement.amount_wan_yuan"] == "373.9265"
    assert (cengang["province"], cengang["city"], cengang["county"]) == ("浙江省", "舟山市", "定海区")
    assert cengang["page_url"].startswith("/agency/") and (site / cengang["page_url"].lstrip("/")).is_file()
    assert next(r for r in rows if r["agency"] == "岭子镇")["proactive.regulations.new_made"] == ""  # blank, not 0


def test_csv_cells_that_would_run_as_formulas_are_neutralised_but_numbers_are_not(site: Path) -> None:
    assert [csv_text(v) for v in ("=1+1", "+86", "-x", "@SUM(A1)", "\tx", "\rx", "ok", -3, -2.5, None)] == \
        ["'=1+1", "'+86", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "ok", -3, -2.5, ""]
    rows = year_csv(site, 2021)
    hostile = next(r for r in rows if "HYPERLINK" in r["agency"])
    assert hostile["agency"] == "'=HYPERLINK(1)街道" and hostile["body"].startswith("'=")
    changes = [r[key] for r in year_csv(site, 2020) for key in r if key.endswith(".change")]
    assert any(v.startswith("-") and v[1:].isdigit() for v in changes)  # 本年增/减 may be negative: kept a number
    assert not any(v.startswith("'") for v in changes)


def test_every_csv_and_sqlite_column_is_in_the_dictionary(site: Path, db_2020: Path) -> None:
    keys = {c.field for c in dictionary.entries()}
    for year in (2020, 2021, 2022):
        assert set(year_csv(site, year)[0]) <= keys
    db = sqlite3.connect(db_2020)
    described = {(c.sqlite_table, c.sqlite_column) for c in dictionary.entries()}
    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert sorted(tables) == sorted(["reports", *dictionary.TABLE_FIELDS, "dictionary"])
    for table in tables:
        for column in [row[1] for row in db.execute(f"PRAGMA table_info({table})")]:
            assert table == "dictionary" or (table, column) in described, (table, column)
    # the dictionary inside the database is the published one, row for row
    published = csv_rows(site / "data" / "dictionary.csv")
    inside = db.execute("SELECT * FROM dictionary").fetchall()
    assert sorted(inside) == sorted(tuple(row.values()) for row in published)
    assert len(published) == len(keys) > 250


def test_the_dictionary_names_each_cell_as_the_form_does(site: Path) -> None:
    entries = {row["field"]: row for row in csv_rows(site / "data" / "dictionary.csv")}
    new = entries["applications.new_received.total"]
    assert (new["form_table"], new["form_row"], new["form_column"], new["unit"], new["forms"], new["type"]) == (
        "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量", "申请人情况 总计", "件", "2019、2021",
        "INTEGER")
    assert (new["sqlite_table"], new["sqlite_row_key"], new["sqlite_column"]) == ("applications", "new_received",
                                                                                   "total")
    secret = entries["applications.denied_state_secret.commercial"]
    assert secret["form_row"] == "三、本年度办理结果 （三）不予公开 1.属于国家秘密"
    assert secret["form_column"] == "申请人情况 法人或其他组织 商业企业"
    fees = entries["proactive.fees.amount_wan_yuan"]
    assert (fees["unit"], fees["forms"], fees["type"]) == ("万元", "2021", "REAL")
    assert entries["proactive.procurement.amount_wan_yuan"]["form_row"] == "第二十条第（九）项 政府集中采购"
    assert entries["review_litigation.litigation_direct.corrected"]["form_row"] == "行政诉讼 未经复议直接起诉"
    page = (site / "dictionary" / "index.html").read_text(encoding="utf-8")
    assert "applications.new_received.total" in page and "1.属于国家秘密" in page


def sqlite_keywords() -> set[str]:
    """SQLite's own list of keywords, asked of the library Python uses."""
    library = ctypes.CDLL(_sqlite3.__file__)
    library.sqlite3_keyword_name.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                                             ctypes.POINTER(ctypes.c_int)]
    words = set()
    for index in range(library.sqlite3_keyword_count()):
        name, length = ctypes.c_void_p(), ctypes.c_int()
        library.sqlite3_keyword_name(index, ctypes.byref(name), ctypes.byref(length))
        words.add(ctypes.string_at(name.value, length.value).decode("ascii").lower())
    return words


def test_sqlite_names_are_no_keywords_and_every_column_is_typed(db_2020: Path) -> None:
    keywords = sqlite_keywords()
    assert {"row", "group", "where", "values", "table", "column"} <= keywords  # the list is the real one
    db = sqlite3.connect(db_2020)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall():
        assert name.lower() not in keywords, name
        for _, column, kind, *_ in db.execute(f"PRAGMA table_info({name})"):
            assert column.lower() not in keywords, (name, column)
            assert kind in {"INTEGER", "REAL", "TEXT"}, (name, column, kind)


def test_sqlite_counts_are_integers_and_amounts_real(db_2020: Path) -> None:
    db = sqlite3.connect(db_2020)
    assert {t for (t,) in db.execute("SELECT DISTINCT typeof(total) FROM applications")} <= {"integer", "null"}
    assert {t for (t,) in db.execute("SELECT DISTINCT typeof(upheld) FROM review_litigation")} <= {"integer", "null"}
    assert db.execute("SELECT count(*) FROM applications WHERE typeof(total) = 'integer'").fetchone()[0] > 100
    amount = db.execute("SELECT amount_wan_yuan, typeof(amount_wan_yuan) FROM proactive_full "
                        "WHERE body = '岑港街道' AND row_key = 'procurement'").fetchone()
    assert amount == (373.9265, "real")
    blank = db.execute("SELECT new_made, new_published, total_published FROM proactive JOIN reports "
                       "ON reports.id = proactive.report_id WHERE agency = '岭子镇' AND row_key = 'regulations'")
    assert blank.fetchone() == (None, None, None)
    assert db.execute("SELECT count(*) FROM proactive WHERE derived IS NOT NULL").fetchone() == (1,)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_every_row_family_shows_body_region_level_year_and_page(db_2020: Path) -> None:
    db = sqlite3.connect(db_2020)
    for view in dictionary.VIEWS:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({view}_full)")]
        assert columns[:len(dictionary.VIEW_COLUMNS)] == list(dictionary.VIEW_COLUMNS)
        assert "report_id" in columns
    row = db.execute("SELECT body, province, city, county, level, year, page_url FROM findings_full "
                     "WHERE body = '鹿乡镇人民政府'").fetchone()
    assert row is not None and row[1:5] == ("吉林省", "长春市", "双阳区", "乡镇街道") and row[5] == 2020
    assert row[6].startswith("/agency/") and row[6].endswith("/2020.html")


def test_the_journalists_question_in_one_query(db_2020: Path, site: Path) -> None:
    """Which ten bodies received the most applications in 2020, and where are they."""
    db = sqlite3.connect(db_2020)
    answer = db.execute(EXAMPLE_QUERY).fetchall()
    totals = {r["agency"]: r["applications"]["new_received"]["total"] for r in published_reports(site)
              if r["year"] == 2020}
    ranked = sorted(totals, key=lambda name: -(totals[name] or -1))[:10]
    assert len(totals) == 16 and len(answer) == 10
    assert [row[4] for row in answer] == [totals[name] for name in ranked] and answer[0][4] > answer[-1][4]
    assert all(totals[row[0]] == row[4] for row in answer)  # each body with its own figure (names are unique)
    documented = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert EXAMPLE_QUERY in documented


def test_datasette_opens_the_database_with_the_shipped_metadata(db_2020: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    folder = db_2020.parent
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert (folder / "dictionary.csv").is_file() and "datasette" in (folder / "README.txt").read_text("utf-8-sig")

    async def visit() -> tuple[Any, ...]:
        ds = datasette_app.Datasette([str(db_2020)], metadata=metadata)
        await ds.invoke_startup()
        table = await ds.client.get("/reports-2020/applications")
        rows = await ds.client.get("/reports-2020/applications_full.json?_shape=array&row_key=new_received")
        query = await ds.client.get("/reports-2020.json", params={"sql": EXAMPLE_QUERY, "_shape": "array"})
        return table, rows, query

    # In a thread of its own: the browser tests' Playwright session keeps an event loop running
    # in this one for the whole test session.
    visited: list[tuple[Any, ...]] = []
    thread = threading.Thread(target=lambda: visited.append(asyncio.run(visit())))
    thread.start()
    thread.join()
    table, rows, query = visited[0]
    assert table.status_code == 200
    assert dictionary.TABLE_FIELDS["applications"][0][:10] in table.text  # the table's description
    assert "申请人情况 自然人（单位：件）" in table.text  # a column's description, with its unit
    assert rows.status_code == 200 and len(rows.json()) == 16
    assert {"body", "province", "level", "year", "page_url"} <= set(rows.json()[0])
    assert query.status_code == 200 and [r["applications"] for r in query.json()] == \
        [row[4] for row in sqlite3.connect(db_2020).execute(EXAMPLE_QUERY)]


def test_a_pdf_findings_page_and_line_on_that_page_reach_sqlite() -> None:
    """A PDF report's finding carries its page, and ``line`` is then the line on that page:
    both are columns of ``findings`` (and of ``extra_rows``), described in the dictionary."""
    db = sqlite3.connect(":memory:")
    db.executescript(downloads.SCHEMA)
    fields = {key: None for key in downloads.META_COLUMNS} | {"id": 7, "year": 2020}
    report = {"proactive": {}, "applications": {}, "review_litigation": {}, "narrative": {},
              "findings": [{"code": "SUM_MISMATCH", "severity": "error", "where": "applications.granted",
                            "line": 12, "page": 3, "message": "合计不符"},
                           {"code": "UNIT_ASSUMED", "severity": "warning", "where": "proactive.fees",
                            "line": 40, "message": "单位"}],
              "extra_rows": [{"table": "applications", "parent": None, "label": "其他", "values": [1, None],
                              "raw": ["1", ""], "line": 5, "page": 2}]}
    for table, values in downloads.sqlite_rows(report, fields).items():
        if values:
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in values[0])})", values)
    assert db.execute("SELECT number, page, line FROM findings ORDER BY number").fetchall() == [(1, 3, 12),
                                                                                               (2, None, 40)]
    assert db.execute("SELECT page, line FROM extra_rows").fetchall() == [(2, 5)]
    described = {c.field: c for c in dictionary.entries()}
    assert described["findings.page"].type == described["extra_rows.page"].type == "INTEGER"
    assert "该页" in described["findings.line"].description


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_rows_derived_columns_are_those_its_report_marks(data: st.DataObject) -> None:
    """``derived`` names each worked-out cell ("applications.<row>.<column>"): a row's
    ``derived`` column lists its own, in the table's order, and no other row's (rows whose
    keys share a beginning or hold a dot included)."""
    rows = data.draw(st.lists(st.sampled_from(["a", "a.b", "ab", "b", "total", "natural_person"]), unique=True))
    tables = {"proactive": downloads._PROACTIVE, "applications": downloads._APPLICANTS}
    cells = [f"{table}.{row}.{column}" for table, columns in tables.items() for row in rows for column in columns]
    derived = data.draw(st.lists(st.sampled_from(cells) if cells else st.nothing(), unique=True))
    report = {"proactive": {row: {} for row in rows}, "applications": {row: {} for row in rows},
              "review_litigation": {}, "findings": [], "extra_rows": [], "narrative": {}, "derived": derived}
    made = downloads.sqlite_rows(report, {key: None for key in downloads.META_COLUMNS} | {"id": 1})
    for table, columns in tables.items():
        assert not any("." in column for column in columns)
        for values in made[table]:
            row = values[1]
            marked = [c for c in columns if f"{table}.{row}.{c}" in derived]
            assert values[-1] == (",".join(marked) or None)


def test_without_published_originals_pages_link_to_the_source_url(site: Path, tmp_path: Path) -> None:
    """``publish_originals = false``: no copy of a report under source/, the page links to the
    body's own page (agencies.toml's ``source_url``) or says the original is not here; the
    downloads say the same; report ids do not change with the settings; the build prints the
    site's size."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    settings = content / "site.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\npublish_originals = false\n", encoding="utf-8")
    agencies = content / "agencies.toml"
    text = agencies.read_text(encoding="utf-8")
    marker = 'region = "吉林省长春市双阳区"\n'
    assert marker in text
    agencies.write_text(text.replace(marker, marker + 'source_url = "https://www.shuangyang.gov.cn/xxgk/"\n', 1),
                        encoding="utf-8")
    out = tmp_path / "public"
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--out",
                             str(out), "--build-date", DATE], capture_output=True, text=True, encoding="utf-8",
                            timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"网站共 [\d.,]+ MB，[\d,]+ 个文件", result.stdout), result.stdout
    assert not (out / "source").exists()
    rows = {r["agency"]: r for r in year_csv(out, 2020)}
    luxiang = next(r for name, r in rows.items() if "鹿乡镇" in name)
    assert luxiang["source_url"] == "https://www.shuangyang.gov.cn/xxgk/"
    page = (out / luxiang["page_url"].lstrip("/")).read_text(encoding="utf-8")
    assert '原始报告：<a href="https://www.shuangyang.gov.cn/xxgk/" rel="noopener">机关发布页面</a>' in page
    assert "/source/" not in page
    other = next(r for name, r in rows.items() if "鹿乡镇" not in name)
    assert other["source_url"] == ""
    assert "原始文件未在本站发布" in (out / other["page_url"].lstrip("/")).read_text(encoding="utf-8")
    # the same reports keep their ids whatever the settings (stable_id of their file)
    before = {r["source_file"]: r["id"] for r in year_csv(site, 2020)}
    assert {r["source_file"]: r["id"] for r in rows.values()}.items() <= before.items()


# --- every year in one file; figures worked out; the page's example and Datasette's link ----------


def _tables(db: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in downloads.SQLITE_TABLES}


def test_the_all_years_files_hold_every_years_rows(site: Path, tmp_path: Path) -> None:
    """reports-all.csv is the yearly CSVs' rows under one header; reports-all.sqlite holds
    every yearly database's rows (the dictionary and the codes once), with ``year``."""
    years = (2020, 2021, 2022)
    every = csv_rows(site / "data" / "reports-all.csv.zip", "reports-all.csv")
    assert every == [row for year in years for row in year_csv(site, year)]
    beside = csv_rows(site / "data" / "reports-all.csv.zip", "dictionary.csv")
    assert beside == csv_rows(site / "data" / "dictionary.csv")
    whole = sqlite3.connect(unzip(site / "data" / "reports-all.sqlite.zip", tmp_path / "all") / "reports-all.sqlite")
    merged: dict[str, list[tuple[Any, ...]]] = {}
    for year in years:
        db = sqlite3.connect(unzip(site / "data" / f"reports-{year}.sqlite.zip", tmp_path / str(year))
                             / f"reports-{year}.sqlite")
        for table, rows in _tables(db).items():
            if table in ("dictionary", "finding_codes"):
                merged[table] = rows
            else:
                merged.setdefault(table, []).extend(rows)
    assert _tables(whole) == {table: sorted(rows, key=repr) for table, rows in merged.items()}
    assert [r[0] for r in whole.execute("SELECT DISTINCT year FROM reports ORDER BY year")] == list(years)
    folder = tmp_path / "all"
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert list(metadata["databases"]) == ["reports-all"] and "reports-all.sqlite" in \
        (folder / "README.txt").read_text("utf-8-sig")
    page = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert '/data/reports-all.csv.zip"' in page and '/data/reports-all.sqlite.zip"' in page
    assert "reports-all" in json.loads((site / "data" / "metadata.json").read_text(encoding="utf-8"))["databases"]


def test_past_the_limit_the_all_years_database_is_one_file_per_province(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from giro_site.site.downloads import allyears

    monkeypatch.setattr(allyears, "SPLIT_LIMIT", 1)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    rng = random.Random(3)
    for index, (name, region) in enumerate((("高岭镇人民政府", "北京市密云区"), ("某某街道", None))):
        path = content / "reports" / "2021" / f"{index}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(render_text(random_report(rng, name, region, 2021)), encoding="utf-8")
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, build_date=DATE))
    parts = sorted(p.name for p in (out / "data").glob("reports-all*"))
    assert parts == ["reports-all-11.sqlite.zip", "reports-all-22.sqlite.zip", "reports-all-33.sqlite.zip",
                     "reports-all-37.sqlite.zip", "reports-all-other.sqlite.zip", "reports-all.csv.zip"]
    ids: list[int] = []
    for part in parts[:-1]:
        name = part.removesuffix(".sqlite.zip")
        db = sqlite3.connect(unzip(out / "data" / part, tmp_path / name) / f"{name}.sqlite")
        codes = {row[0] for row in db.execute("SELECT substr(region_code, 1, 2) FROM reports")}
        assert codes == ({None} if name.endswith("other") else {name[-2:]})
        ids += [row[0] for row in db.execute("SELECT id FROM reports")]
        assert db.execute("SELECT count(*) FROM dictionary").fetchone()[0] > 100
    assert sorted(ids) == sorted(int(r["id"]) for r in csv_rows(out / "data" / "reports-all.csv.zip",
                                                                "reports-all.csv"))
    page = (out / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "北京市的机关" in page and "地区不详的机关" in page and "按机关所在的省级行政区分为几个文件" in page
    assert not broken_links(out, "/")


def test_group_totals_and_the_share_granted_say_whether_every_part_was_stated(site: Path) -> None:
    """（三）（四）（五） summed from their rows (no subtotal rows in the form) and the share
    granted, each with a flag: 1 only when every figure it is made of is stated."""
    groups = {"denied": 8, "unable": 3, "not_processed": 5}
    seen = {0: 0, 1: 0}
    reports = {str(stable_id(r["source"]["file"])): r for r in published_reports(site)}
    for row in csv_rows(site / "data" / "reports-all.csv.zip", "reports-all.csv"):
        apps = reports[row["id"]]["applications"]
        for group, count in groups.items():
            rows = [key for key in apps if key.startswith(f"{group}_")]
            assert len(rows) == count
            stated = [apps[key]["total"] for key in rows if apps[key]["total"] is not None]
            assert row[f"{group}_total"] == (str(sum(stated)) if stated else "")
            assert row[f"{group}_complete"] == str(int(len(stated) == count))
            seen[len(stated) == count] += 1
        parts = [apps["granted"]["total"], apps["partially_granted"]["total"], apps["total_processed"]["total"]]
        complete = all(v is not None for v in parts)
        assert row["granted_share_complete"] == str(int(complete))
        share = round((parts[0] + parts[1]) / parts[2], 4) if complete and parts[2] else None  # type: ignore[operator]
        assert row["granted_share"] == ("" if share is None else str(share))
    assert seen[0] and seen[1]  # the corpus has groups with and without blank rows
    described = {c.field for c in dictionary.entries()}
    assert {f"{g}_{x}" for g in groups for x in ("total", "complete")} | {"granted_share", "granted_share_complete",
                                                                         "proactive_items_approximate"} <= described


def test_the_example_query_is_of_a_year_the_site_has_a_file_of(site: Path, tmp_path: Path) -> None:
    page = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    query = re.search(r"<pre><code>(.*?)</code></pre>", page, re.S).group(1)  # type: ignore[union-attr]
    query = query.replace("&#39;", "'").replace("&gt;", ">").replace("&lt;", "<")
    assert "year = 2022" in query and "datasette reports-2022.sqlite" in page
    db = sqlite3.connect(unzip(site / "data" / "reports-2022.sqlite.zip", tmp_path) / "reports-2022.sqlite")
    assert db.execute(query).fetchall()  # the newest year's file answers it


def test_without_site_url_datasette_gets_no_broken_link_and_the_page_says_why(site: Path, tmp_path: Path) -> None:
    metadata = json.loads((site / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert "source_url" not in metadata
    page = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "本站没有设置网站地址" in page and "site_url" in page
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    settings = content / "site.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('site_url = ""',
                                                                     'site_url = "https://example.org"'),
                        encoding="utf-8")
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, base_url="/giro/", build_date=DATE))
    metadata = json.loads((out / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["source_url"] == "https://example.org/giro/downloads/"
    inner = json.loads(zipfile.ZipFile(out / "data" / "reports-2020.sqlite.zip").read("metadata.json"))
    assert inner["source_url"] == "https://example.org/giro/downloads/"
    assert "本站没有设置网站地址" not in (out / "downloads" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("level", [1, 9])
def test_zips_are_deflated_at_the_level_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, level: int) -> None:
    """The downloads are zipped at ``ZIP_LEVEL``, whatever it is set to: a file in parts of
    ``FILE_PART`` bytes, each deflated on its own and ended by a sync flush, then one empty
    final block (by the site's deflate, ``compression``); any zip reader reads it back whole."""
    from giro_site.site import compression
    from giro_site.site.downloads import deflate
    from giro_site.site.downloads.aggregates import zip_members
    from giro_site.site.downloads.deflate import FILE_PART, FINAL_BLOCK

    monkeypatch.setattr(deflate, "ZIP_LEVEL", level)
    data = "".join(f"{i},{i * 7919 % 1000},某某街道{i % 97}\r\n" for i in range(40_000)).encode()
    (tmp_path / "x.csv").write_bytes(data)
    zip_members(tmp_path / "x.zip", [("x.csv", tmp_path / "x.csv"), ("small.txt", b"hello")])
    expected = len(FINAL_BLOCK)
    for start in range(0, len(data), FILE_PART):
        compressor = compression.compressobj(level, compression.DEFLATED, -15)
        expected += len(compressor.compress(data[start:start + FILE_PART]) + compressor.flush(compression.Z_SYNC_FLUSH))
    assert len(data) > 2 * FILE_PART
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert archive.testzip() is None
        assert archive.getinfo("x.csv").compress_size == expected
        assert archive.read("x.csv") == data
        assert archive.read("small.txt") == b"hello"


def test_a_cache_recorded_by_an_older_version_is_made_again_not_a_failure(tmp_path: Path) -> None:
    """The downloads' state of another layout (here the all-years versions as one flat map,
    as an earlier version recorded them) makes the files again, giving a fresh build's bytes."""
    from giro_site.bench.synth import make_corpus

    content = tmp_path / "content"
    make_corpus(content, 12)
    build_site(BuildOptions(content=content, out=tmp_path / "public", build_date=DATE))
    state_path = tmp_path / ".giro-cache" / "public" / "downloads" / "state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    every = state["all"]["sqlite"]
    every["versions"] = {name: version for held in every["versions"].values() for name, version in held.items()}
    state_path.write_text(json.dumps(state), encoding="utf-8")
    report = sorted((content / "reports").rglob("*.txt"))[3]
    report.write_text(report.read_text(encoding="utf-8").replace("。", "；", 1), encoding="utf-8")
    build_site(BuildOptions(content=content, out=tmp_path / "public", build_date=DATE))
    build_site(BuildOptions(content=content, out=tmp_path / "fresh", build_date=DATE, fresh=True,
                            cache_dir=tmp_path / "fresh-cache"))
    for made in sorted((tmp_path / "fresh" / "data").glob("reports-*.zip")):
        assert (tmp_path / "public" / "data" / made.name).read_bytes() == made.read_bytes(), made.name
