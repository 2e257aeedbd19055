"""One build at a time writes an output folder: a build holds a lock in its cache folder,
and a second build into the same folder waits for it, saying so. Without it, two builds
read and wrote the same cache and manifest at once, and one ended in a traceback.

The lock is the system's (``flock``), released when its process ends however it ends: no
stale lock is ever left. It is held until the build has finished, which for a rebuild of
``serve`` is after its downloads are written in the background."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

LOCK_FILE = "build.lock"


def _held_by(handle: IO[str]) -> str:
    handle.seek(0)
    holder = handle.read(20).strip()
    return f"进程 {holder}" if holder.isdigit() else "另一个进程"


class BuildLock:
    def __init__(self, cache: Path):
        self.path = cache / LOCK_FILE
        self.handle: IO[str] | None = None

    def acquire(self, waiting: Callable[[str], None]) -> None:
        """Take the lock; if another build holds it, say so through ``waiting`` and wait."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; builds are not run side by side there
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"另一个生成（{_held_by(handle)}）正在写入同一个输出文件夹，等它结束后再开始（Ctrl+C 可停止）；"
                    f"锁文件：{self.path}")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except BaseException:
                handle.close()
                raise
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        """Let the next build in (closing the file releases the lock); again: nothing."""
        handle, self.handle = self.handle, None
        if handle is not None:
            handle.close()


@contextlib.contextmanager
def build_lock(cache: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    lock = BuildLock(cache)
    lock.acquire(waiting)
    try:
        yield
    finally:
        lock.release()
