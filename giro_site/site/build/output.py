"""Writing the site so that a failed build leaves the previous one whole, and so that the
build never removes what it did not write.

* Before anything is built, ``inspect_output`` decides whether ``--out`` may be replaced:
  only a folder the build made (it holds the ``MARKER`` file, or it is a build of the
  previous version, recognised by the cache's manifest beside it), an empty or absent
  one, or with ``--force`` a foreign one, which is moved aside, never deleted. The
  content folder, and any folder holding it or inside it, is refused outright.
* A full build writes everything into a staging folder beside the output, which replaces
  the output in two renames once the build succeeded (``Staging``); the replaced folder
  loses only the files the last build wrote (``retire``): a file someone added is moved
  into the new output.
* A rebuild after a small change renders everything it changes into memory first; only
  then does it write each changed file to a temporary name and rename it into place
  (``InPlace``). A rendering error writes nothing; a write error (disk full) removes the
  temporary files and leaves every existing file as it was.
* Folders an interrupted build left beside the output (``.NAME.staging-PID``,
  ``.NAME.old-PID``) are cleaned at the next build when they hold the marker and their
  process is gone (``clean_leftovers``). The temporary files of a rebuild killed while it
  wrote (``.index.html.giro-PID.tmp``) are listed in a journal in the cache folder before
  the first is written, and removed by the next build, so they are never published.
* One build at a time writes an output folder (``lock.build_lock``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from giro_site.errors import ReportError

# The file that says "this folder is a site this tool wrote": written first into every
# staging folder and kept in the output, so a later build knows it may replace it.
MARKER = ".giro-site"
MARKER_TEXT = b"giro-site output folder: written by `python build.py build`; the next build replaces it.\n"
# What InPlace writes before renaming into place; left behind only by a killed build.
_TEMPORARY = re.compile(r"\..+\.giro-\d+\.tmp")


class OutputRefused(ReportError):
    """``--out`` names a folder the build must not replace; the message says why and what to do."""


def is_marked(folder: Path) -> bool:
    try:
        with open(folder / MARKER, "rb") as marker:
            return marker.read(len(MARKER_TEXT)) == MARKER_TEXT
    except OSError:
        return False


def _is_previous_build(out: Path, manifest: dict[str, object]) -> bool:
    """A site built before the marker existed: the cache's manifest beside it lists its files,
    and the hashed asset files it names (names no other tool writes) are all there."""
    files = manifest.get("files")
    assets = [name for name in files if name.startswith("assets/")] if isinstance(files, dict) else []
    return bool(assets) and all((out / name).is_file() for name in assets)


def _relation(out: Path, folder: Path, name: str) -> str | None:
    if out == folder:
        return f"就是{name}"
    if folder in out.parents:
        return f"在{name}里面"
    if out in folder.parents:
        return f"包含{name}"
    return None


@dataclass
class OutputFolder:
    """The output folder as found before the build, and what the build may do with it."""

    path: Path  # resolved: the real folder, even when --out is a symbolic link to it
    state: str  # "new" (absent or empty) · "ours" (a site this tool built) · "foreign" (replaced with --force)
    notes: list[str] = field(default_factory=list)  # what the build did beside the output, for the maintainer


def inspect_output(content: Path, out: Path, *, manifest: dict[str, object], force: bool = False,
                   sources: tuple[Path, ...] = ()) -> OutputFolder:
    """May the build replace ``out``? Raises ``OutputRefused`` with the reason if not.
    ``sources`` are further folders the build reads (templates, assets), kept like content.

    One stat and at most one directory entry read for a folder that is ours: the check
    costs nothing per file."""
    real = out.resolve()
    for folder, name in ((content, "内容文件夹"), *((source, "模板或资源文件夹") for source in sources)):
        relation = _relation(real, folder.resolve(), name)
        if relation is not None:
            raise OutputRefused(f"输出文件夹{relation}（{folder}）。生成网站会替换整个输出文件夹，"
                                f"其中的文件会因此丢失。请用{name}以外的新文件夹，如 --out public", path=str(out))
    for protected, what in ((Path.cwd().resolve(), "当前文件夹"), (Path.home().resolve(), "用户主文件夹")):
        if real == protected or real in protected.parents:
            raise OutputRefused(f"输出文件夹是{what}或包含{what}：生成网站会替换整个输出文件夹。请用一个新的子文件夹，"
                                "如 --out public", path=str(out))
    if not real.exists():
        return OutputFolder(real, "new")
    if not real.is_dir():
        raise OutputRefused("这是一个文件，不是文件夹：请用 --out 指定一个新的或空的文件夹", path=str(out))
    if is_marked(real) or _is_previous_build(real, manifest):
        return OutputFolder(real, "ours")
    with os.scandir(real) as entries:
        if next(entries, None) is None:
            return OutputFolder(real, "new")
    if force:
        return OutputFolder(real, "foreign")
    raise OutputRefused(f"这个文件夹不是空的，也不是本程序生成的网站（没有标记文件 {MARKER}）。"
                        "生成网站会替换其中的全部内容，所以没有动它。请用 --out 指定一个新的或空的文件夹；"
                        "如确实要用这个文件夹，加上 --force："
                        f"原有内容会整个移到旁边的 {real.name}.replaced-日期时间 文件夹，不会删除", path=str(out))


def manifest_files(manifest: dict[str, object]) -> set[str] | None:
    """Every file the build that wrote ``manifest`` put in the output; None if not known."""
    files, agencies = manifest.get("files"), manifest.get("agencies")
    if not isinstance(files, dict) or not isinstance(agencies, dict):
        return None
    return {*files, *(name for agency in agencies.values() for name in agency.get("files", ()))}


def _aside(out: Path, why: str) -> Path:
    """A new, visible name beside ``out`` for a folder the build keeps instead of deleting."""
    base = out.parent / f"{out.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, count = base, 1
    while os.path.lexists(candidate):
        count += 1
        candidate = base.with_name(f"{base.name}-{count}")
    return candidate


def retire(old: Path, out: Path, ours: set[str] | None) -> list[str]:
    """Remove a replaced output folder: the files the build wrote (``ours``; all, if that is
    not known) go; a file someone else put there is moved to the same place in ``out``, or,
    where the new site has a file of that name, kept in a visible folder beside it.
    Returns notes for the maintainer."""
    carried: list[str] = []
    top = str(old)
    for folder, folders, files in os.walk(top, topdown=False):
        inside = folder[len(top) + 1:]
        links = [name for name in folders if os.path.islink(os.path.join(folder, name))]
        for name in files + links:
            relative = f"{inside}/{name}" if inside else name
            path = os.path.join(folder, name)
            if ours is None or relative in ours or relative == MARKER or _TEMPORARY.fullmatch(name):
                os.unlink(path)
                continue
            target = out / relative
            try:
                if os.path.lexists(target):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(path, target)
                carried.append(relative)
            except OSError:
                continue  # a file of the new site stands where its folder would go: kept below
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # emptied, unless something was kept
    notes = []
    if carried:
        notes.append(f"输出文件夹中有 {len(carried)} 个不是本程序生成的文件（如 {carried[0]}），"
                     "已原样保留在新生成的网站中")
    if old.exists():
        kept = _aside(out, "kept")
        os.rename(old, kept)
        notes.append(f"输出文件夹中有不是本程序生成、又与新网站的文件同名的文件，已移到 {kept}，请查看后自行处理")
    return notes


_LEFTOVER = r"\.{name}\.(staging|old)-(\d+)"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out: Path, ours: Callable[[], set[str] | None]) -> list[str]:
    """Clean what interrupted builds left beside ``out``: a staging folder is removed, a
    replaced output is retired into ``out`` (or put back, when the build stopped between
    its two renames). Only folders named as this tool names them, holding its marker, whose
    process is gone; others are named in a note and left alone. ``ours`` gives the files the
    last build wrote, asked only when a replaced output is found."""
    pattern = re.compile(_LEFTOVER.format(name=re.escape(out.name)))
    try:
        with os.scandir(out.parent) as entries:
            found = sorted((e.name, m.group(1), int(m.group(2))) for e in entries
                           if (m := pattern.fullmatch(e.name)) and e.is_dir(follow_symlinks=False))
    except OSError:
        return []
    notes = []
    for name, kind, pid in sorted(found, key=lambda item: item[1] != "old"):  # a replaced output first
        folder = out.parent / name
        if _alive(pid):
            continue
        if not is_marked(folder):
            notes.append(f"{folder} 像是以前中断的生成留下的文件夹，但没有本程序的标记，未删除；确认无用后请自行删除")
        elif kind == "old" and not out.exists():
            os.rename(folder, out)  # the build stopped between its two renames: the last site is back
        elif kind == "old":
            notes.extend(retire(folder, out, ours()))
        else:
            shutil.rmtree(folder)
    return notes


@dataclass(frozen=True)
class Linked:
    """A file of the build's cache that the build only ever replaces by renaming a new file
    over it, never changes in place (a download: ``deflate.write_zip``): linked into the
    site rather than copied (tens of megabytes at 50,000 reports); copied where the two
    folders cannot share a file. A report's original is never one: a maintainer may edit it
    in place."""

    path: Path


Payload = bytes | Path | Linked  # content, a file to copy, or a cache's file to link


def _place(payload: Path | Linked, target: Path) -> None:
    if isinstance(payload, Linked):
        try:
            os.link(payload.path, target)
            return
        except OSError:  # another file system, or one without links: a copy
            target.unlink(missing_ok=True)
            payload = payload.path
    _copy(payload, target)


def _copy(source: Path, target: Path) -> None:
    """``shutil.copyfile`` without its checks (two ``stat`` calls a file for the same file,
    two more for pipes: the build's own paths are neither), by ``sendfile`` on Linux between
    bare descriptors (Python's file objects, unused here, cost a third of a small file's
    copy): a full build copies thousands of originals."""
    if sys.platform != "linux":
        shutil.copyfile(source, target)
        return
    try:
        given = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
        try:
            made = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                while os.sendfile(made, given, None, 1 << 30):
                    pass
            finally:
                os.close(made)
        finally:
            os.close(given)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
        shutil.copyfile(source, target)  # a file system without sendfile


def _inside(relative: str) -> str:
    """A path under the output folder, or a bug: every name is made safe where it is built
    (``urls``, slugs, page names); this is the last guard before a write."""
    if relative.startswith("/") or relative == ".." or relative.startswith("../") or "/../" in relative \
            or relative.endswith("/.."):
        raise ValueError(f"output path outside the output folder: {relative!r}")
    return relative


class Staging:
    def __init__(self, out: Path, *, stage: Path | None = None):
        self.out = out
        self.stage = stage or out.parent / f".{out.name}.staging-{os.getpid()}"
        self._root = str(self.stage)
        self._dirs: set[str] = set()

    def create(self) -> Staging:
        if self.stage.exists():
            if not is_marked(self.stage):
                raise OutputRefused(f"{self.stage} 已存在，但不是本程序的暂存文件夹：请确认后删除", path=str(self.out))
            shutil.rmtree(self.stage)  # left by a build that had this process id
        self.stage.mkdir(parents=True)
        (self.stage / MARKER).write_bytes(MARKER_TEXT)  # first: an interrupted build's folder is known as ours
        self._dirs.add(self._root)
        return self

    def _target(self, relative: str) -> str:
        # (Strings and os calls, not pathlib: a full build stages tens of thousands of files,
        # and pathlib's objects cost ~10 µs a file, 0.3 CPU s at 10,000 reports.)
        target = os.path.join(self._root, _inside(relative))
        parent = os.path.dirname(target)
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        return target

    def put(self, relative: str, payload: Payload) -> None:
        target = self._target(relative)
        if not isinstance(payload, bytes):
            _place(payload, Path(target))
            return
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(handle, view):]
        finally:
            os.close(handle)

    def commit(self, folder: OutputFolder, ours: set[str] | None) -> list[str]:
        """Swap the staged site in. The replaced folder is retired (``ours``: the files the
        last build wrote) or, if it was not a site of this tool (``--force``), moved aside
        whole. Returns notes for the maintainer."""
        notes = []
        old = None
        if folder.state == "foreign" and self.out.exists():
            aside = _aside(self.out, "replaced")
            self.out.rename(aside)
            notes.append(f"输出文件夹原有的内容已移到 {aside}（没有删除）")
        elif self.out.exists():
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            self.out.rename(old)
        self.stage.rename(self.out)
        if old is not None:
            notes += retire(old, self.out, ours)
        return notes

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


class InPlace:
    """Replace files of the output one by one, each written to a temporary name first.
    ``journal`` (a file in the cache folder) lists the temporary names while they exist, so
    that the next build removes those a killed build left (``remove_temporaries``)."""

    def __init__(self, out: Path, *, journal: Path | None = None):
        self.out = out
        self.journal = journal
        self.pending: dict[str, Payload] = {}
        self.removals: set[str] = set()

    def put(self, relative: str, payload: Payload) -> None:
        self.pending[_inside(relative)] = payload

    def remove(self, relative: str) -> None:
        self.removals.add(relative)

    def commit(self) -> None:
        temporaries: list[tuple[Path, Path]] = []
        suffix = f".giro-{os.getpid()}.tmp"
        if self.journal is not None:
            remove_temporaries(self.out, self.journal)
            if self.pending:
                names = [str(Path(relative).with_name(f".{Path(relative).name}{suffix}")) for relative in self.pending]
                save_state(self.journal, {"out": str(self.out), "temporaries": sorted(names)})
        try:
            for relative, payload in sorted(self.pending.items()):
                target = self.out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".{target.name}{suffix}")
                if not isinstance(payload, bytes):
                    _place(payload, temporary)
                else:
                    temporary.write_bytes(payload)
                temporaries.append((temporary, target))
        except BaseException:
            for temporary, _ in temporaries:
                temporary.unlink(missing_ok=True)
            raise
        for temporary, target in temporaries:
            os.replace(temporary, target)
        if self.journal is not None:
            self.journal.unlink(missing_ok=True)
        for relative in sorted(self.removals - set(self.pending)):
            target = self.out / relative
            target.unlink(missing_ok=True)
            _prune_empty(target.parent, self.out)

    def abort(self) -> None:
        self.pending.clear()


def remove_temporaries(out: Path, journal: Path) -> int:
    """Remove the temporary files a rebuild killed while writing left in ``out`` (named in its
    ``journal``); returns how many. Only names of the temporary-file pattern, inside ``out``."""
    state = load_state(journal)
    names = state.get("temporaries")
    removed = 0
    if isinstance(names, list) and state.get("out") == str(out):
        for name in names:
            if not isinstance(name, str) or not _TEMPORARY.fullmatch(Path(name).name):
                continue
            try:
                path = out / _inside(name)
            except ValueError:
                continue
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
    journal.unlink(missing_ok=True)
    return removed


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def load_state(path: Path) -> dict[str, Any]:
    """A cache file the build wrote (a manifest, a download's state): {} when missing or unreadable,
    so a damaged cache only costs a full rebuild."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(path: Path, data: dict[str, Any]) -> None:
    """Write a cache file whole or not at all (an interrupted build never leaves half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, orjson.dumps(data))


def write_atomically(path: Path, data: bytes) -> None:
    """The file whole or not at all (a killed build leaves the last one)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def file_stamp(path: Path) -> list[int] | None:
    """Size and modification time of a file the cache describes (None when it is gone): a
    record is trusted only while its file still has the stamp written beside it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]
