"""Build the site: reports in, the ``public/`` folder out, doing only the work that changed.

1. Parse: every report through the parse cache (only new or changed files are parsed),
   in parallel worker processes.
2. Plan: a manifest from the previous build records, for each agency, a key over
   everything its pages show (its reports' content and findings, its metadata, and the
   global key: code, templates, assets, settings). An agency whose key is unchanged and
   whose files are all there is not rendered again.
3. Render and write: a full build (first build, or the global key changed: a template,
   an asset, a setting or the code) renders every agency in parallel into a staging
   folder and swaps it in. A rebuild renders the changed agencies and the pages about all
   agencies in memory and replaces only the files that differ (``output.InPlace``).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION
from giro_site.cache import ParseCache
from giro_site.corpus import load_corpus
from giro_site.site.assets import collect_assets
from giro_site.site.config import load_agencies, load_config
from giro_site.site.model import Agency, build_agencies
from giro_site.site.output import InPlace, Payload, Staging
from giro_site.site.renderer import SiteRenderer, markdown_pages

PROJECT = Path(__file__).resolve().parent.parent.parent
MANIFEST_FORMAT = 1
# Above this share of agencies changed, a full build (parallel, staged) is faster than a rebuild.
REBUILD_LIMIT = 0.2


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
    progress: Callable[[str], None] | None = None

    def cache_folder(self) -> Path:
        return self.cache_dir or self.out.parent / ".giro-cache" / self.out.name


@dataclass
class BuildResult:
    out: Path
    reports: int
    agencies: int
    problems: list[str]
    errors: int
    pages: int
    seconds: float
    mode: str = "full"  # "full" or "rebuild"
    parsed: int = 0
    rendered_agencies: int = 0
    written: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()


def _tree_digest(folder: Path, pattern: str = "*") -> str:
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return _digest(*(f"{p.relative_to(folder).as_posix()}:{hashlib.sha256(p.read_bytes()).hexdigest()}"
                     for p in files))


def global_key(options: BuildOptions, renderer: SiteRenderer) -> str:
    """Everything every page depends on: change any of it and the whole site is rebuilt."""
    content = options.content
    extra = [(content / name).read_bytes() if (content / name).is_file() else b""
             for name in ("site.toml", "agencies.toml")]
    return _digest(PARSER_VERSION, _tree_digest(PROJECT / "giro_site", "*.py"), _tree_digest(options.templates),
                   *(a.hashed for a in renderer.assets), repr(renderer.config), orjson.dumps(renderer.pages), *extra)


def agency_key(agency: Agency, base: str) -> str:
    """Everything an agency's pages show: its reports (content and findings) and its metadata."""
    parts = [base, agency.slug, agency.name, agency.region or "", agency.level or "", agency.source_url or "",
             *agency.ids]
    for report in agency.reports:
        parts += [report["source"]["sha256"], report["source"]["file"], orjson.dumps(report["findings"])]
    return _digest(*parts)


# --- parallel rendering for full builds -------------------------------------------------

_WORK: tuple[SiteRenderer, list[Agency], Path] | None = None  # inherited by forked workers


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, list[str]]]:
    """Render agencies[start:end] straight into the staging folder; (slug, files) each."""
    assert _WORK is not None
    renderer, agencies, stage = _WORK
    staging = Staging(Path("unused"), stage=stage)
    done = []
    for agency in agencies[bounds[0]:bounds[1]]:
        files = []
        for relative, payload in renderer.agency_outputs(agency):
            staging.put(relative, payload)
            files.append(relative)
        done.append((agency.slug, files))
    return done


def _render_all(renderer: SiteRenderer, agencies: list[Agency], staging: Staging, jobs: int,
                progress: Callable[[str], None] | None) -> dict[str, list[str]]:
    global _WORK
    chunk = 64
    bounds = [(i, min(i + chunk, len(agencies))) for i in range(0, len(agencies), chunk)]
    files: dict[str, list[str]] = {}
    _WORK = (renderer, agencies, staging.stage)
    try:
        if jobs > 1 and len(agencies) > chunk:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for done, results in enumerate(pool.imap_unordered(_render_chunk, bounds), start=1):
                    files.update(results)
                    if progress and done % 50 == 0:
                        progress(f"已生成 {min(done * chunk, len(agencies))}/{len(agencies)} 个机关的页面")
        else:
            for part in bounds:
                files.update(_render_chunk(part))
    finally:
        _WORK = None
    return files


# --- the build --------------------------------------------------------------------------


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(orjson.dumps(data))
    os.replace(temporary, path)


def _fingerprint(payload: Payload) -> str:
    if isinstance(payload, Path):
        stat = payload.stat()
        return f"file:{payload}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha1(payload).hexdigest()


def build_site(options: BuildOptions) -> BuildResult:
    """Parse every report and write the site; the previous site stays whole on failure."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    config = load_config(options.content, base_url=options.base_url, build_date=options.build_date)
    cache_folder = options.cache_folder()
    renderer = SiteRenderer(config, options.content, options.templates, collect_assets(options.assets),
                            markdown_pages(options.content), bytecode=cache_folder / "templates")
    cache = ParseCache(cache_folder / "parsed.json", load=not options.fresh)
    corpus = load_corpus(options.content, jobs=options.jobs, cache=cache, progress=options.progress)
    timings["parse"] = time.perf_counter() - started

    pinyin_path = cache_folder / "pinyin.json"
    pinyin = {} if options.fresh else _load_json(pinyin_path)
    known_names = len(pinyin)
    agencies = build_agencies(corpus.reports, load_agencies(options.content), pinyin)
    base = global_key(options, renderer)
    keys = {agency.slug: agency_key(agency, base) for agency in agencies}
    manifest_path = cache_folder / "manifest.json"
    previous = {} if options.fresh or not options.out.is_dir() else _load_json(manifest_path)
    if previous.get("format") != MANIFEST_FORMAT:
        previous = {}
    unchanged = {slug for slug, key in keys.items()
                 if previous.get("global") == base and previous.get("agencies", {}).get(slug, {}).get("key") == key
                 and all((options.out / f).is_file() for f in previous["agencies"][slug]["files"])}
    changed = [a for a in agencies if a.slug not in unchanged]
    rebuild = bool(previous) and previous.get("global") == base and len(changed) <= REBUILD_LIMIT * max(
        1, len(agencies))
    timings["plan"] = time.perf_counter() - started - timings["parse"]

    agency_files: dict[str, list[str]] = {}
    global_files: dict[str, str] = {}
    written = 0
    if rebuild:
        writer = InPlace(options.out)
        try:
            for agency in changed:
                files = []
                for relative, payload in renderer.agency_outputs(agency):
                    writer.put(relative, payload)
                    files.append(relative)
                agency_files[agency.slug] = files
            for slug in unchanged:
                agency_files[slug] = previous["agencies"][slug]["files"]
            old_globals = previous.get("files", {})
            for relative, payload in renderer.global_outputs(agencies, corpus.problems):
                global_files[relative] = _fingerprint(payload)
                if old_globals.get(relative) != global_files[relative] or not (options.out / relative).is_file():
                    writer.put(relative, payload)
            kept = {f for files in agency_files.values() for f in files} | set(global_files)
            for files in previous.get("agencies", {}).values():
                for relative in files:
                    if relative not in kept:
                        writer.remove(relative)
            for relative in old_globals:
                if relative not in kept:
                    writer.remove(relative)
            written = len(writer.pending)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    else:
        staging = Staging(options.out).create()
        try:
            agency_files = _render_all(renderer, agencies, staging, options.jobs, options.progress)
            for relative, payload in renderer.global_outputs(agencies, corpus.problems):
                staging.put(relative, payload)
                global_files[relative] = _fingerprint(payload)
            written = sum(len(f) for f in agency_files.values()) + len(global_files)
            staging.commit()
        except BaseException:
            staging.abort()
            raise
    timings["render"] = time.perf_counter() - started - timings["parse"] - timings["plan"]

    cache.save()
    _save_json(manifest_path, {"format": MANIFEST_FORMAT, "global": base, "files": global_files,
                               "agencies": {slug: {"key": keys[slug], "files": agency_files[slug]}
                                            for slug in keys}})
    if len(pinyin) != known_names:
        _save_json(pinyin_path, pinyin)

    errors = sum(h.quality == "error" for a in agencies for h in a.heads)
    pages = sum(len(renderer.agency_urls(a)) for a in agencies) + sum(
        1 for name in global_files if name.endswith(".html"))
    return BuildResult(out=options.out, reports=len(corpus.reports), agencies=len(agencies),
                       problems=[p.describe() for p in corpus.problems], errors=errors, pages=pages,
                       seconds=time.perf_counter() - started, mode="rebuild" if rebuild else "full",
                       parsed=corpus.parsed, rendered_agencies=len(changed) if rebuild else len(agencies),
                       written=written, timings=timings)


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
