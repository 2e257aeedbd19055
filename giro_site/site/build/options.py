"""What a build is asked to do (``BuildOptions``), in a module of its own that imports
nothing heavy: the command line reads the options (where the cache is, whether it is
used) before it imports the build, to start what a cold build needs first (``pinyin``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from giro_site.progress import Progress

PROJECT = Path(__file__).resolve().parents[3]


@dataclass
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("public")
    base_url: str | None = None
    build_date: str | None = None
    jobs: int = 1
    templates: Path = PROJECT / "templates"
    assets: Path = PROJECT / "assets"
    cache_dir: Path | None = None  # default: .giro-cache/<out name> beside the output
    fresh: bool = False  # ignore caches and the previous build
    force: bool = False  # replace a non-empty --out that is not a site of this tool (it is moved aside)
    progress: Progress = field(default_factory=Progress)  # what the maintainer sees while it runs

    def cache_folder(self) -> Path:
        return self.cache_dir or self.out.parent / ".giro-cache" / self.out.name
