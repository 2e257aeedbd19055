"""Static assets with content-hashed names (cache forever, never stale), plotly.js taken
from the installed plotly package so no page ever asks a CDN for it."""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    name: str  # logical name used by templates: "site.css", "plotly.js"
    source: Path
    hashed: str  # file name in the site: "site.3f2a1b9c.css"


def plotly_js_path() -> Path:
    """The plotly.js bundled with the installed plotly package (found without importing
    plotly, which would cost a build a third of a second)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the plotly package is not installed")
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the installed plotly package ({path})")
    return path


@cache
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def hashed_name(name: str, source: Path) -> str:
    stat = source.stat()
    digest = _digest(source, stat.st_size, stat.st_mtime_ns)
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def collect_assets(asset_dir: Path) -> list[Asset]:
    """Every file under ``assets/`` plus plotly.js, in a stable order."""
    sources = {p.relative_to(asset_dir).as_posix(): p for p in asset_dir.rglob("*") if p.is_file()}
    sources["plotly.js"] = plotly_js_path()
    return [Asset(name, source, hashed_name(name, source)) for name, source in sorted(sources.items())]
