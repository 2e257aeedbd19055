"""What a build tells the maintainer while it runs: the stage it is in and how far along.

The builder and the stages it calls know only the ``Progress`` interface: ``stage`` when a
stage starts (with the number of items, when known), ``advance`` as items are done, ``note``
for a line the maintainer should read, ``close`` at the end. Which kind is used is the
command line's choice (``for_terminal``):

* on a terminal, a bar per stage from tqdm, shown only when a stage takes more than a
  moment and gone when it ends (the build's closing lines stay);
* elsewhere (CI logs, a pipe), a few plain lines: one when a stage starts, one at most every
  ``Lines.interval`` seconds while a long stage runs;
* with ``--quiet``, or in code that builds a site for its own use (tests, the benchmark's
  library calls), nothing.
"""

from __future__ import annotations

import os
import time
from typing import Any, TextIO

from giro_site.terminal import escape


class Progress:
    """Says nothing: the base for the others, and what ``--quiet`` uses."""

    def stage(self, name: str, total: int | None = None, unit: str = "个") -> None:
        """A stage starts: ``name`` in Chinese ("解析报告"), ``total`` items of ``unit`` if known."""

    def advance(self, count: int = 1) -> None:
        """``count`` more items of the current stage are done."""

    def note(self, message: str) -> None:
        """A line for the maintainer (printed escaped: it may name files)."""

    def close(self) -> None:
        """The build is over: the last stage's bar goes."""


class Lines(Progress):
    """A few plain lines, for logs."""

    interval = 30.0  # seconds between two lines of one stage

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.name, self.total, self.unit, self.done = "", None, "个", 0
        self.started = self.last = 0.0

    def _say(self, text: str) -> None:
        print(escape(text), file=self.stream, flush=True)

    def stage(self, name: str, total: int | None = None, unit: str = "个") -> None:
        self.name, self.total, self.unit, self.done = name, total, unit, 0
        self.started = self.last = time.monotonic()
        self._say(f"{name}（{total} {unit}）…" if total is not None else f"{name}…")

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            of = f"/{self.total}" if self.total is not None else ""
            self._say(f"{self.name}：{self.done}{of} {self.unit}，已用 {now - self.started:.0f} 秒")

    def note(self, message: str) -> None:
        self._say(message)


class Bar(Progress):
    """A tqdm bar per stage, on a terminal."""

    delay = 0.5  # seconds before a stage's bar shows: a quick stage shows none
    mininterval = 0.2  # seconds between two redraws

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.bar: Any = None

    def stage(self, name: str, total: int | None = None, unit: str = "个") -> None:
        from tqdm import tqdm  # loaded only when a bar is shown

        self.close()
        self.bar = tqdm(total=total, desc=escape(name), unit=f" {unit}", file=self.stream, leave=False,
                        delay=self.delay, dynamic_ncols=True, mininterval=self.mininterval,
                        bar_format=None if total is not None else "{desc}… [{elapsed}]")

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def note(self, message: str) -> None:
        from tqdm import tqdm

        tqdm.write(escape(message), file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def for_terminal(stream: TextIO, *, quiet: bool = False) -> Progress:
    """The progress a command run by a person shows on ``stream``."""
    if quiet:
        return Progress()
    interactive = stream.isatty() and os.environ.get("TERM") != "dumb" and not os.environ.get("CI")
    return Bar(stream) if interactive else Lines(stream)
