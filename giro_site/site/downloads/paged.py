"""The SQLite databases of the downloads (each year's and the all-years one) written page by
page, so that a rebuild writes the pages of the reports that changed and reuses every other
page's compressed bytes.

SQLite's own ``VACUUM INTO`` gives the same bytes for the same rows, but it lays the whole
file out again (the all-years one: 43 MB at 10,000 reports, 200 MB at 50,000) and a row that changes length
moves every later row to another page. Here the file is written from the b-tree file
format directly (https://www.sqlite.org/fileformat2.html), in a layout that is a function
of the rows alone and that confines a change:

* reports are cut into *groups* by their ids alone (a group ends at a report whose id is
  divisible by ``GROUP``), and in every table a group's rows start a new leaf page: a
  changed report changes the leaf pages of its group only;
* leaf pages hold no page numbers (but of overflow pages, which the rare row of more than
  8 KB needs), so leaves after a group that grew are the same bytes one page further on;
* the page numbers are all in the interior pages (each table's, after every leaf page)
  and the roots (pages 2–10, beside the schema on page 1), which are made again each
  time: about 1 % of the file.

The row bytes (SQLite's record format) are SQLite's own: a group's rows are copied into an
in-memory database of the same page size and its cells read back. The zip member is made of
one part per group and table (``deflate``), so the parts of unchanged groups are copied
from the previous zip without being decompressed or read as pages.
"""

from __future__ import annotations

import bisect
import hashlib
import mmap
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import orjson

from giro_site.site.build.output import write_atomically
from giro_site.site.downloads import textparts
from giro_site.site.downloads.deflate import Part, Previous, compress
from giro_site.site.downloads.formats import SCHEMA, SQLITE_TABLES, database_companions, fixed_rows, insert_rows

PAGE = 32768  # rows up to 8 KB stay on their leaf (a section of prose rarely is longer)
GROUP = 256  # reports a group holds, on average
LAYOUT_FORMAT = 3  # changes with the working databases or the layout kept (3: JSON, not pickle)
_TABLE_LEAF, _TABLE_INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR = 0x0D, 0x05, 0x0A, 0x02
_MAX_INDEX = (PAGE - 12) * 64 // 255 - 23  # SQLite's limits of a cell's payload on its page
_MAX_TABLE = PAGE - 35
_MIN_LOCAL = (PAGE - 12) * 32 // 255 - 23
_FIXED = ("finding_codes", "dictionary")  # rows of no report: one group, the same at every build
_ROOTS = {table: number for number, table in enumerate(SQLITE_TABLES, start=2)}
_HEAD_PAGES = 1 + len(SQLITE_TABLES)


def _varint(value: int) -> bytes:
    """SQLite's big-endian variable-length integer (1–9 bytes)."""
    if 0 <= value < 0x80:
        return bytes((value,))
    value &= (1 << 64) - 1
    if value >> 56:
        out = [value & 0xFF]
        value >>= 8
        for _ in range(8):
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out[1] &= 0xFF
        return bytes(reversed(out))
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


def _read_varint(data: bytes | memoryview, at: int) -> tuple[int, int]:
    value = 0
    for index in range(8):
        byte = data[at + index]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + index + 1
    return (value << 8) | data[at + 8], at + 9


def _local(payload: int, table: bool) -> int:
    """How many bytes of a payload stay on its b-tree page (the rest goes to overflow pages)."""
    most = _MAX_TABLE if table else _MAX_INDEX
    if payload <= most:
        return payload
    size = _MIN_LOCAL + (payload - _MIN_LOCAL) % (PAGE - 4)
    return size if size <= most else _MIN_LOCAL


# --- reading the cells of a database SQLite made ---------------------------------------------


def _cell(image: bytes, at: int, table: bool) -> bytes:
    """The cell at ``at`` as it would stand on a page with no overflow: its varints and its
    whole payload (followed through the overflow pages)."""
    payload, body = _read_varint(image, at)
    if table:
        _, body = _read_varint(image, body)
    local = _local(payload, table)
    if local == payload:
        return image[at:body + payload]
    pieces = [image[at:body + local]]
    left = payload - local
    page = struct.unpack_from(">I", image, body + local)[0]
    while left > 0:
        start = (page - 1) * PAGE
        page = struct.unpack_from(">I", image, start)[0]
        pieces.append(image[start + 4:start + 4 + min(left, PAGE - 4)])
        left -= PAGE - 4
    return b"".join(pieces)


def _leaf(image: bytes, start: int, pointers: tuple[int, ...], table: bool) -> list[bytes]:
    """The cells of one leaf page (most hold a short payload, read here without a call)."""
    out = []
    most = _MAX_TABLE if table else _MAX_INDEX
    for pointer in pointers:
        at = start + pointer
        first = image[at]
        if first < 0x80:
            payload, body = first, at + 1
        elif image[at + 1] < 0x80:
            payload, body = ((first & 0x7F) << 7) | image[at + 1], at + 2
        else:
            payload, body = _read_varint(image, at)
        if table:
            _, body = _read_varint(image, body)
        out.append(image[at:body + payload] if payload <= most else _cell(image, at, table))
    return out


def _scratch() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"PRAGMA page_size = {PAGE}")
    db.executescript(SCHEMA)
    return db


def _first_id(image: Any, at: int, table: bool) -> int:
    """The report id of the cell at ``at``: a table's rowid, or an index's first column."""
    _, body = _read_varint(image, at)
    if table:
        return _read_varint(image, body)[0]
    size, types = _read_varint(image, body)
    kind = _read_varint(image, types)[0]
    width = _INT_WIDTHS.get(kind)
    if width is None:
        return kind - 8 if kind in (8, 9) else -(1 << 63)  # 0 or 1; no report's id is NULL
    return int.from_bytes(image[body + size:body + size + width], "big", signed=True)


_INT_WIDTHS = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _after(image: Any, start: int, pointers: tuple[int, ...], table: bool, bound: int) -> int:
    """The first of a leaf's cells (in key order) whose report id is past ``bound``."""
    low, high = 0, len(pointers)
    while low < high:
        middle = (low + high) // 2
        if _first_id(image, start + pointers[middle], table) > bound:
            high = middle
        else:
            low = middle + 1
    return low


def _range(image: Any, root: int, low: int | None, high: int | None, out: list[bytes]) -> bool:
    """Append the entries of the b-tree at ``root`` whose report id is in (low, high], in key
    order, descending only into pages that can hold one; False once past ``high``."""
    start = (root - 1) * PAGE
    head = start + (100 if root == 1 else 0)
    kind, count = image[head], struct.unpack_from(">H", image, head + 3)[0]
    if kind in (_TABLE_LEAF, _INDEX_LEAF):
        table = kind == _TABLE_LEAF
        pointers = struct.unpack_from(f">{count}H", image, head + 8)
        if not pointers:
            return True
        first = 0 if low is None else _after(image, start, pointers, table, low)
        end = len(pointers) if high is None else _after(image, start, pointers, table, high)
        out += _leaf(image, start, pointers[first:end], table)
        return end == len(pointers)
    for pointer in struct.unpack_from(f">{count}H", image, head + 12):
        child = struct.unpack_from(">I", image, start + pointer)[0]
        if kind == _TABLE_INTERIOR:  # the child's ids are at most the cell's
            key = _read_varint(image, start + pointer + 4)[0]
            if low is not None and key <= low:
                continue
            if not _range(image, child, low, high, out) or (high is not None and key >= high):
                return False
        else:  # the child's entries come before the cell's, whose id is at least theirs
            key = _first_id(image, start + pointer + 4, False)
            if low is not None and key <= low:
                continue
            if not _range(image, child, low, high, out) or (high is not None and key > high):
                return False
            out.append(_cell(image, start + pointer + 4, False))
    return _range(image, struct.unpack_from(">I", image, head + 8)[0], low, high, out)


class _WorkPages:
    """The pages of the working database ``work`` (of ``PAGE`` bytes a page, as ``new_work``
    makes them), mapped once for all the groups a database reads."""

    def __init__(self, work: Path):
        with sqlite3.connect(work) as db:
            self.roots = dict(db.execute("SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'").fetchall())
            size = db.execute("PRAGMA page_size").fetchone()[0]
        db.close()
        if size != PAGE:
            raise ValueError(f"{work.name}: pages of {size} bytes, not {PAGE}")
        with open(work, "rb") as stream:
            self.image = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)

    def group_cells(self, low: int | None, high: int | None) -> dict[str, list[bytes]]:
        """The cells of every table's rows of the reports with ids in (low, high] (None: no
        bound), as SQLite wrote them."""
        made: dict[str, list[bytes]] = {}
        for table in SQLITE_TABLES:
            if table not in _FIXED:
                made[table] = []
                _range(self.image, self.roots[table], low, high, made[table])
        return made

    def close(self) -> None:
        self.image.close()


def new_work(path: Path) -> sqlite3.Connection:
    """A new working database (``path`` replaced): the schema, pages of ``PAGE`` bytes
    (``open_work``)."""
    path.unlink(missing_ok=True)
    db = open_work(path)
    db.execute(f"PRAGMA page_size = {PAGE}")
    db.executescript(SCHEMA)
    return db


def open_work(path: Path) -> sqlite3.Connection:
    """A working database, with no journal (the cache is made again if a build stops halfway)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


@lru_cache(maxsize=1)
def _fixed_cells() -> tuple[dict[str, list[bytes]], list[tuple[str, str, str, str]]]:
    """The cells of the tables every database holds the same, and the schema's rows."""
    db = _scratch()
    try:
        insert_rows(db, fixed_rows())
        db.commit()
        image = db.serialize()
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'").fetchall())
        schema = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid").fetchall()
    finally:
        db.close()
    made: dict[str, list[bytes]] = {table: [] for table in _FIXED}
    for table in _FIXED:
        _range(image, roots[table], None, None, made[table])
    return made, schema


# --- writing pages --------------------------------------------------------------------------


def _record(values: tuple[Any, ...]) -> bytes:
    """A record of text, integers and NULLs (the schema table's rows)."""
    types, body = [], []
    for value in values:
        if value is None:
            types.append(0)
        elif isinstance(value, int):
            if value in (0, 1):
                types.append(8 + value)
            else:
                size, kind = next((s, k) for s, k in ((1, 1), (2, 2), (3, 3), (4, 4), (6, 5), (8, 6))
                                  if -(1 << (8 * s - 1)) <= value < 1 << (8 * s - 1))
                types.append(kind)
                body.append(value.to_bytes(size, "big", signed=True))
        else:
            encoded = str(value).encode("utf-8")
            types.append(len(encoded) * 2 + 13)
            body.append(encoded)
    header = b"".join(map(_varint, types))
    length = len(header) + 1
    if length >= 0x80:  # the header's size counts its own varint
        length = len(header) + len(_varint(len(header) + 2))
    return _varint(length) + header + b"".join(body)


@dataclass
class _Placed:
    """A cell as it stands on its page (with a 4-byte hole for its first overflow page's
    number when its payload does not fit), and the rest of its payload."""

    head: bytes
    rest: bytes = b""

    @property
    def size(self) -> int:
        return max(4, len(self.head)) + 2  # the cell and its pointer


def _place(cell: bytes, table: bool, child: int | None = None) -> _Placed:
    prefix = b"" if child is None else struct.pack(">I", child)
    if len(cell) <= (_MAX_TABLE if table else _MAX_INDEX):
        return _Placed(prefix + cell)
    payload, body = _read_varint(cell, 0)
    if table:
        _, body = _read_varint(cell, body)
    local = _local(payload, table)
    if local == payload:
        return _Placed(prefix + cell)
    return _Placed(prefix + cell[:body + local] + b"\0\0\0\0", cell[body + local:])


@dataclass
class _Pages:
    """B-tree pages whose cells' overflow pages are not numbered yet: ``number`` writes them."""

    pages: list[bytearray]
    holes: list[tuple[int, int, bytes]] = field(default_factory=list)  # page, offset, rest of payload

    def number(self, first_overflow: int) -> list[bytes]:
        """The pages, then their overflow pages numbered from ``first_overflow``."""
        pages = [bytearray(page) for page in self.pages] if self.holes else self.pages
        extra: list[bytes] = []
        number = first_overflow
        for index, offset, rest in self.holes:
            struct.pack_into(">I", pages[index], offset, number)
            chunks = [rest[start:start + PAGE - 4] for start in range(0, len(rest), PAGE - 4)]
            for position, chunk in enumerate(chunks):
                following = number + 1 if position + 1 < len(chunks) else 0
                extra.append(struct.pack(">I", following) + chunk + bytes(PAGE - 4 - len(chunk)))
                number += 1
        return [bytes(page) for page in pages] + extra


def _pages(kind: int, contents: list[tuple[list[_Placed], int]], offset: int = 0) -> _Pages:
    """B-tree pages of ``kind``, each of its cells and its right-most child (interior pages);
    ``offset``: 100 on page 1."""
    return _raw_pages(kind, [([cell.head for cell in placed], right, {i: c.rest for i, c in enumerate(placed)
                                                                       if c.rest}) for placed, right in contents],
                      offset)


def _raw_pages(kind: int, contents: list[tuple[list[bytes], int, dict[int, bytes]]], offset: int = 0) -> _Pages:
    """B-tree pages, each of its cells' bytes as they stand on the page (content from the
    page's end down, in order), its right-most child, and the rest of the payload of its
    cells that have overflow pages (by the cell's place)."""
    made = _Pages([])
    interior = kind in (_TABLE_INTERIOR, _INDEX_INTERIOR)
    header = offset + (12 if interior else 8)
    for heads, right, rests in contents:
        heads = [h if len(h) >= 4 else h + bytes(4 - len(h)) for h in heads]
        ends = list(accumulate(map(len, heads)))
        used = ends[-1] if ends else 0
        pointers = [PAGE - end for end in ends]
        top = PAGE - used
        if header + 2 * len(heads) > top:
            raise ValueError("b-tree page overfull")
        head = bytearray(header + 2 * len(heads))
        struct.pack_into(">BHHHB", head, offset, kind, 0, len(heads), top % 65536, 0)
        if interior:
            struct.pack_into(">I", head, offset + 8, right)
        struct.pack_into(f">{len(pointers)}H", head, header, *pointers)
        heads.reverse()
        page = head + bytes(top - len(head)) + b"".join(heads)
        for index, rest in rests.items():
            made.holes.append((len(made.pages), pointers[index] + len(heads[len(heads) - 1 - index]) - 4, rest))
        made.pages.append(page)
    return made


@dataclass
class Leaves:
    """One group's leaf pages in one table, and what the table's interior pages need of them:
    each leaf's largest id (the reports table) or the entries that stand between leaves in
    the interior pages (an index: one before the first leaf when ``lead``, one between each
    two of the group's leaves)."""

    made: _Pages
    keys: list[Any]
    lead_out: bool  # the table's sequence so far ends with a leaf (not with an entry between)
    merged: bool = False  # holds the next group's entry too (``_end_with_a_leaf``)

    @property
    def leaves(self) -> int:
        return len(self.made.pages)


def _on_page(cells: list[bytes], table: bool) -> tuple[list[bytes], dict[int, bytes]]:
    """The cells as they stand on a leaf (the few too long for it cut, see ``_place``)."""
    most = _MAX_TABLE if table else _MAX_INDEX
    rests: dict[int, bytes] = {}
    if max(map(len, cells), default=0) <= most and min(map(len, cells), default=4) >= 4:
        return cells, rests
    heads = [cell if len(cell) >= 4 else cell + bytes(4 - len(cell)) for cell in cells]  # a cell takes 4 bytes at least
    for index, cell in enumerate(cells):
        if len(cell) > most:
            placed = _place(cell, table)
            heads[index] = placed.head
            if placed.rest:
                rests[index] = placed.rest
    return heads, rests


_ROOM = PAGE - 12  # bytes of a page for cells and their pointers (an interior page's header is the longer)


def _spans(heads: list[bytes], index: bool) -> list[tuple[int, int]]:
    """(first, end) of each page's cells, as many a page as fit, found by bisection over the
    cells' running sizes rather than cell by cell. ``index``: a full page's last entry moves
    up between it and the next page (it is on neither)."""
    ends = [size + 2 * count for count, size in enumerate(accumulate(map(len, heads)), start=1)]
    spans, start, base = [], 0, 0
    while start < len(heads):
        end = max(bisect.bisect_right(ends, base + _ROOM), start + 1)
        if end >= len(heads):
            spans.append((start, len(heads)))
            break
        spans.append((start, end - 1 if index else end))
        start, base = end, ends[end - 1]
    return spans


def _leaf_pages(kind: int, heads: list[bytes], rests: dict[int, bytes], spans: list[tuple[int, int]]) -> _Pages:
    return _raw_pages(kind, [(heads[a:b], 0, {i - a: r for i, r in rests.items() if a <= i < b}) for a, b in spans])


def pack(table: str, entries: list[bytes], lead: bool) -> Leaves:
    """Leaf pages of one group of ``table``'s entries (cells in key order). ``lead``: the
    table's sequence so far ends with a leaf, so an index's first entry here stands between
    that leaf and this group's first one."""
    if table == "reports":
        heads, rests = _on_page(entries, True)
        spans = _spans(heads, False)
        keys = [_read_varint(entries[b - 1], _read_varint(entries[b - 1], 0)[1])[0] for _, b in spans]
        return Leaves(_leaf_pages(_TABLE_LEAF, heads, rests, spans), keys, lead or bool(spans))
    between: list[bytes] = []
    rest = entries
    if lead and entries:
        between.append(entries[0])
        rest = entries[1:]
    heads, rests = _on_page(rest, False)
    spans = _spans(heads, True)
    between += [rest[end] for _, end in spans[:-1]]
    return Leaves(_leaf_pages(_INDEX_LEAF, heads, rests, spans), between, bool(spans) or (lead and not entries))


def _end_with_a_leaf(items: list[tuple[int, Piece | None, Leaves | None, bool]],
                     entries: Callable[[int], list[bytes]], table: str) -> None:
    """An index whose last non-empty group is one entry standing after a leaf (a group of one
    entry stands between two leaves): that entry joins the last group that made a leaf, so
    the sequence ends with a leaf, as a b-tree must."""
    def leaves(item: tuple[int, Piece | None, Leaves | None, bool]) -> int:
        return item[1].leaves if item[1] is not None else item[2].leaves  # type: ignore[union-attr]

    def keys(item: tuple[int, Piece | None, Leaves | None, bool]) -> list[Any]:
        return item[1].keys if item[1] is not None else item[2].keys  # type: ignore[union-attr]

    last = max((i for i, item in enumerate(items) if keys(item) or leaves(item)), default=None)
    if last is None or leaves(items[last]) or len(keys(items[last])) != 1:
        return
    before = max(i for i in range(last) if leaves(items[i]))
    group, _, _, lead_in = items[before]
    joined = pack(table, entries(group) + entries(items[last][0]), lead_in)
    joined.merged = True
    items[before] = (group, None, joined, lead_in)
    items[last] = (items[last][0], None, Leaves(_Pages([]), [], True, merged=True), True)


def _breaks(sizes: list[int]) -> list[tuple[int, int]]:
    """Interior pages over children 0..n-1 with cells of ``sizes`` (n - 1 of them): (first
    child, right-most child) of each page; the cell after a page's right-most child goes up
    a level. No page is left with no cell."""
    count = len(sizes) + 1
    spans, start, used = [], 0, 0
    index = 0
    while index < count - 1:
        if index > start and used + sizes[index] > _ROOM:
            end = index if index < count - 2 else index - 1  # the last page keeps a cell
            if end <= start:
                raise ValueError("interior page cannot hold two children")
            spans.append((start, end))
            start, used, index = end + 1, 0, end + 1
            continue
        used += sizes[index]
        index += 1
    spans.append((start, count - 1))
    return spans


def _interior(table: str, children: list[int], keys: list[Any], first: int) -> tuple[bytes, list[bytes]]:
    """A table's root page and its other interior pages (numbered from ``first``, then the
    overflow pages of the entries in them) over its leaves ``children``. ``keys``: each
    leaf's largest id (reports) or the entries between leaves (an index)."""
    rowid = table == "reports"
    kind = _TABLE_INTERIOR if rowid else _INDEX_INTERIOR
    levels: list[tuple[list[tuple[list[_Placed], int]], bool]] = []
    number = first
    while len(children) > 1:
        if rowid:  # cell i: child i and its largest id; the page's key is its right-most child's
            cells = [_Placed(struct.pack(">I", child) + _varint(key))
                     for child, key in zip(children, keys, strict=True)]
        else:
            cells = [_place(entry, False, child) for child, entry in zip(children, keys, strict=False)]
        spans = _breaks([cell.size for cell in cells[:len(children) - 1]])
        contents = [(cells[start:end], children[end]) for start, end in spans]
        if len(spans) == 1:
            levels.append((contents, True))
            break
        levels.append((contents, False))
        children = list(range(number, number + len(spans)))
        number += len(spans)
        keys = [keys[end] for _, end in spans[:-1]] if not rowid else [keys[end] for _, end in spans]
    if not levels:  # no leaf at all, or one: the caller puts the leaf at the root
        raise ValueError("a table of one leaf has no interior pages")
    inner = [content for contents, top in levels if not top for content in contents]
    top = [content for contents, is_top in levels if is_top for content in contents]
    made = _pages(kind, inner + top)
    overflow_first = first + len(inner)
    pages = made.number(overflow_first)
    root_page = pages[len(inner)]
    return root_page, pages[:len(inner)] + pages[len(inner) + 1:]


# --- the whole file -------------------------------------------------------------------------


def _header(pages: int) -> bytes:
    """The file's first 100 bytes: fixed counters (as ``formats.canonical_header``), UTF-8,
    schema format 4, no free pages."""
    version = sqlite3.sqlite_version_info
    return struct.pack(">16sHBBBBBBIIIIIIIIIIII20sII", b"SQLite format 3\0", PAGE, 1, 1, 0, 64, 32, 32,
                       1, pages, 0, 0, 1, 4, 0, 0, 1, 0, 0, 0, bytes(20), 1,
                       version[0] * 1_000_000 + version[1] * 1000 + version[2])


def _schema_page(schema: list[tuple[str, str, str, str]], pages: int) -> bytes:
    """Page 1: the header and the schema table, each table's root on the page ``_ROOTS`` says."""
    entries = []
    for rowid, (kind, name, owner, sql) in enumerate(schema, start=1):
        payload = _record((kind, name, owner, _ROOTS[name] if kind == "table" else 0, sql))
        entries.append(_place(_varint(len(payload)) + _varint(rowid) + payload, True))
    if any(cell.rest for cell in entries) or sum(cell.size for cell in entries) > PAGE - 108:
        raise ValueError("the schema does not fit on the database's first page")
    page = _pages(_TABLE_LEAF, [(entries, 0)], offset=100).pages[0]
    page[:100] = _header(pages)
    return bytes(page)


def _empty_leaf(table: str) -> bytes:
    return bytes(_pages(_TABLE_LEAF if table == "reports" else _INDEX_LEAF, [([], 0)]).pages[0])


@dataclass
class Piece:
    """What the layout keeps of one group's pages in one table, to reuse them next time."""

    leaves: int
    pages: int  # leaves and overflow pages
    keys: list[Any]
    lead_in: bool
    lead_out: bool
    start: int  # the number of its first page
    overflow: bool
    key: str  # of its part of the zip member ("" when it has no page)


@dataclass
class Layout:
    """What the last database written was made of: the ids that end a group, and each group's
    pieces (by its range of ids: the previous group's last id, its own)."""

    bounds: list[int]
    pieces: dict[tuple[int | None, int | None], dict[str, Piece]]
    stamp: Any = None  # of the working database it was made from (``output.file_stamp``)
    format: int = LAYOUT_FORMAT


# The layout is kept as JSON, never as pickle: the cache may come from elsewhere (a CI cache),
# and reading it must not run anything. An index's keys are cells (bytes), kept as hex.


def _key_out(key: Any) -> Any:
    return key.hex() if isinstance(key, bytes) else key


def _key_in(key: Any) -> int | bytes:
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise ValueError(f"not a key: {key!r}")
    return bytes.fromhex(key) if isinstance(key, str) else key


def _piece_in(fields: Any) -> Piece:
    leaves, pages, keys, lead_in, lead_out, start, overflow, key = fields
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (leaves, pages, start)) \
            or not all(isinstance(v, bool) for v in (lead_in, lead_out, overflow)) or not isinstance(key, str):
        raise ValueError("not a piece")
    return Piece(leaves, pages, [_key_in(k) for k in keys], lead_in, lead_out, start, overflow, key)


def _bound(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"not an id: {value!r}")
    return value  # type: ignore[no-any-return]


def load_layout(path: Path) -> Layout | None:
    """The layout ``save_layout`` wrote; None for anything else (the database is made whole)."""
    try:
        data = orjson.loads(path.read_bytes())
        if not isinstance(data, dict) or data.get("format") != LAYOUT_FORMAT:
            return None
        pieces = {(_bound(low), _bound(high)): {str(table): _piece_in(fields) for table, fields in tables.items()}
                  for low, high, tables in data["pieces"]}
        return Layout([_bound(b) for b in data["bounds"]], pieces,  # type: ignore[misc]
                      data.get("stamp"), LAYOUT_FORMAT)
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def save_layout(path: Path, layout: Layout) -> None:
    pieces = [[low, high, {table: [p.leaves, p.pages, [_key_out(k) for k in p.keys], p.lead_in, p.lead_out,
                                   p.start, p.overflow, p.key] for table, p in tables.items()}]
              for (low, high), tables in layout.pieces.items()]
    data = {"format": layout.format, "stamp": layout.stamp, "bounds": layout.bounds, "pieces": pieces}
    write_atomically(path, orjson.dumps(data))


def stable_id(name: str) -> int:
    """A report's id: the same in every build, whatever else changes (52 bits)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:13], 16)


def changes(layout: Layout | None, stamp: Any, gone: set[int], new: set[int], everything: Callable[[], Any]
            ) -> tuple[Layout | None, list[int], set[int]]:
    """(the layout to keep up to date, the ids that end a group, the ids of the groups to
    make) from the ids of the reports removed or changed (``gone``) and changed or added
    (``new``) since the layout was made from the working database of ``stamp``; without a
    layout of that database, every report's (``everything``: their names)."""
    if layout is None or layout.stamp != stamp:
        dirty = {stable_id(name) for name in everything()}
        return None, bounds_of(list(dirty)), dirty
    return layout, sorted(set(layout.bounds) - gone | {i for i in new if i % GROUP == 0}), gone | new


def zip_database(folder: Path, name: str, heading: str, site: dict[str, str], bounds: list[int], dirty: set[int],
                 layout: Layout | None, held: dict[str, Any] | None) -> tuple[dict[str, Any], Layout]:
    """``{name}.sqlite.zip`` from ``{name}.work.sqlite``, its database written page by page:
    only the pages of the groups of the ``dirty`` reports (``changes``) are made and
    compressed, the others' compressed bytes copied from the previous zip (``held``: what the
    cache recorded of it). Returns what to record, and the layout made."""
    target = folder / f"{name}.sqlite.zip"
    previous = Previous(target, (held or {}).get(f"{name}.sqlite"))
    try:
        keys, parts, made = database(folder / f"{name}.work.sqlite", bounds, dirty, layout, previous)
        zipped = textparts.write(target, [(f"{name}.sqlite", keys, parts),
                                          *(textparts.fixed(member, data)
                                            for member, data in database_companions(name, site, heading))])
    finally:
        previous.close()
    return zipped, made


def bounds_of(ids: list[int]) -> list[int]:
    """The ids that end a group: those divisible by ``GROUP``, by the ids alone."""
    return sorted(i for i in ids if i % GROUP == 0)


def _ranges(bounds: list[int]) -> list[tuple[int | None, int | None]]:
    edges: list[int | None] = [None, *bounds, None]
    return list(pairwise(edges))


def database(work: Path, bounds: list[int], dirty: set[int], old: Layout | None, previous: Previous | None
             ) -> tuple[list[str], list[Part], Layout]:
    """A database as a zip member's parts (and their keys), from the working database
    ``work``: the groups of ``dirty`` ids (changed, added or removed reports), and every
    group when ``old`` is None, are made from their rows; the others reused as ``old`` and
    the previous zip (``previous``, by part key) hold them."""
    ranges = _ranges(bounds)
    changed = {bisect.bisect_left(bounds, report_id) for report_id in dirty}  # the first bound ≥ the id ends its group
    fetched: dict[int, dict[str, list[bytes]]] = {}
    fixed, schema = _fixed_cells()
    pages: list[_WorkPages] = []  # ``work`` mapped, when a group is first read

    def entries(table: str, group: int) -> list[bytes]:
        if table in _FIXED:
            return fixed[table]
        if group not in fetched:
            if not pages:
                pages.append(_WorkPages(work))
            fetched[group] = pages[0].group_cells(*ranges[group])
        return fetched[group][table]

    try:
        return _database(bounds, ranges, changed, old, previous, entries, schema)
    finally:
        for opened in pages:
            opened.close()


def _database(bounds: list[int], ranges: list[tuple[int | None, int | None]], changed: set[int],
              old: Layout | None, previous: Previous | None, entries: Callable[[str, int], list[bytes]],
              schema: list[tuple[str, str, str, str]]) -> tuple[list[str], list[Part], Layout]:
    """``database``'s pages, its groups' rows read by ``entries(table, group)``."""
    made_parts: list[tuple[str, Part]] = []

    def part(data: bytes) -> tuple[str, Part]:
        key = hashlib.sha1(data).hexdigest()
        found = previous.get(key) if previous is not None else None
        return key, found if found is not None and found.size == len(data) else compress(data)

    pieces: dict[tuple[int | None, int | None], dict[str, Piece]] = {}
    roots: dict[str, bytes] = {}
    trees: dict[str, tuple[list[int], list[Any]]] = {}
    number = _HEAD_PAGES + 1
    for table in SQLITE_TABLES:
        spans = [(None, None)] if table in _FIXED else ranges
        items: list[tuple[int, Piece | None, Leaves | None, bool]] = []  # group, kept piece or new leaves, lead in
        lead = False
        for group, span in enumerate(spans):
            kept = None if old is None or table in _FIXED or group in changed else old.pieces.get(span, {}).get(table)
            if kept is not None and kept.lead_in == lead:
                items.append((group, kept, None, lead))
                lead = kept.lead_out
            else:
                made = pack(table, entries(table, group), lead)
                items.append((group, None, made, lead))
                lead = made.lead_out
        if not lead and table != "reports":  # the sequence ends with an entry with no leaf after it
            _end_with_a_leaf(items, partial(entries, table), table)
        total = sum(kept.leaves if kept is not None else made.leaves  # type: ignore[union-attr]
                    for _, kept, made, _ in items)
        children: list[int] = []
        keys: list[Any] = []
        for group, kept, made, lead_in in items:
            found: Part | None = None
            if kept is not None and ((total == 1 and kept.leaves) or (kept.overflow and kept.start != number)):
                kept = None  # its overflow pages moved, or its one leaf goes to the root
            if kept is not None and kept.key:
                found = previous.get(kept.key) if previous is not None else None
                if found is None:  # not in the previous zip after all
                    kept = None
            if kept is not None:
                if found is not None:
                    made_parts.append((kept.key, found))
                children.extend(range(number, number + kept.leaves))
                keys.extend(kept.keys)
                pieces.setdefault(spans[group], {})[table] = replace(kept, start=number)
                number += kept.pages
                continue
            if made is None:
                made = pack(table, entries(table, group), lead_in)
            at_root = total == 1 and made.leaves == 1
            pages = made.made.number(number + (0 if at_root else made.leaves))
            if at_root:
                roots[table], pages = pages[0], pages[1:]
            else:
                children.extend(range(number, number + made.leaves))
            keys.extend(made.keys)
            key = ""
            if pages:
                key, compressed = part(b"".join(pages))
                made_parts.append((key, compressed))
            if not at_root and not made.merged:  # (made again each time: one page, or a rare end)
                pieces.setdefault(spans[group], {})[table] = Piece(
                    made.leaves, len(pages), made.keys, lead_in, made.lead_out, number, bool(made.made.holes), key)
            number += len(pages)
        trees[table] = (children, keys)
        if total == 0:
            roots[table] = _empty_leaf(table)
    tail: list[bytes] = []
    for table in SQLITE_TABLES:
        children, keys = trees[table]
        if len(children) > 1:
            if len(keys) != (len(children) if table == "reports" else len(children) - 1):
                raise ValueError(f"{table}: {len(keys)} keys for {len(children)} leaves")
            roots[table], pages = _interior(table, children, keys, number)
            number += len(pages)
            tail.extend(pages)
    head = part(_schema_page(schema, number - 1) + b"".join(roots[table] for table in SQLITE_TABLES))
    ends = [part(b"".join(tail))] if tail else []
    keys_out = [key for key, _ in (head, *made_parts, *ends)]
    return keys_out, [p for _, p in (head, *made_parts, *ends)], Layout(bounds, pieces)
