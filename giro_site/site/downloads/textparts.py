"""The yearly CSV and JSON, and the all-years CSV, zipped from parts of a few dozen reports.

A year's reports are cut into groups at reports chosen by their names alone (a report ends
a group when its name's CRC is divisible by ``GROUP``), so a report corrected, added or
removed changes only its own group, and a full build and any sequence of rebuilds cut the
same reports the same way. Each group is one compressed part of the zip member
(``deflate``), kept by a key over its reports' names and versions: a rebuild makes the
bytes of the groups whose key changed and reads every other part back from the previous
zip. No unzipped copy is kept: the all-years CSV is the yearly CSVs' parts one after the
other (behind one header), so it is never compressed at all.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from giro_site.site.downloads.deflate import Part, Previous, Record, compress, records, whole, write_zip

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


def group_of(names: Sequence[str], index: int) -> tuple[int, int]:
    """(start, end) of the group of ``name_groups`` that holds ``names[index]``, found by
    looking at the names around it only (a group is a few dozen of tens of thousands)."""
    start, end = index, index
    while start and not _ends_group(names[start - 1]):
        start -= 1
    while end < len(names) - 1 and not _ends_group(names[end]):
        end += 1
    return start, end + 1


def _ends_group(name: str) -> bool:
    return zlib.crc32(name.encode("utf-8")) % GROUP == 0


def _key(salt: bytes, items: Sequence[Item], first: bool) -> str:
    digest = hashlib.sha1(salt)
    digest.update(b"\1" if first else b"\0")
    for item in items:
        digest.update(f"\0{item.name}\0{item.version}".encode())
    return digest.hexdigest()


def item_parts(items: Sequence[Item], piece: Callable[[Any], bytes], separator: bytes, salt: bytes,
               previous: Previous | None) -> tuple[list[str], list[Part], int]:
    """The parts of ``items`` (their pieces joined by ``separator``), each reused from
    ``previous`` where its key is there; and how many were compressed anew."""
    keys: list[str] = []
    parts: list[Part] = []
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
        keys.append(key)
        parts.append(part)
    return keys, parts, made


Member = tuple[str, list[str], list[Part]]  # name in the zip, part keys, parts


def write(target: Path, members: list[Member]) -> dict[str, Record]:
    """Write the zip; returns each member's record (for ``Previous`` next time)."""
    placed = write_zip(target, [(name, parts) for name, _, parts in members])
    kept = records(target, placed, [(keys, parts) for _, keys, parts in members])
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
