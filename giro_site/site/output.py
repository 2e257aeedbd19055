"""Write the site atomically: everything goes into a staging folder beside the output,
which replaces the output in two renames only when the build succeeded. A failed build
leaves the previous site whole.

A rebuild hard-links the files it did not change from the previous site into the
staging folder, so it costs a link, not a write, per unchanged file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class SiteWriter:
    def __init__(self, out: Path):
        self.out = out
        self.stage = out.parent / f".{out.name}.staging-{os.getpid()}"
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)
        self.written: set[str] = set()
        self._dirs: set[Path] = {self.stage}

    def _target(self, relative: str) -> Path:
        target = self.stage / relative
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        self.written.add(relative)
        return target

    def write(self, relative: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._target(relative).write_bytes(data)

    def copy(self, relative: str, source: Path) -> None:
        shutil.copyfile(source, self._target(relative))

    def reuse(self, relative: str) -> bool:
        """Take an unchanged file from the previous site; False if it is not there."""
        previous = self.out / relative
        if not previous.is_file():
            return False
        target = self._target(relative)
        try:
            os.link(previous, target)
        except OSError:
            shutil.copyfile(previous, target)
        return True

    def commit(self) -> None:
        """Swap the staging folder in for the output folder."""
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            self.out.rename(old)
        self.stage.rename(self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)
