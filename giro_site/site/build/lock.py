"""One build at a time writes an output folder: a build holds a lock in its cache folder,
and a second build into the same folder waits for it, saying so. Without it, two builds
read and wrote the same cache and manifest at once, and one ended in a traceback."""

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


@contextlib.contextmanager
def build_lock(cache: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the cache folder's lock while building; if another build holds it, say so through
    ``waiting`` and wait for it. The system releases the lock when its process ends, however
    it ends: no stale lock is ever left."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; builds are not run side by side there
        yield
        return
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / LOCK_FILE, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"另一个生成（{_held_by(handle)}）正在写入同一个输出文件夹，等它结束后再开始（Ctrl+C 可停止）"
                    f"；锁文件：{cache / LOCK_FILE}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)



