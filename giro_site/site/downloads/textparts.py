"""The yearly CSV and JSON, and the all-years CSV, zipped from parts of a few dozen reports.

A year's reports are cut into groups at reports chosen by their names alone (a report ends
a group when its name's CRC is divisible by ``GROUP``), so a report corrected, added or
removed changes only its own group, and a full build and any sequence of rebuilds cut the
same reports the same way. Each group is one compressed part of the zip member
(``deflate``), kept by a key over its reports' names and versions: a rebuild makes the
bytes of the groups whose key changed and reads every other part back from the previous
zip. No unzipped copy is kept: the all-years CSV is the yearly CSVs' parts one after the
other (behind one header), so it is never compressed at all. Beside each part the cache
records the lengths of the pieces it joins, so a group made again can take its unchanged
reports' pieces out of the previous zip instead of making them (``OldPieces``).
"""

from __future__ import annotations

import hashlib
import zlib
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from giro_site.site.downloads.deflate import Part, Pieces, Previous, Record, compress, records, whole, write_zip

GROUP = 64  # reports a part holds, on average


class Item(Protocol):
    """A report as a download row: its name and a version that changes with its bytes."""

    @property
    def name(self) -> str: ...

    version: str


def groups(items: Sequence[Item]) -> list[tuple[int, int]]:
    """(start, end) of each group of ``items``: a group ends after an item whose name's CRC is
    divisible by ``GROUP``, or at the end."""
    return name_groups([item.name for item in items])


def name_groups(names: Sequence[str]) -> list[tuple[int, int]]:
    """``groups`` of items of these names."""
    bounds, start = [], 0
    for index, name in enumerate(names):
        if _ends_group(name):
            bounds.append((start, index + 1))
            start = index + 1
    if start < len(names):
        bounds.append((start, len(names)))
    return bounds


def _ends_group(name: str) -> bool:
    return zlib.crc32(name.encode("utf-8")) % GROUP == 0


def _key(salt: bytes, items: Sequence[Item], first: bool) -> str:
    digest = hashlib.sha1(salt)
    digest.update(b"\1" if first else b"\0")
    for item in items:
        digest.update(f"\0{item.name}\0{item.version}".encode())
    return digest.hexdigest()


def item_parts(items: Sequence[Item], piece: Callable[[Any], bytes], separator: bytes, salt: bytes,
               previous: Previous | None) -> tuple[list[str], list[Part], int, Pieces]:
    """The parts of ``items`` (their pieces joined by ``separator``), each reused from
    ``previous`` where its key is there; how many were compressed anew; and the lengths of
    each part's pieces (``OldPieces``)."""
    keys: list[str] = []
    parts: list[Part] = []
    lengths: Pieces = []
    made = 0
    for start, end in groups(items):
        members = items[start:end]
        key = _key(salt, members, start == 0)
        part = previous.get(key) if previous is not None else None
        if part is None:
            pieces = [piece(item) for item in members]
            raw = separator.join(pieces)
            part = compress(separator + raw if start and separator else raw)
            made += 1
            lengths.append([len(each) for each in pieces])
        else:
            lengths.append(previous.pieces.get(key))  # type: ignore[union-attr]
        keys.append(key)
        parts.append(part)
    return keys, parts, made, lengths


class _Named(NamedTuple):
    name: str
    version: str


class OldOrder:
    """The items a zip an earlier build wrote was made of (``versions``: names and versions,
    in that order) and where its groups start, worked out when first needed and shared by
    the members made of the same items (a year's CSV and JSON)."""

    def __init__(self, versions: Mapping[str, str]):
        self.versions = versions
        self.names: list[str] = []
        self.starts: list[int] = []  # each group's first position (``name_groups`` of the names)
        self.position: dict[str, int] = {}

    def group_of(self, name: str) -> int:
        """The ordinal of the group holding ``name`` (one of ``versions``)."""
        if not self.names:
            self.names = list(self.versions)
            self.starts = [start for start, _ in name_groups(self.names)]
            self.position = {each: index for index, each in enumerate(self.names)}
        return bisect_right(self.starts, self.position[name]) - 1


class OldPieces:
    """The pieces of a member's items as a zip an earlier build wrote holds them
    (``previous``, made of the items ``order`` names), cut out of its parts by the lengths
    recorded beside them. A group's part made again needs every item's piece; a child sent
    only the items that changed (``ahead``) takes the others' from here. A piece is given
    only for an item of the very name and version its part was made of (its key says so),
    and only when the part's bytes check out; else None. ``first``: the parts ahead of the
    items' (a header)."""

    def __init__(self, previous: Previous, order: OldOrder, separator: bytes, salt: bytes, first: int):
        self.previous, self.order, self.separator, self.salt, self.first = previous, order, separator, salt, first
        self._cut: dict[str, bytes] = {}

    def piece(self, name: str, version: str) -> bytes | None:
        if self.order.versions.get(name) != version:
            return None
        if name not in self._cut:
            self._cut.update(self._group(self.order.group_of(name)))
        return self._cut.get(name)

    def _group(self, ordinal: int) -> dict[str, bytes]:
        """The pieces of the group at ``ordinal``, by name ({} when they cannot be trusted)."""
        order = self.order
        start = order.starts[ordinal]
        end = order.starts[ordinal + 1] if ordinal + 1 < len(order.starts) else len(order.names)
        names = order.names[start:end]
        found = self.previous.at(self.first + ordinal)
        if found is None:
            return {}
        key, part = found
        lengths = self.previous.pieces.get(key)
        if key != _key(self.salt, [_Named(n, order.versions[n]) for n in names], start == 0) \
                or lengths is None or len(lengths) != len(names):
            return {}
        try:
            raw = zlib.decompressobj(-15).decompress(part.data)
        except zlib.error:
            return {}
        if len(raw) != part.size or zlib.crc32(raw) != part.crc:
            return {}
        position = len(self.separator) if start and self.separator else 0
        cut: dict[str, bytes] = {}
        for each, length in zip(names, lengths, strict=True):
            cut[each] = raw[position:position + length]
            position += length + len(self.separator)
        return cut if position - len(self.separator) == len(raw) else {}


Member = tuple[str, list[str], list[Part]]  # name in the zip, part keys, parts


def write(target: Path, members: list[Member], pieces: list[Pieces | None] | None = None) -> dict[str, Record]:
    """Write the zip; returns each member's record (for ``Previous`` next time), with the
    lengths of its parts' pieces where given (``pieces``, by member)."""
    placed = write_zip(target, [(name, parts) for name, _, parts in members])
    kept = records(target, placed, [(keys, parts) for _, keys, parts in members], pieces)
    return {name: record for (name, _, _), record in zip(members, kept, strict=True)}


def fixed(name: str, data: bytes) -> Member:
    """A small member made whole at every build (the dictionary, a README)."""
    parts = whole(data)
    return name, [hashlib.sha1(data).hexdigest() for _ in parts], parts


def previous(folder: Path, file_name: str, member: str, held: dict[str, Any] | None) -> Previous:
    """The parts of ``member`` of the zip ``file_name`` in ``folder`` as ``held`` recorded."""
    return Previous(folder / file_name, (held or {}).get(member))


def read_all(zip_path: Path, record: Record, skip: int = 0) -> list[Part]:
    """Every part of a member after the first ``skip`` (the all-years CSV takes each year's
    parts but its header), as ``record`` says they are (the caller knows the zip is the
    one recorded)."""
    parts = []
    position = int(record["offset"])  # type: ignore[call-overload]
    with open(zip_path, "rb") as stream:
        for index, (_, crc, size, length) in enumerate(record["parts"]):  # type: ignore[attr-defined]
            if index >= skip:
                stream.seek(position)
                data = stream.read(length)
                if len(data) != length:
                    raise ValueError(f"{zip_path.name} 比缓存记录的短")
                parts.append(Part(crc, size, data))
            position += length
    return parts
