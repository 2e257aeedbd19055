"""The downloads of a patched rebuild, made by a child forked when the build starts.

The downloads' child forked the usual way (``aggregates.Downloads.start``) shares every page
of the build's memory, and every page either process writes while both live is copied (in
Python, reading an object writes its reference count): at 50,000 reports the pages about all
agencies took twice as long beside that child. A child forked at the start of a build holds
none of the model. When the build patches its model (``incremental``), it sends this child
what the downloads need: every report's version by year, and the rows of the text groups
that hold a report of a patched agency, whole (a group's part is made again from all its
rows, ``textparts``). The child then makes the files as ``aggregates.make`` does. A row it
needs and was not sent (the cache's state is not the last build's: a build that stopped, a
cache from elsewhere) raises ``aggregates.NotSent``, and the work goes to a child forked the
usual way, which reads every report (``Downloads``' ``instead``). Any other build sends
nothing, and the child ends.

The message is its length (8 bytes), then JSON; the child gives up if its parent is gone.
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from giro_site.site.build.output import load_state
from giro_site.site.downloads import textparts
from giro_site.site.downloads.aggregates import (
    NOT_SENT,
    STATE_FORMAT,
    Downloads,
    LoadRaw,
    NotSent,
    Row,
    RowSource,
    make,
    year_key,
)


class SentRow:
    """A report's row as the child was sent it: its name and version, and its content when sent."""

    __slots__ = ("_content", "name", "version")

    def __init__(self, name: str, version: str, content: dict[str, Any] | None):
        self.name, self.version, self._content = name, version, content

    def _part(self, key: str) -> Any:
        if self._content is None:
            raise NotSent(self.name)
        return self._content[key]

    @property
    def fields(self) -> dict[str, Any]:
        return self._part("fields")  # type: ignore[no-any-return]

    def published(self, load_raw: LoadRaw) -> bytes:
        return self._part("published").encode("utf-8")  # type: ignore[no-any-return]

    def raw(self, load_raw: LoadRaw) -> bytes:
        return self._part("raw").encode("utf-8")  # type: ignore[no-any-return]


def request(folder: Path, site: dict[str, str], base: str, generation: str, changed: list[Row],
            names_of: Callable[[str], list[str]], row_of: Callable[[str], Row], load_raw: LoadRaw) -> bytes:
    """The child's work: the downloads' cache ``folder``; the rows of the reports of the
    patched agencies (``changed``), each with its year and version; the generation of the
    saved model the cache's state must be of (``base``: every other row is as that state
    holds it) and the one to record; and the content of every row of a text group holding a
    changed row (``names_of``: a year's reports in the rows' order; ``row_of``: a report's
    row), with its fields and its JSON as stored and as published."""
    by_year: dict[str, set[str]] = {}
    for row in changed:
        by_year.setdefault(year_key(row.info.year), set()).add(row.name)
    sent: dict[str, dict[str, Any]] = {}
    for key, names_changed in by_year.items():
        names = names_of(key)
        hits = [index for index, name in enumerate(names) if name in names_changed]
        for start, end in textparts.name_groups(names):
            if any(start <= index < end for index in hits):
                for name in names[start:end]:
                    row = row_of(name)
                    sent[name] = {"fields": row.fields, "raw": row.raw(load_raw).decode("utf-8"),
                                  "published": row.published(load_raw).decode("utf-8")}
    return orjson.dumps({"folder": str(folder), "site": site, "base": base, "generation": generation,
                         "changed": {row.name: [year_key(row.info.year), row.version] for row in changed},
                         "rows": sent})


def _read(fd: int, size: int, parent: int) -> bytes:
    """``size`` bytes from ``fd``; EOFError if the pipe closes or the parent is gone first."""
    chunks: list[bytes] = []
    while size:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            if os.getppid() != parent:
                raise EOFError("the build is gone")
            continue
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _result(folder: Path, pid: int) -> Path:
    return folder / f".ahead-result.{pid}.json"


def _serve(fd: int, parent: int) -> int:
    """The child: wait for the work, do it; the exit code."""
    size = int.from_bytes(_read(fd, 8, parent), "big")
    if not size:
        return 0
    work = orjson.loads(_read(fd, size, parent))
    folder = Path(work["folder"])
    state = load_state(folder / "state.json")
    if state.get("format") != STATE_FORMAT or not work["base"] or state.get("generation") != work["base"]:
        return NOT_SENT  # not the downloads of the model the build patched
    versions = {key: dict(year.get("versions") or {}) for key, year in state.get("years", {}).items()}
    for name, (key, version) in work["changed"].items():
        if name not in versions.get(key, {}):
            return NOT_SENT
        versions[key][name] = version
    sent: dict[str, dict[str, Any]] = work["rows"]

    def rows_of(key: str) -> list[SentRow]:
        return [SentRow(name, version, sent.get(name)) for name, version in versions[key].items()]

    def load_raw(name: str) -> bytes:
        raise NotSent(name)  # (every row's content comes with it)

    try:
        make(lambda: RowSource(versions, rows_of), load_raw, folder, work["site"], False, _result(folder, os.getpid()),
             work["generation"], state)
    except NotSent:
        return NOT_SENT
    return 0


class DownloadsAhead:
    """A child forked now that makes the downloads once it is sent a patch's work (``send``);
    ``close`` when there is none."""

    def __init__(self) -> None:
        self._child: tuple[int, int] | None = None  # (pid, the pipe's end to write)
        self._sent: int | None = None  # the pid of a child sent its work
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: no clean-up of the parent's runs here
            code = 1
            try:
                os.close(write)
                code = _serve(read, parent)
            finally:
                os._exit(code)
        os.close(read)
        self._child = (pid, write)

    def send(self, folder: Path, work: bytes, instead: Callable[[], Downloads]) -> Downloads | None:
        """Hand the child its work (``request`` for ``folder``): the downloads it makes
        (``instead`` if it hands them back), or None when there is no child to make them."""
        if self._child is None or not work:
            return None
        pid, write = self._child
        self._child = None
        try:
            with open(write, "wb") as pipe:
                pipe.write(len(work).to_bytes(8, "big"))
                pipe.write(work)
        except OSError:
            os.waitpid(pid, 0)  # it ended before it was sent anything
            return None
        self._sent = pid
        return Downloads(folder, self._wait, _result(folder, pid), instead)

    def _wait(self) -> int | None:
        assert self._sent is not None
        _, status = os.waitpid(self._sent, 0)
        self._sent = None
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """No work: the child ends, and is reaped (as is one sent work and never waited for)."""
        if self._child is not None:
            pid, write = self._child
            self._child = None
            try:
                with open(write, "wb") as pipe:
                    pipe.write(bytes(8))
            except OSError:
                pass
            os.waitpid(pid, 0)
        if self._sent is not None:
            self._wait()
