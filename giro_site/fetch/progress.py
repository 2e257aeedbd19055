"""A list of addresses through the build's progress (``giro_site.progress``): on a terminal a
bar with each address's lines above it, in CI and logs one numbered line per address."""

from __future__ import annotations

import sys

from giro_site.progress import Progress as Shown
from giro_site.progress import for_terminal


class Progress:
    def __init__(self, total: int, shown: Shown | None = None):
        self.total = total
        self.done = 0
        self.shown = shown if shown is not None else for_terminal(sys.stdout)
        self.shown.stage("下载报告", total if total > 1 else None, "个地址")

    def address_done(self, lines: list[str]) -> None:
        """One address finished: its lines, the first numbered (notes are escaped: names and
        words come from the sites)."""
        self.done += 1
        for number, line in enumerate(lines):
            prefix = f"[{self.done}/{self.total}] " if number == 0 and self.total > 1 else "  " if number else ""
            self.shown.note(f"{prefix}{line}")
        self.shown.advance()

    def close(self) -> None:
        self.shown.close()
