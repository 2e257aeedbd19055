"""A child process forked with a pipe to it: the build's early children (the content's scan,
``prescan``; a patched rebuild's downloads, ``downloads.ahead``) start this way."""

from __future__ import annotations

import os
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
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:
        code = 1
        try:
            os.close(mine)
            code = work(theirs)
        finally:
            os._exit(code)
    os.close(theirs)
    return pid, mine
