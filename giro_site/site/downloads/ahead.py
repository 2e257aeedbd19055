"""The downloads of a patched rebuild, made by a child forked when the build starts.

The downloads' child forked the usual way (``aggregates.Downloads.start``) shares every page
of the build's memory, and every page either process writes while both live is copied (in
Python, reading an object writes its reference count): at 50,000 reports the pages about all
agencies took twice as long beside that child. A child forked at the start of a build holds
none of the model. Told the cache folder once the build has its content's scan (``prepare``),
it reads the downloads' state while the build restores its model. When the build patches
the model (``incremental``), it sends the child the rows of the patched agencies' reports
(name, year, version, content), and nothing of any other row: every other row is as that
state records it, which holds only when the state is of the downloads made of the very
model the build patched (a generation saved with both, ``SiteModel.generation``), and a text
group's part made again takes its unchanged rows' pieces out of the previous zip
(``textparts.OldPieces``). The child then makes the files as ``aggregates.make`` does.
Another generation, or a row it needs and cannot have (a year's file gone from the cache,
say), raises ``aggregates.NotSent``, and the work goes to a child forked the usual way,
which reads every report (``Downloads``' ``instead``). Any other build sends nothing, and
the child ends.

A message is its length (8 bytes), then JSON; the child gives up if its parent is gone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson

from giro_site.site.build.child import fork_with_pipe, parent_alive, receive_message, send_message
from giro_site.site.build.output import load_state
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
        published = self._part("published")  # (None: the JSON as stored)
        return (self._part("raw") if published is None else published).encode("utf-8")  # type: ignore[no-any-return]

    def raw(self, load_raw: LoadRaw) -> bytes:
        return self._part("raw").encode("utf-8")  # type: ignore[no-any-return]


def request(folder: Path, site: dict[str, str], base: str, generation: str, changed: list[Row],
            load_raw: LoadRaw) -> bytes:
    """The child's work: the downloads' cache ``folder``; the rows of the reports of the
    patched agencies (``changed``), each with its year and version and its content (its
    fields, and its JSON as stored and as published); and the generation of the saved model
    the cache's state must be of (``base``: every other row is as that state holds it) and
    the one to record."""
    sent: dict[str, dict[str, Any]] = {}
    for row in changed:
        raw = row.raw(load_raw)
        published = row.published(lambda _, raw=raw: raw)  # (read once)
        sent[row.name] = {"fields": row.fields, "raw": raw.decode("utf-8"),
                          "published": None if published == raw else published.decode("utf-8")}
    return orjson.dumps({"folder": str(folder), "site": site, "base": base, "generation": generation,
                         "changed": {row.name: [year_key(row.info.year), row.version] for row in changed},
                         "rows": sent})


def _result(folder: Path, pid: int) -> Path:
    return folder / f".ahead-result.{pid}.json"


def _message(fd: int, parent: int) -> dict[str, Any] | None:
    """The next message from the build (None: no work)."""
    message = receive_message(fd, parent_alive(parent))
    return orjson.loads(message) if message else None


def _serve(fd: int, parent: int) -> int:
    """The child: read the cache's state when told which (``prepare``: while the build
    restores its model, this process has a core to itself), wait for the work, do it; the
    exit code."""
    work = _message(fd, parent)
    state: dict[str, Any] | None = None
    if work is not None and "prepare" in work:
        prepared = work["prepare"]
        state = load_state(Path(prepared) / "state.json")
        work = _message(fd, parent)
        if work is not None and work["folder"] != prepared:
            state = None
    if work is None:
        return 0
    folder = Path(work["folder"])
    if state is None:
        state = load_state(folder / "state.json")
    if state.get("format") != STATE_FORMAT or not work["base"] or state.get("generation") != work["base"]:
        return NOT_SENT  # not the downloads of the model the build patched
    versions = {key: year.get("versions") or {} for key, year in state.get("years", {}).items()}
    copied: set[str] = set()  # (a year changed here is a copy: the state's own is what the cache held)
    for name, (key, version) in work["changed"].items():
        if name not in versions.get(key, {}):
            return NOT_SENT
        if key not in copied:
            versions[key] = dict(versions[key])
            copied.add(key)
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
        self._writing: threading.Thread | None = None
        parent = os.getpid()
        self._child = fork_with_pipe(lambda read: _serve(read, parent), child_reads=True)

    def _tell(self, message: bytes) -> bool:
        """Write a short message (empty: no work); False when the child is gone."""
        assert self._child is not None
        try:
            send_message(self._child[1], message)
        except OSError:
            return False
        return True

    def prepare(self, folder: Path) -> None:
        """Name the downloads' cache folder, whose state the child then reads."""
        if self._child is not None and not self._tell(orjson.dumps({"prepare": str(folder)})):
            self._end()

    def send(self, folder: Path, work: bytes, instead: Callable[[], Downloads]) -> Downloads | None:
        """Hand the child its work (``request`` for ``folder``): the downloads it makes
        (``instead`` if it hands them back), or None when there is no child to make them.
        Written by a thread: a megabyte does not fit the pipe, and the child may still be
        reading the state (``prepare``)."""
        if self._child is None or not work:
            return None
        pid, write = self._child
        self._child, self._sent = None, pid
        self._writing = threading.Thread(target=self._write, args=(write, work), daemon=True)
        self._writing.start()
        return Downloads(folder, self._wait, _result(folder, pid), instead)

    @staticmethod
    def _write(fd: int, work: bytes) -> None:
        with suppress(OSError):  # (a child gone ends with an exit code that says so)
            send_message(fd, work)
        os.close(fd)

    def _end(self) -> None:
        assert self._child is not None
        pid, write = self._child
        self._child = None
        os.close(write)
        os.waitpid(pid, 0)

    def _wait(self) -> int | None:
        assert self._sent is not None
        if self._writing is not None:
            self._writing.join()
        _, status = os.waitpid(self._sent, 0)
        self._sent = None
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """No work: the child ends, and is reaped (as is one sent work and never waited for)."""
        if self._child is not None:
            self._tell(b"")
            self._end()
        if self._sent is not None:
            self._wait()
