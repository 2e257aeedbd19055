"""Zip files assembled from compressed parts, so that a rebuild compresses only what changed.

A zip member's data is one raw deflate stream. Here each member is made of *parts*, each
compressed on its own by a fresh compressor and ended with a sync flush (which ends it on a
byte boundary without ending the stream), and one empty final block after the last part:
the parts laid end to end are one valid stream, and a part's compressed bytes do not depend
on what comes before or after it. A rebuild that changed one report copies every other
part's compressed bytes from the previous zip and compresses one part.

The member's CRC-32 is combined from the parts' (``crc_combine``): CRC-32 is affine, so
crc(A + B) is crc(A) carried past len(B) zero bytes, combined with crc(B); zlib computes
the first term at C speed. The zip records fixed dates and permissions, so the same parts
give the same bytes.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from giro_site.site import compression
from giro_site.site.build.output import file_stamp

# zlib's default level. The fastest (1) takes a third of the time, but the downloads are then
# 40 % bigger (the yearly files of the 10,000-report bench: 11.7 → 16.6 MB; every year at once
# 7.8 → 9.5 MB), which the site's weight (≤ 20 KB a report) cannot afford. A rebuild deflates
# only the parts that changed, so the level costs a full build, not a one-report rebuild.
ZIP_LEVEL = 6
FINAL_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman codes): ends the stream
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, the earliest date a zip can hold; time 00:00
_ATTRIBUTES = 0o644 << 16  # -rw-r--r--
_MADE_BY = (3 << 8) | 20  # Unix, zip 2.0
_LIMIT = 0xFFFFFFFF  # past this a member would need ZIP64 fields, which this writer does not make


@dataclass(frozen=True)
class Part:
    """A piece of a member: its raw bytes' CRC-32 and length, and its compressed bytes."""

    crc: int
    size: int
    data: bytes


def compress(raw: bytes | memoryview) -> Part:
    """One part: ``raw`` deflated by a fresh compressor, ended by a sync flush."""
    compressor = compression.compressobj(ZIP_LEVEL, compression.DEFLATED, -15)
    return Part(compression.crc32(raw), len(raw), compressor.compress(raw) + compressor.flush(compression.Z_SYNC_FLUSH))


_POLY = 0xEDB88320  # CRC-32's polynomial, bits reflected as zlib keeps them


def _times(a: int, b: int) -> int:
    """a·b modulo the polynomial, in CRC-32's reflected bit order."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial for k < 64: squaring the previous one."""
    powers = [1 << 30]  # x
    for _ in range(63):
        powers.append(_times(powers[-1], powers[-1]))
    return powers


_POWERS = _powers()


_OPERATORS: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}


def _operator(k: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Multiplication by x^(8·2^k) (carrying a CRC past 2^k zero bytes) as four tables, one
    per byte of the CRC: the product is linear in the CRC, so it is the XOR of each byte's.
    Made when first needed (32 products and 1,024 XORs), then kept."""
    found = _OPERATORS.get(k)
    if found is None:
        factor = _POWERS[k + 3]
        tables = []
        for byte in range(4):
            table = [0] * 256
            for bit in range(8):
                table[1 << bit] = _times(factor, 1 << (8 * byte + bit))
            for value in range(3, 256):
                low = value & -value
                if value != low:
                    table[value] = table[value ^ low] ^ table[low]
            tables.append(table)
        found = _OPERATORS[k] = (tables[0], tables[1], tables[2], tables[3])
    return found


def crc_combine(first: int, second: int, second_length: int) -> int:
    """crc32(A + B) from crc32(A), crc32(B) and len(B): CRC-32 is affine, so the first CRC
    is carried past len(B) bytes by a multiplication in GF(2)[x] modulo the polynomial, one
    table look-up per byte for each bit of the length (time logarithmic in the length, not
    linear as running the CRC over zeros would be)."""
    crc, k = first, 0
    while second_length and crc:
        if second_length & 1:
            t0, t1, t2, t3 = _operator(k)
            crc = t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24]
        second_length >>= 1
        k += 1
    return crc ^ second


def member_crc(parts: list[Part]) -> int:
    crc = 0
    for part in parts:
        crc = crc_combine(crc, part.crc, part.size)
    return crc


@dataclass(frozen=True)
class Placed:
    """Where a member's parts are in a written zip: the offset of its data, then each part's
    compressed length, so a later build can read a part back (``read_part``)."""

    offset: int
    lengths: list[int]

    def spans(self) -> list[tuple[int, int]]:
        spans, position = [], self.offset
        for length in self.lengths:
            spans.append((position, length))
            position += length
        return spans


def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, zlib.DEFLATED, 0, _DOS_DATE, crc, packed, size,
                       len(name), 0) + name


def _central_entry(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", _MADE_BY, 20, 0, zlib.DEFLATED, 0, _DOS_DATE, crc, packed,
                       size, len(name), 0, 0, 0, 0, _ATTRIBUTES, offset) + name


def write_zip(target: Path, members: list[tuple[str, list[Part]]]) -> list[Placed]:
    """Write ``target`` (through a temporary file, renamed into place) from each member's
    parts; returns where each member's parts are in it."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    placed: list[Placed] = []
    central: list[bytes] = []
    with open(temporary, "wb") as out:
        for name, parts in members:
            encoded = name.encode("ascii")
            size = sum(p.size for p in parts)
            packed = sum(len(p.data) for p in parts) + len(FINAL_BLOCK)
            offset = out.tell()
            if max(size, packed, offset) >= _LIMIT:
                raise ValueError(f"{name}：超过 4 GiB，zip 文件需要 ZIP64 格式，本程序不生成")
            crc = member_crc(parts)
            out.write(_local_header(encoded, crc, packed, size))
            placed.append(Placed(out.tell(), [len(p.data) for p in parts]))
            for part in parts:
                out.write(part.data)
            out.write(FINAL_BLOCK)
            central.append(_central_entry(encoded, crc, packed, size, offset))
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    os.replace(temporary, target)
    return placed


def whole(raw: bytes) -> list[Part]:
    """A small member as one part."""
    return [compress(raw)] if raw else []


def read_part(reader: object, span: tuple[int, int], crc: int, size: int) -> Part:
    """A part of a previous zip, open as ``reader`` (a binary file), at ``span``."""
    reader.seek(span[0])  # type: ignore[attr-defined]
    data = reader.read(span[1])  # type: ignore[attr-defined]
    if len(data) != span[1]:
        raise ValueError("zip file shorter than its parts say")
    return Part(crc, size, data)


# --- parts kept between builds -------------------------------------------------------------

Record = dict[str, object]  # what the cache keeps of a member: the zip's stamp, where its parts are, their keys


Pieces = list[list[int] | None]  # each part's pieces' lengths (None: not known), beside its parts


def records(target: Path, placed: list[Placed], keyed: list[tuple[list[str], list[Part]]],
            pieces: list[Pieces | None] | None = None) -> list[Record]:
    """What to keep of each member of the zip just written (``write_zip``'s ``placed``, with
    each member's part keys and parts, and where known the lengths of the pieces each part
    joins: ``textparts.OldPieces``), for ``Previous`` in the next build."""
    stamp = file_stamp(target)
    kept: list[Record] = []
    for index, (where, (keys, parts)) in enumerate(zip(placed, keyed, strict=True)):
        record: Record = {"stamp": stamp, "offset": where.offset,
                          "parts": [[key, part.crc, part.size, len(part.data)]
                                    for key, part in zip(keys, parts, strict=True)]}
        if pieces is not None and pieces[index] is not None:
            record["pieces"] = pieces[index]
        kept.append(record)
    return kept


class Previous:
    """The parts of one member of a zip an earlier build wrote (its ``Record``), by key: a part
    whose key is here is read back instead of compressed again. Nothing is reused when the
    zip is not the one recorded (its size or time differ)."""

    def __init__(self, zip_path: Path, record: Record | None):
        self.path = zip_path
        self.spans: dict[str, tuple[int, int, int, int]] = {}  # key → offset, length, crc, size
        self.ordered: list[tuple[str, tuple[int, int, int, int]]] = []  # each part in the member's order
        self.pieces: dict[str, list[int]] = {}  # key → its pieces' lengths, where recorded
        self._reader: object | None = None
        if not record or record.get("stamp") != file_stamp(zip_path):
            return
        position = int(record["offset"])  # type: ignore[call-overload]
        for key, crc, size, length in record["parts"]:  # type: ignore[attr-defined]
            self.spans.setdefault(key, (position, length, crc, size))
            self.ordered.append((key, (position, length, crc, size)))
            position += length
        lengths = record.get("pieces")
        if isinstance(lengths, list) and len(lengths) == len(self.ordered):
            for (key, _), each in zip(self.ordered, lengths, strict=True):
                if isinstance(each, list):
                    self.pieces.setdefault(key, each)

    def at(self, index: int) -> tuple[str, Part] | None:
        """The member's part at ``index`` in its order, with its key."""
        if not 0 <= index < len(self.ordered):
            return None
        key, found = self.ordered[index]
        return key, self._read(found)

    def get(self, key: str) -> Part | None:
        found = self.spans.get(key)
        return None if found is None else self._read(found)

    def _read(self, found: tuple[int, int, int, int]) -> Part:
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed by ``close``
        return read_part(self._reader, (found[0], found[1]), found[2], found[3])

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()  # type: ignore[attr-defined]
            self._reader = None


FILE_PART = 1 << 18  # 256 KiB: 64 database pages


def file_parts(path: Path, previous: Previous | None) -> tuple[list[str], list[Part]]:
    """A file (a database) cut into parts of ``FILE_PART`` bytes, each keyed by its bytes' hash:
    after a one-report change a database laid out again by VACUUM differs in a few pages, so
    most parts are read back from the previous zip."""
    import hashlib

    keys: list[str] = []
    parts: list[Part] = []
    with open(path, "rb") as source:
        while chunk := source.read(FILE_PART):
            key = hashlib.sha1(chunk).hexdigest()
            part = previous.get(key) if previous is not None else None
            if part is None or part.size != len(chunk):
                part = compress(chunk)
            keys.append(key)
            parts.append(part)
    return keys, parts
