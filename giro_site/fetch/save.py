"""Files into ``content/reports/``: never over another file, each with its sidecar.

Before writing, the content folder is indexed once: the addresses the sidecars record, and
every file's size (a file is hashed only when a new one has its size). Then for each file:

- the same bytes are already there (fetched before, or put there by hand): nothing is
  written, and a file put there by hand gets the sidecar it lacked;
- the address was fetched before and served other bytes: a new version, named after the
  first one (``x-v2.pdf``), the old one kept;
- else a new file in ``reports/<year>/`` (``reports/unsorted/`` when the year is unknown),
  with a number added if the name is taken.

A file is written under a hidden temporary name and linked to its final name, which fails
rather than replace a file that appeared meanwhile; a build never reads the hidden name.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from giro_site.fetch.sidecar import is_sidecar, read_record, report_of, sidecar_path, write_record

UNSORTED = "unsorted"
SAVED, EXISTS, VERSION = "saved", "exists", "version"
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\s]+")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)
_VERSION_TAIL = re.compile(r"-v\d+$")
MAX_STEM = 60  # characters: a Chinese name in UTF-8 stays well under a file system's 255 bytes


@dataclass
class Saved:
    path: Path
    status: str  # SAVED, EXISTS or VERSION
    other: Path | None = None  # EXISTS: the file with these bytes; VERSION: the earlier version
    sidecar_added: bool = False  # EXISTS: a file put there by hand got its sidecar


def safe_stem(text: str | None, fallback: str = "report") -> str:
    """A file name's stem from a report's name or a link's words: no separators, controls,
    spaces, leading dots or characters Windows refuses; at most ``MAX_STEM`` characters."""
    stem = _BAD_CHARS.sub("_", text or "").strip("._-")[:MAX_STEM].strip("._-")
    if not stem or _WINDOWS_RESERVED.match(stem):
        stem = f"{fallback}_{stem}" if stem else fallback
    return stem


class ContentIndex:
    """What ``content/reports`` holds, for deciding where new bytes go. Not thread-safe on its
    own: ``save`` takes a lock."""

    def __init__(self, content: Path):
        self.reports = content / "reports"
        self.by_url: dict[str, list[Path]] = {}
        self.by_size: dict[int, list[Path]] = {}
        self.with_sidecar: set[Path] = set()
        self._hashes: dict[Path, str] = {}
        self._lock = threading.Lock()
        self._scan()

    def _scan(self) -> None:
        if not self.reports.is_dir():
            return
        records: list[tuple[Path, dict[str, Any]]] = []
        for folder, folders, files in os.walk(self.reports):
            folders[:] = sorted(f for f in folders if not f.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                if is_sidecar(name):
                    record = read_record(path)
                    if record is not None:
                        records.append((Path(report_of(str(path))), record))
                    continue
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                self.by_size.setdefault(size, []).append(path)
        for report, record in records:
            if report.is_file():
                self.with_sidecar.add(report)
                if isinstance(record.get("url"), str):
                    self.by_url.setdefault(record["url"], []).append(report)

    def _sha256(self, path: Path) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None
        return self._hashes[path]

    def same_bytes(self, data: bytes, sha256: str) -> Path | None:
        """A file already holding exactly these bytes."""
        return next((p for p in self.by_size.get(len(data), []) if self._sha256(p) == sha256), None)

    def save(self, data: bytes, record: dict[str, Any], *, year: int | None, stem: str, suffix: str) -> Saved:
        """Keep ``data`` (fetched as ``record`` says) unless it is already there; see the module."""
        with self._lock:
            sha256 = record["sha256"]
            same = self.same_bytes(data, sha256)
            if same is not None:
                added = False
                if same not in self.with_sidecar and not sidecar_path(same).exists():
                    write_record(sidecar_path(same), record)
                    self.with_sidecar.add(same)
                    self.by_url.setdefault(record["url"], []).append(same)
                    added = True
                return Saved(same, EXISTS, same, sidecar_added=added)
            folder = self.reports / (str(year) if year is not None else UNSORTED)
            earlier = list(self.by_url.get(record["url"], []))
            if earlier:
                first = _VERSION_TAIL.sub("", earlier[0].stem)
                stem = f"{first}-v{len(earlier) + 1}"
            path = _write_new(folder, stem, suffix, data)
            write_record(sidecar_path(path), record)
            self.by_size.setdefault(len(data), []).append(path)
            self._hashes[path] = sha256
            self.with_sidecar.add(path)
            self.by_url.setdefault(record["url"], []).append(path)
            if earlier:
                return Saved(path, VERSION, earlier[-1])
            return Saved(path, SAVED)


def _taken(path: Path) -> bool:
    return path.exists() or sidecar_path(path).exists() or path.is_symlink()


def _write_new(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/stem[-n]suffix``, the first such name free; never replaces."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{stem[:20]}.part-{os.getpid()}-{threading.get_ident()}"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        for number in range(1, 10_000):
            path = folder / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
            if _taken(path):
                continue
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: create exclusively instead
                try:
                    with open(path, "xb") as handle:
                        handle.write(data)
                except FileExistsError:
                    continue
            return path
        raise FileExistsError(f"{folder / stem}{suffix}")
    finally:
        temporary.unlink(missing_ok=True)
