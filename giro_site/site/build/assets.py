"""Static assets with content-hashed names (cache forever, never stale), plotly.js
included: the partial bundle vendored under ``assets/vendor/plotly/`` (bar, pie and scatter
traces), which the compare page loads when it draws (the other pages' charts are SVG drawn by
``assets/js/chart.js``), so no page ever asks a CDN for it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VENDOR = "vendor"  # third-party files with their licences; only the bundle itself is published
PLOTLY_BUNDLE = Path(VENDOR) / "plotly" / "plotly-basic.min.js"


@dataclass(frozen=True)
class Asset:
    name: str  # logical name used by templates: "site.css", "plotly.js"
    source: Path
    hashed: str  # file name in the site: "site.3f2a1b9c.css"


def plotly_js_path(asset_dir: Path) -> Path:
    path = asset_dir / PLOTLY_BUNDLE
    if not path.is_file():
        raise FileNotFoundError(f"the vendored plotly.js bundle is missing ({path}); see scripts/vendor-plotly")
    return path


def bundle_trace_types(bundle: Path) -> set[str]:
    """The trace types a plotly.js bundle registers, read from the bundle itself (each trace
    module declares ``moduleType:"trace",name:"bar"``)."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle.read_text(encoding="utf-8")))


@cache
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def hashed_name(name: str, source: Path) -> str:
    stat = source.stat()
    digest = _digest(source, stat.st_size, stat.st_mtime_ns)
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def collect_assets(asset_dir: Path) -> list[Asset]:
    """Every file under ``assets/`` (the vendored folder aside) plus plotly.js, in a stable order."""
    sources = {p.relative_to(asset_dir).as_posix(): p for p in asset_dir.rglob("*")
               if p.is_file() and p.relative_to(asset_dir).parts[0] != VENDOR}
    sources["plotly.js"] = plotly_js_path(asset_dir)
    return [Asset(name, source, hashed_name(name, source)) for name, source in sorted(sources.items())]
