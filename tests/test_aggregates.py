"""The downloads kept up to date part by part give the same bytes as made whole."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from giro_site.site.downloads import deflate, textparts
from giro_site.site.downloads.aggregates import NotSent, Row, _or_old, zip_members
from giro_site.site.model import ReportInfo

FIGURES = {"applications": None, "processed": None, "share": None, "reviews": None, "lawsuits": None,
           "corrected": None, "outcomes": {}}
NAMES = [f"content/reports/2020/r{i}.txt" for i in range(200)]


def info(name: str, version: int) -> Row:
    summary = {"sha256": str(version), "items": None, "head": FIGURES, "counts": {"error": 0, "warning": 0},
               "year": 2020}
    return Row(ReportInfo(name, summary), {"id": name})


def piece_of(versions: dict[str, int]):  # type: ignore[no-untyped-def]
    return lambda row: orjson.dumps({"name": row.name, "version": versions[row.name],
                                     "pad": "x" * (versions[row.name] % 4)})


def zipped(folder: Path, rows: list[Row], versions: dict[str, int], held: dict | None,  # type: ignore[type-arg]
           separator: bytes) -> tuple[bytes, dict, int]:  # type: ignore[type-arg]
    """One member of ``rows`` between "[" and "]", its parts reused from ``held``; returns the
    zip's bytes, what to hold, and how many parts were compressed."""
    return zipped_with(folder, rows, piece_of(versions), held, separator)


def zipped_with(folder: Path, rows: list[Row], piece, held: dict | None,  # type: ignore[no-untyped-def, type-arg]
                separator: bytes, old: dict[str, str] | None = None) -> tuple[bytes, dict, int]:  # type: ignore[type-arg]
    """``zipped`` with each row's piece from ``piece``; with ``old`` (the versions the held
    zip was made of), a row whose piece raises ``NotSent`` takes its piece from that zip."""
    previous = textparts.previous(folder, "x.zip", "x.json", held)
    if old is not None:
        piece = _or_old(piece, textparts.OldPieces(previous, textparts.OldOrder(old), separator, b"salt", first=1))
    keys, parts, made, lengths = textparts.item_parts(rows, piece, separator, b"salt", previous)
    previous.close()
    member = ("x.json", ["head", *keys, "tail"], [deflate.compress(b"["), *parts, deflate.compress(b"]")])
    kept = textparts.write(folder / "x.zip", [member], [[None, *lengths, None]])
    return (folder / "x.zip").read_bytes(), kept, made


names = st.lists(st.sampled_from(NAMES), unique=True, max_size=200)


@settings(max_examples=60, deadline=None)
@given(before=names, after=names, changed=st.sets(st.sampled_from(NAMES)), separator=st.sampled_from([b",", b""]))
def test_parts_kept_give_the_bytes_of_parts_made_whole(tmp_path_factory, before: list[str], after: list[str],  # type: ignore[no-untyped-def]
                                                       changed: set[str], separator: bytes) -> None:
    folder = tmp_path_factory.mktemp("parts")
    versions = dict.fromkeys(before, 1)
    _, held, _ = zipped(folder, [info(n, 1) for n in before], versions, None, separator)
    new_versions = {n: (2 if n in changed or n not in versions else 1) for n in after}
    rows = [info(n, new_versions[n]) for n in after]
    kept, _, made = zipped(folder, rows, new_versions, held, separator)
    whole, _, made_whole = zipped(folder, rows, new_versions, None, separator)
    assert kept == whole
    assert made <= made_whole
    with zipfile.ZipFile(folder / "x.zip") as archive:
        assert archive.read("x.json") == b"[" + separator.join(piece_of(new_versions)(r) for r in rows) + b"]"
        if separator:
            assert orjson.loads(archive.read("x.json")) == [orjson.loads(piece_of(new_versions)(r)) for r in rows]


def sent_only(versions: dict[str, int], sent: set[str]):  # type: ignore[no-untyped-def]
    """Pieces of the rows in ``sent`` only, as a child sent the changed rows alone has them."""
    made = piece_of(versions)

    def piece(row: Row) -> bytes:
        if row.name not in sent:
            raise NotSent(row.name)
        return made(row)
    return piece


@settings(max_examples=80, deadline=None)
@given(before=names, after=names, changed=st.sets(st.sampled_from(NAMES)), separator=st.sampled_from([b",", b""]))
def test_rows_not_sent_take_their_pieces_from_the_previous_zip(tmp_path_factory, before: list[str],  # type: ignore[no-untyped-def]
                                                               after: list[str], changed: set[str],
                                                               separator: bytes) -> None:
    """Parts made again from the changed rows and the others' old pieces give the bytes of
    the member made whole from every row; a row that was never in the old zip, or whose
    version there differs, is not found there."""
    folder = tmp_path_factory.mktemp("old")
    versions = dict.fromkeys(before, 1)
    _, held, _ = zipped(folder, [info(n, 1) for n in before], versions, None, separator)
    new_versions = {n: (2 if n in changed or n not in versions else 1) for n in after}
    rows = [info(n, new_versions[n]) for n in after]
    sent = {n for n in after if new_versions[n] == 2}
    old = {r.name: r.version for r in (info(n, 1) for n in before)}
    kept, _, _ = zipped_with(folder, rows, sent_only(new_versions, sent), held, separator, old)
    whole, _, _ = zipped(folder, rows, new_versions, None, separator)
    assert kept == whole


def test_an_old_piece_is_given_only_for_its_own_version_and_sound_bytes(tmp_path: Path) -> None:
    rows = [info(n, 1) for n in NAMES]
    versions = dict.fromkeys(NAMES, 1)
    _, held, _ = zipped(tmp_path, rows, versions, None, b",")
    old = {r.name: r.version for r in rows}
    name = NAMES[5]

    def pieces(record: dict) -> textparts.OldPieces:  # type: ignore[type-arg]
        return textparts.OldPieces(textparts.previous(tmp_path, "x.zip", "x.json", record), textparts.OldOrder(old),
                                   b",", b"salt", 1)

    assert pieces(held).piece(name, old[name]) == piece_of(versions)(rows[5])
    assert pieces(held).piece(name, "another version") is None
    assert pieces(held).piece("content/reports/2020/never.txt", old[name]) is None
    unrecorded = {"x.json": {**held["x.json"]}}
    del unrecorded["x.json"]["pieces"]  # (a zip recorded without its pieces' lengths)
    assert pieces(unrecorded).piece(name, old[name]) is None
    data = bytearray((tmp_path / "x.zip").read_bytes())
    offset = held["x.json"]["offset"] + held["x.json"]["parts"][0][3]  # the first group's part
    data[offset + 3] ^= 0xFF
    (tmp_path / "x.zip").write_bytes(bytes(data))
    stamped = {"x.json": {**held["x.json"], "stamp": deflate.file_stamp(tmp_path / "x.zip")}}
    assert pieces(stamped).piece(NAMES[0], old[NAMES[0]]) is None


def test_one_report_changed_compresses_its_part_only(tmp_path: Path) -> None:
    rows = [info(n, 1) for n in NAMES]
    versions = dict.fromkeys(NAMES, 1)
    _, held, made = zipped(tmp_path, rows, versions, None, b",")
    assert made == len(textparts.groups(rows)) > 1
    versions[NAMES[77]] = 2
    _, _, made = zipped(tmp_path, [info(n, versions[n]) for n in NAMES], versions, held, b",")
    assert made == 1


def test_a_part_is_not_read_back_from_a_zip_that_is_not_the_one_recorded(tmp_path: Path) -> None:
    rows = [info(n, 1) for n in NAMES]
    versions = dict.fromkeys(NAMES, 1)
    _, held, _ = zipped(tmp_path, rows, versions, None, b",")
    (tmp_path / "x.zip").write_bytes(b"not the zip the cache recorded")
    _, _, made = zipped(tmp_path, rows, versions, held, b",")
    assert made == len(textparts.groups(rows))


@settings(max_examples=200, deadline=None)
@given(first=st.binary(max_size=3000), second=st.binary(max_size=3000), zeros=st.integers(0, 3_000_000))
def test_crc_combined_equals_crc_of_the_whole(first: bytes, second: bytes, zeros: int) -> None:
    second = second + bytes(zeros % 5000)
    assert deflate.crc_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


def test_a_database_zipped_again_reuses_its_unchanged_parts_and_gives_the_bytes_made_fresh(tmp_path: Path) -> None:
    data = bytearray(os.urandom(deflate.FILE_PART * 5 + 1234))
    (tmp_path / "x.sqlite").write_bytes(data)
    held = zip_members(tmp_path / "x.zip", [("x.sqlite", tmp_path / "x.sqlite"), ("readme.txt", b"hello")])
    data[deflate.FILE_PART * 2 + 10] ^= 1  # one page changed
    (tmp_path / "x.sqlite").write_bytes(data)
    calls = []
    original = deflate.compress

    def counting(raw):  # type: ignore[no-untyped-def]
        calls.append(len(raw))
        return original(raw)

    deflate.compress = counting  # type: ignore[assignment]
    try:
        zip_members(tmp_path / "x.zip", [("x.sqlite", tmp_path / "x.sqlite"), ("readme.txt", b"hello")], held)
    finally:
        deflate.compress = original  # type: ignore[assignment]
    assert calls == [deflate.FILE_PART, len(b"hello")]  # the changed part, and the small member made whole
    again = (tmp_path / "x.zip").read_bytes()
    zip_members(tmp_path / "y.zip", [("x.sqlite", tmp_path / "x.sqlite"), ("readme.txt", b"hello")])
    assert again == (tmp_path / "y.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert archive.testzip() is None
        assert archive.read("x.sqlite") == bytes(data)
