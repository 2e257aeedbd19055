"""Build the site: reports in, the ``public/`` folder out, doing only the work that changed.

1. Reports: the store brings every report's summary up to date, parsing only new or
   changed files, in parallel worker processes (``store``).
2. Plan: the manifest of the previous build records, for each agency, a key over all its
   pages show (its reports' content and findings, its metadata, and the global key: code,
   templates, assets, settings). An agency whose key is unchanged is not rendered again.
3. Write: a full build (the first one, or when the global key changed) renders every
   agency in parallel into a staging folder and swaps it in. A rebuild renders the
   changed agencies and the pages about all agencies into memory, updates the big
   downloads for the changed reports only (``aggregates``), and replaces only the files
   that differ (``output.InPlace``).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION
from giro_site.corpus import cross_year_findings
from giro_site.site.build.assets import collect_assets
from giro_site.site.build.output import (
    MARKER,
    MARKER_TEXT,
    InPlace,
    OutputFolder,
    Payload,
    Prepared,
    Staging,
    clean_leftovers,
    inspect_output,
    is_marked,
    load_state,
    manifest_files,
    save_state,
)
from giro_site.site.build.store import ReportStore, load_gazetteer
from giro_site.site.config import AgencyDirectory, load_agencies, load_config
from giro_site.site.downloads import aggregates
from giro_site.site.model import Agency, ReportInfo, build_agencies, group_key
from giro_site.site.pages.markdown_pages import markdown_pages
from giro_site.site.pages.regions import region_tree
from giro_site.site.pages.renderer import Output, SiteRenderer

PROJECT = Path(__file__).resolve().parents[3]
MANIFEST_FORMAT = 4
# Above this share of agencies changed (and at least 20), a full build (parallel, staged) beats a rebuild.
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
    force: bool = False  # replace a non-empty --out that is not a site of this tool (it is moved aside)
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
    # CPU seconds per stage, this process and its finished workers: set beside ``timings`` it
    # tells whether a slow stage waited (disk, a busy machine) or computed.
    cpu: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the build did beside the output (kept files, clean-up)


def _cpu_seconds() -> float:
    """User and system CPU of this process and of the worker processes it has reaped."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


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
                   *(a.hashed for a in renderer.assets), repr(renderer.config), orjson.dumps(renderer.pages).decode(),
                   *(hashlib.sha256(part).hexdigest() for part in extra))


def agency_key(agency: Agency, base: str) -> str:
    """Everything an agency's pages show: its reports (content and findings) and its metadata."""
    parts = [base, agency.slug, agency.name, agency.display_name, agency.region or "", agency.level or "",
             agency.source_url or "", agency.pinyin, orjson.dumps(agency.division).decode(), *agency.ids]
    for info in agency.reports:
        parts += [info.name, info.version, info.summary["digest"]]
    return _digest(*parts)


def _infos(store: ReportStore, directory: AgencyDirectory, known: dict[str, list[dict[str, Any]]],
           used: dict[str, list[dict[str, Any]]]) -> list[ReportInfo]:
    """Every report's summary with its cross-year findings.

    ``known`` holds the findings of pairs compared in earlier builds, keyed by the two
    reports' content hashes (a comparison depends on nothing else); the pairs of this build
    are put in ``used``."""
    named = store.reports()
    keys = [group_key(summary, directory)[0] if summary.get("agency") else f"\0{name}" for name, summary in named]
    linked = cross_year_findings([summary["link"] for _, summary in named], keys, known,
                                 [summary["sha256"] for _, summary in named], used)
    return [ReportInfo(name, summary, linked.get(index, [])) for index, (name, summary) in enumerate(named)]


# --- parallel rendering for full builds -------------------------------------------------

_WORK: tuple[SiteRenderer, list[Agency], ReportStore, Path] | None = None  # inherited by forked workers


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, list[str]]]:
    """Render agencies[start:end] straight into the staging folder; (slug, files) each."""
    assert _WORK is not None
    renderer, agencies, store, stage = _WORK
    staging = Staging(Path("unused"), stage=stage)
    done = []
    for agency in agencies[bounds[0]:bounds[1]]:
        files = []
        for relative, payload in renderer.agency_outputs(agency, lambda info: store.full(info.name)):
            staging.put(relative, payload)
            files.append(relative)
        done.append((agency.slug, files))
    return done


class _RenderAll:
    """Render every agency into the staging folder in worker processes, while the main
    process does other work (the downloads of all reports): the workers spend much of
    their time waiting for the disk to create files."""

    chunk = 64

    def __init__(self, renderer: SiteRenderer, agencies: list[Agency], store: ReportStore, staging: Staging,
                 jobs: int, progress: Callable[[str], None] | None):
        global _WORK
        self.agencies, self.progress = agencies, progress
        self.bounds = [(i, min(i + self.chunk, len(agencies))) for i in range(0, len(agencies), self.chunk)]
        _WORK = (renderer, agencies, store, staging.stage)
        self.pool = None
        if jobs > 1 and len(agencies) > self.chunk:
            self.pool = multiprocessing.get_context("fork").Pool(jobs)
            self.results = self.pool.imap_unordered(_render_chunk, self.bounds)

    def collect(self) -> dict[str, list[str]]:
        global _WORK
        files: dict[str, list[str]] = {}
        try:
            if self.pool is None:
                for part in self.bounds:
                    files.update(_render_chunk(part))
                return files
            for done, results in enumerate(self.results, start=1):
                files.update(results)
                if self.progress and done % 50 == 0:
                    done_agencies = min(done * self.chunk, len(self.agencies))
                    self.progress(f"已生成 {done_agencies}/{len(self.agencies)} 个机关的页面")
            self.pool.close()
            self.pool.join()
            return files
        finally:
            if self.pool is not None:
                self.pool.terminate()
            _WORK = None


# --- the build --------------------------------------------------------------------------



def _fingerprint(payload: Payload) -> str:
    """What tells whether a file must be written again: its bytes' hash, or for a file to copy
    its size and time; a prepared file is always new."""
    if isinstance(payload, bytes):
        return hashlib.sha1(payload).hexdigest()
    if isinstance(payload, Prepared):
        return payload.fingerprint
    stat = payload.stat()
    return f"file:{payload}:{stat.st_size}:{stat.st_mtime_ns}"


class _Plan:
    """What the previous build left, and what this build must do about it."""

    def __init__(self, options: BuildOptions, base: str, keys: dict[str, str], manifest: dict[str, Any],
                 folder: OutputFolder):
        self.path = options.cache_folder() / "manifest.json"
        ours = folder.state == "ours" and not options.fresh  # never rebuild in place into another's folder
        self.previous = manifest if ours and manifest.get("format") == MANIFEST_FORMAT else {}
        same_site = self.previous.get("global") == base
        old = self.previous.get("agencies", {})
        # An unchanged agency keeps its files; that its first one is still there is checked (a
        # stat per agency, not per file; after deleting files by hand, build with --fresh).
        out = str(options.out)
        self.unchanged = {slug for slug, key in keys.items()
                          if same_site and old.get(slug, {}).get("key") == key
                          and (not old[slug]["files"] or os.path.exists(os.path.join(out, old[slug]["files"][0])))}
        changed = len(keys) - len(self.unchanged)
        self.rebuild = same_site and changed <= max(20, REBUILD_LIMIT * len(keys))

    def old_files(self, slug: str) -> list[str]:
        return self.previous["agencies"][slug]["files"]  # type: ignore[no-any-return]


def _about_all(options: BuildOptions, renderer: SiteRenderer, store: ReportStore, agencies: list[Agency],
               problems: list[Any], rows: list[dict[str, Any]], previous: dict[str, Any]
               ) -> tuple[list[Output], dict[str, str]]:
    """The downloads of all reports and every page about all agencies; the listing pages only
    where their rows changed since ``previous`` (the last build's manifest, or empty)."""
    downloads = aggregates.Downloads(renderer.download_rows(agencies), store.raw, options.cache_folder() / "downloads",
                                     renderer.download_site(), fresh=options.fresh)
    regions = region_tree(agencies)
    # the marker (the output is a site this build made) and the pages, while the downloads are made
    outputs: list[Output] = [(MARKER, MARKER_TEXT), *renderer.global_outputs(agencies, problems, rows, regions)]
    years = downloads.result()
    outputs += renderer.download_outputs(years)
    listing_keys: dict[str, str] = {}
    for url, shown, render in renderer.keyed_pages(rows, regions):
        listing_keys[url] = hashlib.sha256(shown).hexdigest()
        if previous.get("listing", {}).get(url) != listing_keys[url]:
            outputs.append(render())
    return outputs, listing_keys


@dataclass
class _Written:
    count: int  # files written
    agency_files: dict[str, list[str]]  # slug → its files
    manifest: dict[str, Any]  # what the next build needs to know about the pages about all agencies


AboutAll = Callable[[dict[str, Any]], tuple[list[Output], dict[str, str]]]


def _rebuild(options: BuildOptions, renderer: SiteRenderer, store: ReportStore, agencies: list[Agency],
             plan: _Plan, about_all: AboutAll, lap: Callable[[str], None]) -> _Written:
    """Render the changed agencies and what changed about all of them; replace only those files."""
    outputs, listing_keys = about_all(plan.previous)
    lap("aggregate")
    writer = InPlace(options.out)
    agency_files: dict[str, list[str]] = {}
    for agency in agencies:
        if agency.slug in plan.unchanged:
            agency_files[agency.slug] = plan.old_files(agency.slug)
            continue
        files = []
        for relative, payload in renderer.agency_outputs(agency, lambda info: store.full(info.name)):
            writer.put(relative, payload)
            files.append(relative)
        agency_files[agency.slug] = files
    old_globals = plan.previous.get("files", {})
    global_files: dict[str, str] = {}
    for relative, payload in outputs:
        global_files[relative] = _fingerprint(payload)
        if old_globals.get(relative) != global_files[relative] or not (options.out / relative).is_file():
            writer.put(relative, payload)
        elif isinstance(payload, Prepared):
            payload.path.unlink()  # the same as the file in place
    for url in listing_keys:  # listing pages whose rows did not change were not rendered again
        relative = renderer.urls.output_path(url)
        global_files.setdefault(relative, old_globals.get(relative, ""))
    kept = {f for files in agency_files.values() for f in files} | set(global_files)
    for relative in [*old_globals, *(f for a in plan.previous.get("agencies", {}).values() for f in a["files"])]:
        if relative not in kept:
            writer.remove(relative)
    count = len(writer.pending)
    writer.commit()
    return _Written(count, agency_files, {"files": global_files, "listing": listing_keys})


def _full(options: BuildOptions, renderer: SiteRenderer, store: ReportStore, agencies: list[Agency],
          about_all: AboutAll, lap: Callable[[str], None], swap: Callable[[Staging], None]) -> _Written:
    """Render everything into a staging folder and swap it in (``swap``)."""
    staging = Staging(options.out).create()
    try:
        rendering = _RenderAll(renderer, agencies, store, staging, options.jobs, options.progress)
        outputs, listing_keys = about_all({})
        lap("aggregate")
        global_files: dict[str, str] = {}
        for relative, payload in outputs:
            global_files[relative] = _fingerprint(payload)
            staging.put(relative, payload)
        agency_files = rendering.collect()
        swap(staging)
    except BaseException:
        staging.abort()
        raise
    return _Written(sum(len(f) for f in agency_files.values()) + len(global_files), agency_files,
                    {"files": global_files, "listing": listing_keys})


@contextmanager
def _long_lived_objects() -> Iterator[None]:
    """A build holds millions of long-lived objects (every report's summary and manifest
    entry), and Python's cyclic collector would walk them again and again: measured, about a
    fifth of a one-change rebuild at 10,000 reports. Collect rarely while building; cycles
    are still freed, and the usual thresholds come back afterwards (``serve`` lives on)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def build_site(options: BuildOptions) -> BuildResult:
    """Parse every report and write the site; the previous site stays whole on failure."""
    with _long_lived_objects():
        return _build_site(options)


def _prepare_output(options: BuildOptions) -> tuple[OutputFolder, dict[str, Any]]:
    """May the build replace ``--out`` (``OutputRefused`` if not), what interrupted builds left
    beside it cleaned up; and the last build's manifest."""
    manifest = load_state(options.cache_folder() / "manifest.json")
    folder = inspect_output(options.content, options.out, manifest=manifest, force=options.force,
                            sources=(options.templates, options.assets))
    folder.notes += clean_leftovers(folder.path, lambda: manifest_files(manifest) if folder.state == "ours" else None)
    if folder.state == "new" and is_marked(folder.path):
        folder.state = "ours"  # an interrupted build's last site, put back
    return folder, manifest


def _build_site(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    given = options.out
    folder, manifest = _prepare_output(options)
    options = replace(options, out=folder.path)
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    mark = [started, _cpu_seconds()]  # wall and CPU seconds when the last stage ended

    def lap(name: str) -> None:
        now = [time.perf_counter(), _cpu_seconds()]
        timings[name], cpu[name] = now[0] - mark[0], now[1] - mark[1]
        mark[:] = now

    cache = options.cache_folder()
    load_gazetteer(cache / "gazetteer.json", fresh=options.fresh)  # agencies.toml's codes are checked against it
    config = load_config(options.content, base_url=options.base_url, build_date=options.build_date)
    directory = load_agencies(options.content)  # settings first: a mistake there stops the build at once
    pages = markdown_pages(options.content)
    folder.notes.extend(note for page in pages for note in page["notes"])
    renderer = SiteRenderer(config, options.content, options.templates, collect_assets(options.assets), pages,
                            bytecode=cache / "templates")
    store = ReportStore(cache, options.content, fresh=options.fresh)
    store.refresh(jobs=options.jobs, progress=options.progress)
    problems = store.problems()
    lap("parse")

    pinyin = {} if options.fresh else load_state(cache / "pinyin.json")
    known_pinyin = dict(pinyin)
    pairs = {} if options.fresh else load_state(cache / "pairs.json")
    used_pairs: dict[str, list[dict[str, Any]]] = {}
    agencies = build_agencies(_infos(store, directory, pairs, used_pairs), directory, pinyin)
    base = global_key(options, renderer)
    keys = {agency.slug: agency_key(agency, base) for agency in agencies}
    plan = _Plan(options, base, keys, manifest, folder)
    infos = [info for agency in agencies for info in agency.reports]
    rows = renderer.index_rows(agencies)
    lap("plan")

    about_all = partial(_about_all, options, renderer, store, agencies, problems, rows)
    if plan.rebuild:
        written = _rebuild(options, renderer, store, agencies, plan, about_all, lap)
    else:
        ours = manifest_files(manifest) if folder.state == "ours" else None

        def swap(staging: Staging) -> None:
            folder.notes.extend(staging.commit(folder, ours))

        written = _full(options, renderer, store, agencies, about_all, lap, swap)
    rendered = len(agencies) - len(plan.unchanged) if plan.rebuild else len(agencies)
    lap("write")

    store.save()
    save_state(plan.path, {"format": MANIFEST_FORMAT, "global": base, **written.manifest,
                           "agencies": {slug: {"key": keys[slug], "files": written.agency_files[slug]}
                                        for slug in keys}})
    if pinyin != known_pinyin:  # new names, or entries of an older layout made again
        save_state(cache / "pinyin.json", pinyin)
    if used_pairs.keys() != pairs.keys():
        save_state(cache / "pairs.json", used_pairs)
    lap("save")

    if options.progress:
        for note in folder.notes:
            options.progress(note)
    return BuildResult(out=given, reports=len(infos), agencies=len(agencies),
                       problems=[p.describe() for p in problems], errors=sum(i.head.quality == "error" for i in infos),
                       pages=sum(len(a.ids) for a in agencies) + len(written.manifest["listing"]) + 4
                       + len(renderer.pages),
                       seconds=time.perf_counter() - started, mode="rebuild" if plan.rebuild else "full",
                       parsed=store.parsed, rendered_agencies=rendered, written=written.count, timings=timings, cpu=cpu,
                       notes=folder.notes)


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
