"""The write stage: the site's files from the model, all of them (a full build, in worker
processes, into a staging folder swapped in at the end) or only those that changed (a
rebuild, in place, each file replaced whole).

A rebuild puts the pages on disk first and the downloads of all reports after them
(``Finish``): ``build`` waits for both before it returns, ``serve`` shows the pages at once
and lets the downloads follow. Every file written is recorded with its size in the
manifest, so the size of the site is known without scanning it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from giro_site.corpus import Problem
from giro_site.progress import Progress
from giro_site.site.build.incremental import Patch, SiteModel
from giro_site.site.build.output import MARKER, MARKER_TEXT, InPlace, Linked, Payload, Staging
from giro_site.site.build.store import ReportStore
from giro_site.site.downloads import aggregates
from giro_site.site.downloads.ahead import DownloadsAhead, request
from giro_site.site.model import Agency, ReportInfo
from giro_site.site.pages.regions import Region
from giro_site.site.pages.renderer import Output, SiteRenderer

# Above this share of agencies changed (and at least 20), a full build (parallel, staged) beats a rebuild.
REBUILD_LIMIT = 0.2

Files = dict[str, list[Any]]  # path in the site → [fingerprint, size]


def size_of(payload: Payload) -> int:
    if isinstance(payload, bytes):
        return len(payload)
    return (payload.path if isinstance(payload, Linked) else payload).stat().st_size


def fingerprint(payload: Payload) -> str:
    """What tells whether a file must be written again: its bytes' hash, or for a file to copy
    or link its size and time."""
    if isinstance(payload, bytes):
        return hashlib.sha1(payload).hexdigest()
    path = payload.path if isinstance(payload, Linked) else payload
    stat = path.stat()
    return f"file:{path}:{stat.st_size}:{stat.st_mtime_ns}"


# --- parallel rendering for full builds -------------------------------------------------

_WORK: tuple[SiteRenderer, list[Agency], ReportStore, Path] | None = None  # inherited by forked workers


# How much a render worker yields to the build's other processes (``os.nice``). The workers
# are interchangeable (a chunk goes to whichever is free), but the main process's pages about
# all agencies and the downloads' child are each one chain of work: when a chain ran last,
# alone on one core, the other core idled (measured at 3,000 reports: the database's child
# ended up to 0.3 s after the workers). Yielding to the chains, the workers take what they leave.
RENDER_NICENESS = 5


def _yield_to_chains() -> None:
    """(A worker's first call.) Never fails a build: a system without ``nice`` keeps the
    priority as it is."""
    with suppress(AttributeError, OSError):
        os.nice(RENDER_NICENESS)


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, list[str], list[int]]]:
    """Render agencies[start:end] straight into the staging folder; (slug, files, sizes) each."""
    assert _WORK is not None
    renderer, agencies, store, stage = _WORK
    staging = Staging(Path("unused"), stage=stage)
    done = []
    for agency in agencies[bounds[0]:bounds[1]]:
        files, sizes = [], []
        for relative, payload in renderer.agency_outputs(agency, lambda info: store.full(info.name)):
            sizes.append(size_of(payload))
            staging.put(relative, payload)
            files.append(relative)
        done.append((agency.slug, files, sizes))
    return done


class _RenderAll:
    """Render every agency into the staging folder in worker processes, while the main
    process does other work (the downloads of all reports): the workers spend much of
    their time waiting for the disk to create files."""

    chunk = 64

    def __init__(self, renderer: SiteRenderer, agencies: list[Agency], store: ReportStore, staging: Staging,
                 jobs: int, progress: Progress):
        global _WORK
        self.agencies, self.progress = agencies, progress
        self.bounds = [(i, min(i + self.chunk, len(agencies))) for i in range(0, len(agencies), self.chunk)]
        _WORK = (renderer, agencies, store, staging.stage)
        self.pool = None
        if jobs > 1 and len(agencies) > self.chunk:
            renderer.ready()  # the agency page's templates compiled once, here, not in each worker
            self.pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_yield_to_chains)
            self.results = self.pool.imap_unordered(_render_chunk, self.bounds)

    def collect(self) -> dict[str, dict[str, Any]]:
        global _WORK
        files: dict[str, dict[str, Any]] = {}
        try:
            if self.pool is None:
                for part in self.bounds:
                    files.update((slug, {"files": f, "sizes": s}) for slug, f, s in _render_chunk(part))
                    self.progress.advance(part[1] - part[0])
                return files
            for results in self.results:
                files.update((slug, {"files": f, "sizes": s}) for slug, f, s in results)
                self.progress.advance(len(results))
            self.pool.close()
            self.pool.join()
            return files
        finally:
            if self.pool is not None:
                self.pool.terminate()
            _WORK = None


# --- what to write ------------------------------------------------------------------------


def _listing(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _there(out: Path, relative: str, agencies: set[str]) -> bool:
    """Whether an agency's first file is still there: for a page under ``agency/`` its folder
    (one listing of ``agency/`` for all: 22,000 folders at 50,000 reports), else the file."""
    parts = relative.split("/", 2)
    if len(parts) == 3 and parts[0] == "agency":
        return parts[1] in agencies
    return os.path.exists(out / relative)


class Plan:
    """What the previous build left, and what this build must do about it."""

    def __init__(self, out: Path, base: str, keys: dict[str, str], previous: dict[str, Any], *,
                 trusted: bool = False):
        self.previous = previous
        same_site = previous.get("global") == base
        old = previous.get("agencies", {})
        # An unchanged agency keeps its files; that its folder is still there is checked (not
        # each file; after deleting files by hand, build with --fresh), unless ``trusted``:
        # this process wrote them (serve).
        present = _listing(out / "agency") if same_site and not trusted else set()
        self.unchanged = {slug for slug, key in keys.items()
                          if same_site and old.get(slug, {}).get("key") == key
                          and (trusted or not old[slug]["files"] or _there(out, old[slug]["files"][0], present))}
        changed = len(keys) - len(self.unchanged)
        self.rebuild = same_site and changed <= max(20, REBUILD_LIMIT * len(keys))

    def old_agency(self, slug: str) -> dict[str, Any]:
        return self.previous["agencies"][slug]  # type: ignore[no-any-return]


@dataclass
class Written:
    count: int  # files written
    agency_files: dict[str, dict[str, Any]]  # slug → {"files": [...], "sizes": [...]}
    manifest: dict[str, Any]  # what the next build needs to know about the pages about all agencies
    rendered: list[str] | None = None  # a rebuild: the agencies it rendered (the others kept their files)


class AboutAll:
    """The downloads of all reports (made in child processes, see ``start``) and every page
    about all agencies; the listing and region pages only where what they show changed
    since ``previous`` (the last build's manifest, or empty), and with a patch written in
    place (``rebuild``) only the regions it touched."""

    def __init__(self, options_cache: Path, fresh: bool, renderer: SiteRenderer, store: ReportStore,
                 model: SiteModel, problems: list[Problem], patched: Patch | None, generation: str = "",
                 ahead: DownloadsAhead | None = None, *, errors: list[tuple[Agency, ReportInfo, str]]):
        """``generation``: of the model as this build saves it (the downloads' state records
        it); ``ahead``: a child forked when the build started, which makes the downloads of a
        patch (``patched``) of the model of ``model.generation`` once sent its work, here (as
        soon as the model is patched, whether the pages are then written in place or whole);
        it is closed if there is none."""
        self.renderer, self.model, self.problems, self.patched = renderer, model, problems, patched
        self.errors = errors  # the reports with an error finding (``model.reports_with_errors``)
        folder = options_cache / "downloads"
        # (the rows made in the child, and only those of the years made again)
        self._start = (partial(renderer.download_source, model.agencies, model.metas), store.raw, folder,
                       renderer.download_site(), fresh, generation)
        self.downloads: aggregates.Downloads | None = None
        if ahead is not None:
            if patched is not None and model.generation and not fresh:
                self.downloads = self._sent(ahead, patched, store, folder, generation)
            if self.downloads is None:
                ahead.close()

    def _sent(self, ahead: DownloadsAhead, patched: Patch, store: ReportStore, folder: Path,
              generation: str) -> aggregates.Downloads | None:
        """The downloads of a patch, handed to the child forked at the start (``ahead``)."""
        renderer, model = self.renderer, self.model
        changed = renderer.download_rows([model.agencies[index] for index in patched.changed], model.metas)
        work = request(folder, renderer.download_site(), model.generation, generation, changed, store.raw)
        return ahead.send(folder, work, self._started)

    def start(self) -> None:
        """Start making the downloads in their child processes. A rebuild in ``serve`` starts
        them once its pages are written, in the background (``rebuild``'s ``finish``): forked
        from a process holding the model of tens of thousands of reports, every page of
        memory the parent touched while the children ran was copied (at 50,000 reports,
        seconds)."""
        if self.downloads is None:
            self.downloads = self._started()

    def _started(self) -> aggregates.Downloads:
        source_of, load, folder, site, fresh, generation = self._start
        return aggregates.Downloads.start(source_of, load, folder, site, fresh=fresh, generation=generation)

    def pages(self, previous: dict[str, Any], *, in_place: bool
              ) -> tuple[list[Output], dict[str, str], dict[str, str]]:
        """(outputs, the listing keys, the regions' signatures) of the pages about all agencies;
        ``in_place``: a rebuild writing only what changed, where a patch's regions alone may have."""
        renderer, model = self.renderer, self.model
        patched = self.patched if in_place else None
        # the marker (the output is a site this build made) and the pages, while the downloads are made
        outputs: list[Output] = [(MARKER, MARKER_TEXT), *renderer.global_outputs(
            model.agencies, self.problems, model.rows, model.regions, model.index_pieces, self.errors)]
        old_keys = previous.get("listing", {})
        old_signatures = previous.get("regions", {})
        if patched is not None:
            only, signatures = patched.regions, dict(old_signatures)
            for code in only:
                signatures[code] = region_signature(model.regions[code], model.keys)
        else:
            signatures = {code: region_signature(region, model.keys) for code, region in model.regions.items()}
            only = {code for code, signature in signatures.items() if old_signatures.get(code) != signature}
            if len(only) == len(signatures):
                only = None  # all of them (and the sitemap)
        listing_keys: dict[str, str] = {}
        for url, shown, render in renderer.keyed_pages(model.agencies, model.rows, model.regions, only):
            listing_keys[url] = hashlib.sha256(shown).hexdigest()
            if old_keys.get(url) != listing_keys[url]:
                outputs.append(render())
        if only is not None:  # the pages not looked at show what they showed
            if patched is None:  # the addresses may have changed: the sitemap, made again if they did
                for url, shown, render in [_sitemap(renderer, model)]:
                    listing_keys[url] = hashlib.sha256(shown).hexdigest()
                    if old_keys.get(url) != listing_keys[url]:
                        outputs.append(render())
            for url, key in old_keys.items():
                listing_keys.setdefault(url, key)
            if patched is None:  # pages may be gone (a patch leaves the addresses as they were)
                urls = {renderer.urls.region(region.place.short_code) for region in model.regions.values()}
                urls |= {url for url, _, _, _ in renderer.listing_pages(len(model.rows))} | {renderer.urls.sitemap()}
                listing_keys = {url: key for url, key in listing_keys.items() if url in urls}
        return outputs, listing_keys, signatures

    def download_outputs(self) -> list[Output]:
        """The downloads' pages and files: each file the cache keeps, linked into the site."""
        self.start()
        assert self.downloads is not None
        years = self.downloads.result()
        return [(relative, Linked(payload) if isinstance(payload, Path) else payload)
                for relative, payload in self.renderer.download_outputs(years, self.downloads.every_year())]


def _global_files(outputs: list[Output], old: Files, writer: Callable[[str, Payload], None],
                  out: Path | None) -> Files:
    """Record each output (fingerprint, size) and hand those that changed to ``writer`` (all
    of them when ``out`` is None: a new folder)."""
    files: Files = {}
    for relative, payload in outputs:
        entry = [fingerprint(payload), size_of(payload)]
        files[relative] = entry
        if out is None or (old.get(relative) or [None])[0] != entry[0] or not (out / relative).is_file():
            writer(relative, payload)
    return files


def region_signature(region: Region, keys: dict[str, str]) -> str:
    """Changes whenever the region's page may: the keys of the agencies in it (each covers
    everything about its agency the page shows, and the site's settings) and its places."""
    digest = hashlib.sha1(region.place.code.encode())
    for agency in region.beneath:
        digest.update(keys[agency.slug].encode())
    for child in region.children:
        digest.update(child.place.code.encode())
    return digest.hexdigest()


def _sitemap(renderer: SiteRenderer, model: SiteModel) -> tuple[str, bytes, Callable[[], Output]]:
    listed = renderer.sitemap_urls(model.agencies, model.rows, model.regions)
    return renderer.urls.sitemap(), "\n".join(listed).encode("utf-8"), partial(renderer.sitemap, listed)


Finish = Callable[[], Written]


def rebuild(out: Path, renderer: SiteRenderer, store: ReportStore, model: SiteModel, plan: Plan,
            about_all: AboutAll, progress: Progress, *, journal: Path | None = None,
            downloads_first: bool = False) -> Finish:
    """Render the changed agencies and what changed about all of them; replace only those
    files. Returns once the pages are in place; the returned call puts the downloads in
    place after them and says what was written. ``downloads_first``: start making the
    downloads before the pages (a `build` process waits for both; ``serve`` shows the pages
    first, see ``AboutAll.start``)."""
    if downloads_first:
        about_all.start()
    outputs, listing_keys, signatures = about_all.pages(plan.previous, in_place=True)
    writer = InPlace(out, journal=journal)
    agency_files: dict[str, dict[str, Any]] = {}
    rendered: list[str] = []
    progress.stage("生成机关页面", len(model.agencies) - len(plan.unchanged), "个机关")
    for agency in model.agencies:
        if agency.slug in plan.unchanged:
            agency_files[agency.slug] = plan.old_agency(agency.slug)
            continue
        rendered.append(agency.slug)
        files, sizes = [], []
        for relative, payload in renderer.agency_outputs(agency, lambda info: store.full(info.name)):
            writer.put(relative, payload)
            files.append(relative)
            sizes.append(size_of(payload))
        agency_files[agency.slug] = {"key": "", "files": files, "sizes": sizes}
        progress.advance()
    old_globals: Files = plan.previous.get("files", {})
    global_files = _global_files(outputs, old_globals, writer.put, out)
    for relative in (renderer.urls.output_path(url) for url in listing_keys):
        if relative in old_globals:  # not made again: as it was
            global_files.setdefault(relative, old_globals[relative])
    count = len(writer.pending)
    writer.commit()

    def finish() -> Written:  # (``serve`` runs it in the background: the downloads start there)
        late = InPlace(out, journal=journal)
        global_files.update(_global_files(about_all.download_outputs(), old_globals, late.put, out))
        # What may be gone: the last build's pages about all agencies, and the files of the
        # agencies rendered again or no longer there (an unchanged agency's files are its own).
        keep = {f for slug in rendered for f in agency_files[slug]["files"]} | set(global_files)
        old_agencies = plan.previous.get("agencies", {})
        for relative in [*old_globals, *(f for slug, a in old_agencies.items() if slug not in plan.unchanged
                                         for f in a["files"])]:
            if relative not in keep:
                late.remove(relative)
        written = count + len(late.pending)
        late.commit()
        return Written(written, agency_files, {"files": global_files, "listing": listing_keys, "regions": signatures},
                       rendered)

    return finish


def full(out: Path, jobs: int, progress: Progress, renderer: SiteRenderer,
         store: ReportStore, model: SiteModel, about_all: AboutAll,
         swap: Callable[[Staging], None], lap: Callable[[str], None]) -> Written:
    """Render everything into a staging folder and swap it in (``swap``)."""
    staging = Staging(out).create()
    try:
        rendering = _RenderAll(renderer, model.agencies, store, staging, jobs, progress)
        about_all.start()  # beside the workers and the pages about all reports
        outputs, listing_keys, signatures = about_all.pages({}, in_place=False)
        outputs += about_all.download_outputs()
        global_files = _global_files(outputs, {}, staging.put, None)
        lap("aggregate")
        progress.stage("生成机关页面", len(model.agencies), "个机关")
        agency_files = rendering.collect()
        swap(staging)
    except BaseException:
        staging.abort()
        raise
    return Written(sum(len(f["files"]) for f in agency_files.values()) + len(global_files), agency_files,
                   {"files": global_files, "listing": listing_keys, "regions": signatures})
