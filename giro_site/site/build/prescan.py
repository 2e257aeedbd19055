"""The content folder's scan, run in a child process while the build reads its caches.

A rebuild must look at every report file's size and time to find the one that changed
(``corpus.scan_reports``): at 50,000 reports that is half a second of Python, which the
build otherwise spends before or after reading the store's index and its settings, with
the machine's other core idle. Forked at the start of a build, a child scans while this
process reads; the result comes back through a pipe as plain bytes (names, sizes, times),
never as objects. Where there is no fork, or the child fails, the scan runs here instead,
so the result is the same either way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

from giro_site import corpus
from giro_site.corpus import Problem
from giro_site.site.build.child import fork_with_pipe

Found = list[tuple[str, int, int]]  # (path, size, modification time in ns) of each candidate report
Scanned = tuple[Found, list[Problem], dict[str, tuple[int, int]]]  # and the sidecars' (size, time), by report


def scan_here(content: Path) -> Scanned:
    sidecars: dict[str, os.stat_result] = {}
    found, skipped = corpus.scan_reports(content, sidecars)
    return ([(path, stat.st_size, stat.st_mtime_ns) for path, stat in found], skipped,
            {path: (stat.st_size, stat.st_mtime_ns) for path, stat in sidecars.items()})


def _encoded(scanned: Scanned) -> bytes:
    """Fields separated by NUL, which no path holds and compact JSON never has."""
    found, skipped, sidecars = scanned
    fields = [str(len(found)), str(len(sidecars))]
    for path, size, time in found:
        fields += (path, str(size), str(time))
    for path, (size, time) in sidecars.items():
        fields += (path, str(size), str(time))
    fields.append(orjson.dumps([[p.file, p.reason, p.line] for p in skipped]).decode("utf-8"))
    return "\0".join(fields).encode(sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())


def _decoded(data: bytes) -> Scanned:
    # (decoded once and split at C speed: 50,000 names, sizes and times)
    fields = data.decode(sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()).split("\0")
    count, sides = int(fields[0]), int(fields[1])
    end = 2 + 3 * (count + sides)
    if len(fields) != end + 1:
        raise ValueError("a scan cut short")
    records = list(zip(fields[2:end:3], map(int, fields[3:end:3]), map(int, fields[4:end:3]), strict=True))
    skipped = [Problem(file, reason, line) for file, reason, line in orjson.loads(fields[-1])]
    return records[:count], skipped, {path: (size, time) for path, size, time in records[count:]}


class ScanAhead:
    """``scan_reports(content)`` started now in a forked child; ``result`` waits for it."""

    def __init__(self, content: Path):
        self.content = content

        def scan(write: int) -> int:
            with open(write, "wb") as pipe:
                pipe.write(_encoded(scan_here(content)))
            return 0

        self._child = fork_with_pipe(scan, child_reads=False)  # (pid, the pipe's end to read)

    def result(self) -> Scanned:
        """The child's scan; the scan done here when the child could not give it."""
        if self._child is None:
            return scan_here(self.content)
        pid, read = self._child
        self._child = None
        try:
            with open(read, "rb") as pipe:
                data = pipe.read()
        finally:
            _, status = os.waitpid(pid, 0)
        if status == 0:
            try:
                return _decoded(data)
            except (ValueError, TypeError, orjson.JSONDecodeError):
                pass
        return scan_here(self.content)

    def close(self) -> None:
        """The child ended and reaped, its result unread (a build that stopped early)."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            os.waitpid(pid, 0)
