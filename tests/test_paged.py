"""The all-years database written page by page: a valid SQLite file holding exactly the
working database's rows, and the same bytes whether made whole or kept up to date."""

from __future__ import annotations

import random
import sqlite3
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giro_site.site.downloads import deflate, paged, textparts
from giro_site.site.downloads.dictionary import table_columns
from giro_site.site.downloads.formats import SQLITE_TABLES, fixed_rows

REPORT_TABLES = SQLITE_TABLES[:-2]


def _text(rng: random.Random, longest: int = 40000) -> str:
    """Mostly short prose; now and then longer than a page holds (overflow pages, even a chain)."""
    size = min(longest, rng.choice([0, 5, 40, 300, 300, 300, 2000, 2000, 9000, 40000]))
    return "".join(rng.choice("政府信息公开年度报告abc，。") for _ in range(size))


def _rows(rng: random.Random, report_id: int, version: int,  # type: ignore[type-arg]
          longest: int = 40000) -> dict[str, list[tuple]]:
    """One report's rows in every table, some tables with none."""
    def row(table: str, *keys: object) -> tuple:  # type: ignore[type-arg]
        columns = table_columns(table)[len(keys):]
        values = []
        for column in columns:
            pick = rng.random()
            if column.type == "INTEGER":
                values.append(None if pick < 0.2 else rng.choice([0, 1, 7, 300, -5, 70000, 2**40 + version]))
            elif column.type == "REAL":
                values.append(None if pick < 0.3 else rng.choice([0.5, 12.25, 3.0]))
            else:
                values.append(None if pick < 0.2 else _text(rng, longest) if pick < 0.3 else f"v{version}")
        return (*keys, *values)

    rows: dict[str, list[tuple]] = {"reports": [row("reports", report_id)]}  # type: ignore[type-arg]
    for table in REPORT_TABLES[1:]:
        count = rng.choice([0, 0, 1, 3, 12])
        keyed = [f"k{i:02d}" for i in range(count)] if table in ("proactive", "applications", "review_litigation",
                                                                   "narrative") else list(range(1, count + 1))
        rows[table] = [row(table, report_id, key) for key in keyed]
    return rows


def _work(path: Path, reports: dict[int, dict[str, list[tuple]]]) -> None:  # type: ignore[type-arg]
    db = paged.new_work(path)
    for table, values in fixed_rows().items():
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in values[0])})", values)
    for rows in reports.values():
        for table, values in rows.items():
            for value in values:
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in value)})", value)
    db.commit()
    db.close()


def _update(path: Path, reports: dict[int, dict[str, list[tuple]]], dirty: set[int]) -> None:  # type: ignore[type-arg]
    """The working database brought up to date as a build does: the rows of the ``dirty``
    reports deleted, then their rows now inserted (pages freed, half-filled, reused)."""
    db = sqlite3.connect(path)
    for table in REPORT_TABLES:
        key = "id" if table == "reports" else "report_id"
        db.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(i,) for i in dirty])
    for report_id in sorted(dirty & set(reports)):
        for table, values in reports[report_id].items():
            for value in values:
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in value)})", value)
    db.commit()
    db.close()


def _file(parts: list[deflate.Part]) -> bytes:
    return zlib.decompress(b"".join(p.data for p in parts) + deflate.FINAL_BLOCK, -15)


def _check(path: Path, work: Path) -> None:
    made, source = sqlite3.connect(path), sqlite3.connect(work)
    assert made.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for table in SQLITE_TABLES:
        assert made.execute(f"SELECT * FROM {table}").fetchall() == source.execute(f"SELECT * FROM {table}").fetchall()
    assert made.execute("SELECT count(*) FROM applications_full").fetchone() == \
        source.execute("SELECT count(*) FROM applications_full").fetchone()
    made.close()
    source.close()


def _whole(work: Path) -> tuple[list[str], list[deflate.Part], paged.Layout]:
    with sqlite3.connect(work) as db:
        ids = [i for (i,) in db.execute("SELECT id FROM reports")]
    return paged.database(work, paged.bounds_of(ids), set(ids), None, None)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), group=st.sampled_from([1, 2, 4, 64]))
def test_made_whole_or_kept_up_to_date_the_file_is_valid_and_the_same(tmp_path_factory: pytest.TempPathFactory,
                                                                        seed: int, group: int) -> None:
    folder = tmp_path_factory.mktemp("paged")
    rng = random.Random(seed)
    original = paged.GROUP
    paged.GROUP = group
    try:
        reports = {rng.randrange(1, 2**52): None for _ in range(rng.choice([0, 1, 3, 40]))}
        versions = {report_id: 0 for report_id in reports}
        data = {report_id: _rows(rng, report_id, 0) for report_id in reports}
        work = folder / "work.sqlite"
        _work(work, data)
        keys, parts, layout = _whole(work)
        (folder / "out.sqlite").write_bytes(_file(parts))
        _check(folder / "out.sqlite", work)
        for step in range(3):
            dirty: set[int] = set()
            for _ in range(rng.choice([1, 2, 5])):
                kind = rng.random()
                if kind < 0.3 or not data:  # a report added
                    report_id = rng.randrange(1, 2**52) if rng.random() < 0.7 else rng.randrange(1, 2**40) * group
                    versions[report_id] = 0
                elif kind < 0.5:  # one removed
                    report_id = rng.choice(sorted(data))
                    del data[report_id]
                    dirty.add(report_id)
                    continue
                else:  # one changed
                    report_id = rng.choice(sorted(data))
                    versions[report_id] = versions.get(report_id, 0) + 1
                data[report_id] = _rows(rng, report_id, versions[report_id])
                dirty.add(report_id)
            _update(work, data, dirty)  # and the same rows in a database made whole, for the whole file
            _work(folder / "whole.sqlite", data)
            zip_path = folder / f"x{step}.zip"
            held = textparts.write(zip_path, [("x.sqlite", keys, parts)])
            previous = deflate.Previous(zip_path, held["x.sqlite"])
            bounds = sorted(set(layout.bounds) - dirty | {i for i in dirty if i in data and i % group == 0})
            try:
                keys, parts, made = paged.database(work, bounds, dirty, layout, previous)
            finally:
                previous.close()
            paged.save_layout(folder / "x.layout", made)  # kept between builds as a build keeps it
            layout = paged.load_layout(folder / "x.layout")
            assert layout == made
            whole_keys, whole_parts, _ = _whole(folder / "whole.sqlite")
            assert keys == whole_keys
            assert _file(parts) == _file(whole_parts)
            (folder / "out.sqlite").write_bytes(_file(parts))
            _check(folder / "out.sqlite", work)
    finally:
        paged.GROUP = original


def test_one_report_changed_makes_its_groups_pages_only(tmp_path: Path) -> None:
    """Among many groups, a changed report's parts are the only ones compressed again (rows
    that fit on their page: one with overflow pages is made again when its pages move)."""
    rng = random.Random(5)
    data = {rng.randrange(1, 2**52): None for _ in range(300)}
    rows = {report_id: _rows(rng, report_id, 0, 2000) for report_id in data}
    work = tmp_path / "work.sqlite"
    _work(work, rows)
    original = paged.GROUP
    paged.GROUP = 16
    try:
        keys, parts, layout = _whole(work)
        changed = sorted(rows)[150]
        rows[changed] = _rows(rng, changed, 1, 2000)
        _work(work, rows)
        held = textparts.write(tmp_path / "x.zip", [("x.sqlite", keys, parts)])
        previous = deflate.Previous(tmp_path / "x.zip", held["x.sqlite"])
        compressed = []
        real = paged.compress
        paged.compress = lambda raw: compressed.append(len(raw)) or real(raw)  # type: ignore[assignment,func-returns-value]
        try:
            new_keys, new_parts, _ = paged.database(work, layout.bounds, {changed}, layout, previous)
        finally:
            paged.compress = real
            previous.close()
        assert len(keys) > 40
        assert 0 < len(compressed) <= len(REPORT_TABLES) + 2  # its group in each table, the head, the interior
        assert _file(new_parts) == _file(_whole(work)[1])
        assert len(set(new_keys) - set(keys)) == len(compressed)
    finally:
        paged.GROUP = original


def test_a_layout_in_the_cache_is_data_never_code(tmp_path: Path) -> None:
    """The cache may come from elsewhere (a CI cache restored before the build): a layout file
    holding a pickle that would run a command is not loaded, and runs nothing; a damaged or
    foreign one is not used either (the database is made whole)."""
    import pickle

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple:
            return (Path.touch, (marker,))

    path = tmp_path / "reports-all.layout"
    path.write_bytes(pickle.dumps(Payload()))
    assert paged.load_layout(path) is None and not marker.exists()
    for bad in (b"", b"{}", b"[]", b'{"format": 3, "bounds": [1], "pieces": [[0, 1, {"reports": [1]}]]}',
                b'{"format": 3, "bounds": ["x"], "pieces": []}',
                b'{"format": 3, "bounds": [1], "pieces": [[0, 1, {"reports": '
                b'[1, 1, [true], false, false, 2, false, ""]}]]}'):
        path.write_bytes(bad)
        assert paged.load_layout(path) is None, bad
