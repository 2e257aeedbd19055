"""Progress of a list of addresses: a bar on a terminal, plain numbered lines elsewhere (CI,
a pipe, a log file), so a log reads one line per address."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from giro_site.terminal import escape


class Progress:
    def __init__(self, total: int, *, stream: TextIO | None = None, bar: bool | None = None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stdout
        if bar is None:
            bar = self.stream.isatty() and not os.environ.get("CI") and total > 1
        self.bar = bar

    def _clear(self) -> None:
        if self.bar:
            self.stream.write("\r\x1b[K")

    def _draw(self) -> None:
        if self.bar and self.done < self.total:
            width = 30
            filled = width * self.done // max(1, self.total)
            self.stream.write(f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total}")
            self.stream.flush()

    def address_done(self, lines: list[str]) -> None:
        """One address finished: its lines (the first numbered), then the bar again."""
        self.done += 1
        self._clear()
        for number, line in enumerate(lines):
            prefix = f"[{self.done}/{self.total}] " if number == 0 and self.total > 1 else "  " if number else ""
            self.stream.write(f"{prefix}{escape(line)}\n")  # names and titles come from the sites
        self._draw()
        self.stream.flush()

    def close(self) -> None:
        self._clear()
        self.stream.flush()
