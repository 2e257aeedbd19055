"""A child process forked with pipes to it: the build's early children (the content's scan,
``prescan``; a patched rebuild's downloads, ``downloads.ahead``; the pinyin of a cold
build's names, ``site.pinyin``) start this way, and those that talk send messages: a
message is its length (8 bytes), then its bytes."""

from __future__ import annotations

import os
import select
from collections.abc import Callable


def fork_with_pipe(work: Callable[[int], int], *, child_reads: bool) -> tuple[int, int] | None:
    """Fork a child that runs ``work`` with its end of a new pipe (the end it reads when
    ``child_reads``, else the end it writes) and exits with the code it returns, never running
    the parent's clean-up. The parent gets (the child's pid, its own end of the pipe), or None
    where there is no fork or it failed."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    mine, theirs = (write, read) if child_reads else (read, write)
    pid = _fork(lambda: work(theirs), [mine], [theirs])
    return None if pid is None else (pid, mine)


def fork_with_pipes(work: Callable[[int, int], int]) -> tuple[int, int, int] | None:
    """As ``fork_with_pipe``, with a pipe each way: the child runs ``work`` with (the end it
    reads, the end it writes); the parent gets (the child's pid, the end it writes to the
    child, the end it reads from it)."""
    if not hasattr(os, "fork"):
        return None
    to_child, from_child = os.pipe(), os.pipe()
    pid = _fork(lambda: work(to_child[0], from_child[1]), [to_child[1], from_child[0]], [to_child[0], from_child[1]])
    return None if pid is None else (pid, to_child[1], from_child[0])


def _fork(work: Callable[[], int], mine: list[int], theirs: list[int]) -> int | None:
    """Fork; in the child, close the parent's ends (``mine``), run ``work`` and exit with its
    code; in the parent, close the child's ends and return its pid (None, every end closed,
    when the fork failed)."""
    try:
        pid = os.fork()
    except OSError:
        for end in mine + theirs:
            os.close(end)
        return None
    if pid == 0:
        code = 1
        try:
            for end in mine:
                os.close(end)
            code = work()
        finally:
            os._exit(code)
    for end in theirs:
        os.close(end)
    return pid


def send_message(fd: int, message: bytes) -> None:
    """One message into the pipe ``fd`` (``receive_message`` reads it)."""
    data = memoryview(len(message).to_bytes(8, "big") + message)
    while data:
        data = data[os.write(fd, data):]


def receive_message(fd: int, waiting: Callable[[], None]) -> bytes:
    """The next message from the pipe ``fd``. EOFError when the pipe closes first;
    ``waiting`` is called after each second without a byte, and raises to stop waiting."""
    return _read_exact(fd, int.from_bytes(_read_exact(fd, 8, waiting), "big"), waiting)


def _read_exact(fd: int, size: int, waiting: Callable[[], None]) -> bytes:
    chunks: list[bytes] = []
    while size:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            waiting()
            continue
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def parent_alive(parent: int) -> Callable[[], None]:
    """For a child's ``receive_message``: wait while the process that forked it lives."""
    def waiting() -> None:
        if os.getppid() != parent:
            raise EOFError("the build is gone")
    return waiting
