"""Writing the site so that a failed build leaves the previous one whole.

* A full build writes everything into a staging folder beside the output, which replaces
  the output in two renames once the build succeeded (``Staging``).
* A rebuild after a small change renders everything it changes into memory first; only
  then does it write each changed file to a temporary name and rename it into place
  (``InPlace``). A rendering error writes nothing; a write error (disk full) removes the
  temporary files and leaves every existing file as it was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Prepared:
    """A file the build made for the site (a database): moved into place, not copied.
    ``fingerprint`` changes when its content does."""

    path: Path
    fingerprint: str


Payload = bytes | Path | Prepared  # content, a file to copy, or a file to move


def _place(payload: Path | Prepared, target: Path) -> None:
    if isinstance(payload, Prepared):
        os.replace(payload.path, target)
    else:
        shutil.copyfile(payload, target)


class Staging:
    def __init__(self, out: Path, *, stage: Path | None = None):
        self.out = out
        self.stage = stage or out.parent / f".{out.name}.staging-{os.getpid()}"
        self._dirs: set[Path] = set()

    def create(self) -> Staging:
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)
        self._dirs.add(self.stage)
        return self

    def _target(self, relative: str) -> Path:
        target = self.stage / relative
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def put(self, relative: str, payload: Payload) -> None:
        if not isinstance(payload, bytes):
            _place(payload, self._target(relative))
        else:
            self._target(relative).write_bytes(payload)

    def commit(self) -> None:
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            self.out.rename(old)
        self.stage.rename(self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


class InPlace:
    def __init__(self, out: Path):
        self.out = out
        self.pending: dict[str, Payload] = {}
        self.removals: set[str] = set()

    def put(self, relative: str, payload: Payload) -> None:
        self.pending[relative] = payload

    def remove(self, relative: str) -> None:
        self.removals.add(relative)

    def commit(self) -> None:
        temporaries: list[tuple[Path, Path]] = []
        suffix = f".giro-{os.getpid()}.tmp"
        try:
            for relative, payload in sorted(self.pending.items()):
                target = self.out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".{target.name}{suffix}")
                if not isinstance(payload, bytes):
                    _place(payload, temporary)
                else:
                    temporary.write_bytes(payload)
                temporaries.append((temporary, target))
        except BaseException:
            for temporary, _ in temporaries:
                temporary.unlink(missing_ok=True)
            raise
        for temporary, target in temporaries:
            os.replace(temporary, target)
        for relative in sorted(self.removals - set(self.pending)):
            target = self.out / relative
            target.unlink(missing_ok=True)
            _prune_empty(target.parent, self.out)

    def abort(self) -> None:
        self.pending.clear()


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
