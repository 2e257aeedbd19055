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
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from giro_site import PARSER_VERSION
from giro_site.regions.gazetteer import data_key
from giro_site.site import compression, pinyin
from giro_site.site.build import sitesize, write
from giro_site.site.build.assets import collect_assets
from giro_site.site.build.incremental import Patch, SiteModel, patch, restore, snapshot
from giro_site.site.build.journal import Journal
from giro_site.site.build.lock import BuildLock
from giro_site.site.build.options import PROJECT, BuildOptions
from giro_site.site.build.output import (
    OutputFolder,
    Staging,
    clean_leftovers,
    inspect_output,
    is_marked,
    load_state,
    manifest_files,
    save_state,
)
from giro_site.site.build.prescan import ScanAhead
from giro_site.site.build.sitesize import SiteSize
from giro_site.site.build.store import ReportStore
from giro_site.site.build.write import AboutAll, Plan, Written
from giro_site.site.config import AgencyDirectory, load_agencies, load_config
from giro_site.site.downloads.ahead import DownloadsAhead
from giro_site.site.model import (
    Agency,
    OtherVersion,
    ReportInfo,
    build_agencies,
    group_key,
    likely_names,
    reports_with_errors,
)
from giro_site.site.pages.listing import IndexRows, index_piece
from giro_site.site.pages.markdown_pages import markdown_pages
from giro_site.site.pages.regions import region_tree
from giro_site.site.pages.renderer import SiteRenderer
from giro_site.site.pinyin import CACHE_NAME
from giro_site.site.versions import report_infos

MANIFEST_FORMAT = 6  # 6: the agencies as a journal's entries
MANIFEST = "manifest"  # manifest.json and manifest.delta.json in the cache (``journal``)

# What a one-shot build made (the store's index, the model, the manifest: millions of objects at
# 50,000 reports), kept until its process ends without freeing them (``cli.main(quick_exit=)``):
# freeing them one by one when the build returned took 0.45 s of a one-report rebuild there.
_LEFT_TO_EXIT: list[Any] = []


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
    warnings: list[str] = field(default_factory=list)  # mistakes in the settings that did not stop it
    error_reports: list[str] = field(default_factory=list)  # the reports with an error finding, by file
    patched: bool = False  # a rebuild that patched the last build's model (see ``incremental``)
    pages_seconds: float = 0.0  # when the pages were in place (a rebuild's downloads follow them)
    size: SiteSize | None = None  # the site as written (from the manifest), once the build has finished


class BuildSession:
    """What ``serve`` keeps between builds: the report store and the site's model in memory
    (a rebuild neither reads them from the cache nor makes the model again), and the
    downloads of the last rebuild, finished in a thread once its pages are in place
    (``background``). A plain ``build`` uses a new session: it reads what the last build
    saved and finishes everything before it returns."""

    def __init__(self, *, background: bool = False, one_shot: bool = False):
        self.background = background
        # The process ends when the build returns (``build.py build``): the objects the build
        # made to last are left out of the cyclic collector (a full collection over them took
        # 0.1 s at 10,000 reports, 0.5 s at 50,000), not handed back to it, and not freed one
        # by one either (``_LEFT_TO_EXIT``).
        self.one_shot = one_shot
        self.store: ReportStore | None = None
        self.model: SiteModel | None = None
        self.saved_model: Journal | None = None  # the model as saved for a new process, with what it holds
        self.states: dict[str, dict[str, Any]] = {}
        self._where: tuple[Path, Path] | None = None  # the cache and content folders these are of
        self._stamp: list[list[int] | None] | None = None  # the manifest this session wrote last (size, time)
        self._thread: threading.Thread | None = None
        self.failure: BaseException | None = None  # what went wrong finishing the last rebuild
        # The manifest as read (its stamp, it, its journal) or as this session saved it (its journal).
        self.read_manifest: tuple[list[list[int] | None], dict[str, Any], Journal] | None = None
        self.manifest_journal: Journal | None = None

    def _ours(self, cache: Path) -> bool:
        """Whether the cache is still as this session left it (another process, a `build` in
        another terminal, may have built the same output since: then all is read again)."""
        return self._stamp is not None and self._stamp == Journal(cache, MANIFEST).stamp()

    def store_for(self, cache: Path, options: BuildOptions) -> ReportStore:
        if options.fresh or self.store is None or self._where != (cache, options.content) or not self._ours(cache):
            self.store, self.model, self.states = None, None, {}
            self._where = (cache, options.content)
            return ReportStore(cache, options.content, fresh=options.fresh)
        return self.store

    def manifest_for(self, options: BuildOptions) -> dict[str, Any] | None:
        """The last build's manifest, if this session wrote it for this output."""
        if options.fresh or self._where is None or self._where[0] != options.cache_folder() \
                or not self._ours(options.cache_folder()):
            return None
        return self.states.get("manifest")

    def state(self, cache: Path, name: str) -> dict[str, Any]:
        """A cache file of the build (pinyin, pairs): kept in memory after the first build."""
        return self.states[name] if name in self.states else load_state(cache / f"{name}.json")

    def keep(self, store: ReportStore, model: SiteModel, states: dict[str, dict[str, Any]], cache: Path) -> None:
        if self.background:
            self.store, self.model, self.states = store, model, states
            self._stamp = Journal(cache, MANIFEST).stamp()

    def later(self, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except BaseException as exc:
                self.failure = exc
        self._thread = threading.Thread(target=run, name="giro-downloads", daemon=False)
        self._thread.start()

    def wait(self) -> None:
        """Until the last rebuild's downloads are in place; raises what stopped them."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        failure, self.failure = self.failure, None
        if failure is not None:
            self.store, self.model = None, None
            raise failure


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
    return _digest(PARSER_VERSION, data_key(), compression.NAME, _tree_digest(PROJECT / "giro_site", "*.py"),
                   _tree_digest(options.templates),
                   *(a.hashed for a in renderer.assets), repr(renderer.config), orjson.dumps(renderer.pages).decode(),
                   *(hashlib.sha256(part).hexdigest() for part in extra))


def meta_key(agency: Agency, base: str) -> str:
    """The agency's metadata and its reports' ids (and the global key): what a download row
    takes from its agency beside the report itself."""
    return _digest(base, agency.slug, agency.name, agency.display_name, agency.region or "", agency.level or "",
                   agency.source_url or "", agency.pinyin, orjson.dumps(agency.division).decode(), *agency.ids)


def agency_key(agency: Agency, base: str) -> str:
    """Everything an agency's pages show: its reports (content and findings) and its metadata."""
    parts = [meta_key(agency, base)]
    for info in agency.reports:
        parts += [info.name, info.version, info.summary["digest"]]
    return _digest(*parts)


def _infos(store: ReportStore, named: list[tuple[str, dict[str, Any]]], directory: AgencyDirectory,
           build_year: int, known: dict[str, list[dict[str, Any]]], used: dict[str, list[dict[str, Any]]],
           names: dict[str, list[str]] | None = None) -> tuple[list[ReportInfo], list[OtherVersion]]:
    """The summaries of the reports that count (one per body and year) with the findings the
    corpus adds (cross-year, year, versions: ``versions.report_infos``), and the files that
    do not count.

    ``known`` holds the findings of pairs compared in earlier builds, keyed by the two
    reports' content hashes (a comparison depends on nothing else); the pairs of this build
    are put in ``used``; ``named``: the store's reports (``ReportStore.reports``)."""
    keys = [group_key(summary, directory, names)[0] if summary.get("agency") else f"\0{name}"
            for name, summary in named]
    return report_infos(named, keys, build_year, store.link, known, used)


class _Names:
    """The pinyin of bodies' names from earlier builds (``pinyin.json``, 5.7 MB at 50,000
    reports): only a model made from the summaries needs it, not a patch."""

    def __init__(self, cache: Path, session: BuildSession, fresh: bool):
        self.cache, self.session, self.fresh = cache, session, fresh
        self.pinyin: dict[str, list[str]] | None = None
        self.known: dict[str, list[str]] = {}

    def read(self) -> dict[str, list[str]]:
        if self.pinyin is None:
            saved = {} if self.fresh else self.session.state(self.cache, CACHE_NAME)
            if saved.get("\0gazetteer") != [version := data_key()]:  # own names read against another one
                saved = {key: value for key, value in saved.items() if not key.startswith("own\t")}
                saved["\0gazetteer"] = [version]
            self.pinyin, self.known = saved, dict(saved)
        return self.pinyin

    def save(self) -> None:
        if self.pinyin is not None and self.pinyin != self.known:  # new names, or an older layout's made again
            save_state(self.cache / f"{CACHE_NAME}.json", self.pinyin)

    def kept(self) -> dict[str, dict[str, list[str]]]:
        """For ``serve``: what it keeps in memory (nothing when it was not read)."""
        if self.pinyin is not None:
            return {CACHE_NAME: self.pinyin}
        return {CACHE_NAME: self.session.states[CACHE_NAME]} if CACHE_NAME in self.session.states else {}


def _template_cache() -> Path | None:
    """Where compiled templates are kept between builds: the user's own cache folder, not
    ``.giro-cache`` beside the output, which a CI job restores from an earlier run: Jinja's
    compiled templates are Python code, and what that folder holds is read as data only."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "giro-site" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # compiled again at each build
    return folder


def _load_pinyin() -> None:
    """While the workers parse many reports (a first build, a new parser), load pypinyin's
    dictionaries, which the model will need for the new bodies' names (0.14 s a build that
    this process would otherwise spend with the other core idle); not when the pinyin
    helper, started with the build, has them (``pinyin``)."""
    if not pinyin.helping():
        import pypinyin  # noqa: F401


@contextmanager
def _long_lived_objects(one_shot: bool = False) -> Iterator[None]:
    """A build holds millions of long-lived objects (every report's summary and manifest
    entry), and Python's cyclic collector would walk them again and again: measured, about a
    fifth of a one-change rebuild at 10,000 reports. Collect rarely while building; cycles
    are still freed, and the usual thresholds come back afterwards (``serve`` lives on)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        if not one_shot:
            gc.unfreeze()  # what ``_kept`` froze: collected again as usual between builds
            gc.set_threshold(*thresholds)


@contextmanager
def _kept() -> Iterator[None]:
    """Objects made to last the whole build (the store's index, the model): no collection
    while they are made, as each would walk every object made so far (at 10,000 reports a
    tenth of a one-change rebuild even with ``_long_lived_objects``' thresholds), and none
    of them looked at again by the later collections of this build (``gc.freeze``; the
    workers a full build forks then leave their pages unwritten, too)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def build_site(options: BuildOptions, session: BuildSession | None = None) -> BuildResult:
    """Parse every report and write the site; the previous site stays whole on failure.
    ``session``: what ``serve`` keeps between builds (the model in memory; the downloads of a
    rebuild follow its pages, finished in the background)."""
    session = session or BuildSession()
    session.wait()  # the last rebuild's downloads are in place before anything else is
    # (from the first cache read: the manifest's objects alone cost a full collection)
    with _long_lived_objects(session.one_shot):
        # The content's scan in a child while this process reads the caches; not in ``serve``,
        # whose other threads a fork would copy mid-work (and whose rebuilds read no caches).
        scan = None if session.background else ScanAhead(options.content)
        # and a child for the downloads of a patch, forked while this process is small (``ahead``)
        ahead = None if session.background or options.fresh else DownloadsAhead()
        try:
            # A refused --out stops the build before anything is written (the lock's folder too);
            # under the lock, the output is looked at again.
            inspect_output(options.content, options.out, manifest=_last_manifest(options, session),
                           force=options.force, sources=(options.templates, options.assets))
            lock = BuildLock(options.cache_folder())
            lock.acquire(options.progress.note)
        except BaseException:
            _close_children(scan, ahead)
            raise

        def done() -> None:  # when the build has finished, maybe in the background (``serve``)
            options.progress.close()
            lock.release()

        try:
            return _build_site(options, session, done, scan, ahead)
        except BaseException:
            _close_children(scan, ahead)
            done()
            raise


def _close_children(scan: ScanAhead | None, ahead: DownloadsAhead | None) -> None:
    """The early children of a build that stopped: ended and reaped."""
    for child in (scan, ahead):
        if child is not None:
            child.close()


def _last_manifest(options: BuildOptions, session: BuildSession) -> dict[str, Any]:
    """The last build's manifest: as ``serve`` kept it, else read from the cache (3 MB of JSON
    at 10,000 reports; ``journal``: the whole and the delta beside it, the agencies as
    ``agencies``). Read before the lock, to refuse a wrong ``--out`` before anything is
    written, and again under it (another process may have built in between; ``_ours`` tells)."""
    known = session.manifest_for(options)
    if known is not None:
        return known
    saved = Journal(options.cache_folder(), MANIFEST)
    stamp = saved.stamp()
    if session.read_manifest is not None and session.read_manifest[0] == stamp:
        session.manifest_journal = session.read_manifest[2]
        return session.read_manifest[1]
    loaded = saved.load()
    # An older version's manifest (one file, no journal) still names the files it wrote, so a
    # file added by hand survives the first build after an upgrade.
    manifest = load_state(saved.whole) if loaded is None else {**loaded[0], "agencies": loaded[1]}
    session.read_manifest, session.manifest_journal = (stamp, manifest, saved), saved
    return manifest


def _prepare_output(options: BuildOptions, session: BuildSession) -> tuple[OutputFolder, dict[str, Any]]:
    """May the build replace ``--out`` (``OutputRefused`` if not), what interrupted builds left
    beside it cleaned up; and the last build's manifest."""
    manifest = _last_manifest(options, session)
    folder = inspect_output(options.content, options.out, manifest=manifest, force=options.force,
                            sources=(options.templates, options.assets))
    folder.notes += clean_leftovers(folder.path, lambda: manifest_files(manifest) if folder.state == "ours" else None)
    if folder.state == "new" and is_marked(folder.path):
        folder.state = "ours"  # an interrupted build's last site, put back
    return folder, manifest


def _make_model(renderer: SiteRenderer, store: ReportStore, directory: AgencyDirectory, base: str,
                names: dict[str, list[str]], pairs: dict[str, list[dict[str, Any]]],
                used_pairs: dict[str, list[dict[str, Any]]]) -> SiteModel:
    """The model from every report's summary (the general path); ``names``: the build's pinyin
    cache. The names it will convert go to the pinyin helper first, if one runs."""
    named = store.reports()
    if pinyin.helping():
        pinyin.prefetch(likely_names((summary for _, summary in named), directory))
    infos, others = _infos(store, named, directory, int(renderer.config.build_date[:4]), pairs, used_pairs, names)
    agencies = build_agencies(infos, directory, names, others)
    regions = region_tree(agencies)
    keys = {agency.slug: agency_key(agency, base) for agency in agencies}
    metas = {agency.slug: meta_key(agency, base) for agency in agencies}
    return SiteModel(base, agencies, keys, IndexRows(renderer.index_rows(agencies)),
                     regions, [index_piece(agency, regions) for agency in agencies], metas)


MODEL = "model"  # the saved model: model.json and model.delta.json in the cache (``journal``)


def _restored_model(renderer: SiteRenderer, store: ReportStore, loaded: tuple[dict[str, Any], dict[str, Any], bool],
                    base: str) -> SiteModel | None:
    """The last build's model as it saved it (``incremental.snapshot``, ``loaded`` from its
    journal), for a new process whose change a patch may make: grouping every report again
    costs more (0.4 s at 10,000 reports). None when it is not of this store and settings."""

    def known(names: set[str]) -> bool:
        """Whether each was a report as the last build saw it: one unchanged since is in the
        index as it was, one changed has its entry from before (which may be of a report)."""
        before = store.before
        return all(name in before and before[name]["problem"] is None
                   for name in names - store.entries.keys() | names & before.keys())

    made = restore(loaded[0], loaded[1], base, store.token, known, store.summary_before)
    if made is None:
        return None
    agencies, keys, metas, rows, pieces, unused = made
    return SiteModel(base, agencies, keys, rows, region_tree(agencies), pieces, metas, unused=unused,
                     generation=str(loaded[0].get("generation") or ""))


def _apply(renderer: SiteRenderer, model: SiteModel, patched: Patch) -> None:
    """The rest of the model after a patch changed some agencies' reports (the downloads' rows
    are made from the agencies, in the downloads' child: ``AboutAll.start``)."""
    for index in patched.changed:
        agency = model.agencies[index]
        model.keys[agency.slug] = agency_key(agency, model.base)
        model.metas[agency.slug] = meta_key(agency, model.base)
        model.rows[index] = renderer.index_rows([agency])[0]
        model.index_pieces[index] = index_piece(agency, model.regions)


def _build_site(options: BuildOptions, session: BuildSession, done: Callable[[], None],
                scan: ScanAhead | None = None, ahead: DownloadsAhead | None = None) -> BuildResult:
    started = time.perf_counter()
    given = options.out
    folder, manifest = _prepare_output(options, session)
    options = replace(options, out=folder.path)
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    mark = [started, _cpu_seconds()]  # wall and CPU seconds when the last stage ended

    def lap(name: str) -> None:
        now = [time.perf_counter(), _cpu_seconds()]
        timings[name], cpu[name] = now[0] - mark[0], now[1] - mark[1]
        mark[:] = now

    cache = options.cache_folder()
    config = load_config(options.content, base_url=options.base_url, build_date=options.build_date)
    directory = load_agencies(options.content)  # settings first: a mistake there stops the build at once
    pages = markdown_pages(options.content)
    folder.notes.extend(note for page in pages for note in page["notes"])
    renderer = SiteRenderer(config, options.content, options.templates, collect_assets(options.assets), pages,
                            bytecode=_template_cache())
    with _kept():
        store = session.store_for(cache, options)
        previous = manifest if folder.state == "ours" and not options.fresh \
            and manifest.get("format") == MANIFEST_FORMAT else {}  # never rebuild in place into another's folder
        model = None if options.fresh or not previous else session.model
        kept = model is not None  # this process made it, and wrote the files it describes
        saved_model = session.saved_model if kept and session.saved_model else Journal(cache, MODEL)
        # Read while the content's scan runs in its child (``prescan``): what a patch needs (read
        # in vain when the change takes the general path: 0.3 s at 50,000 beside seconds of work).
        loaded = saved_model.load() if model is None and previous else None
        pairs = {} if options.fresh else session.state(cache, "pairs")
    store.refresh(jobs=options.jobs, progress=options.progress, meanwhile=_load_pinyin,  # the stage "解析报告"
                  scanned=scan.result() if scan is not None else None)
    problems = store.problems()
    if ahead is not None:  # (the other core is free of the scan now)
        ahead.prepare(cache / "downloads")
    lap("parse")

    with _kept():  # the model
        names = _Names(cache, session, options.fresh)  # read only if the model is made from the summaries
        known_pairs = len(pairs)
        base = global_key(options, renderer)
        if loaded is not None \
                and all(name in store.before and store.before[name]["problem"] is None for name in store.changed):
            model = _restored_model(renderer, store, loaded, base)  # only a change a patch may make
        patched = None
        if model is not None:
            patched = patch(model, base, {name: store.summary(name) for name in store.changed},
                            directory, store.link, pairs, pairs, store.digests)
        if patched is None:
            used_pairs: dict[str, list[dict[str, Any]]] = {}
            model = _make_model(renderer, store, directory, base, names.read(), pairs, used_pairs)
            if used_pairs.keys() != pairs.keys():
                pairs, known_pairs = used_pairs, -1
        else:
            assert model is not None
            _apply(renderer, model, patched)
        pinyin.stop_helper()  # (the names are converted)
        generation = os.urandom(8).hex()  # of the model as this build saves it, and of its downloads
        errors = reports_with_errors(model.agencies)
        # (a patch's downloads handed to the early child now, to be made while this process plans)
        about_all = AboutAll(cache, options.fresh, renderer, store, model, problems, patched, generation, ahead,
                             errors=errors)
        warnings = _unused(directory, model, store, patched is not None)  # (before the model is saved)
        session.model = None  # until this build has finished: a failed build leaves no half-patched model
        plan = Plan(options.out, base, model.keys, previous,
                    trusted=kept and patched is not None)
    lap("plan")

    options.progress.stage("生成汇总页面和下载文件")
    if plan.rebuild:
        finish = write.rebuild(options.out, renderer, store, model, plan, about_all, options.progress,
                               journal=cache / "writing.json", downloads_first=not session.background)
        lap("pages")
    else:
        ours = manifest_files(manifest) if folder.state == "ours" else None

        def swap(staging: Staging) -> None:
            folder.notes.extend(staging.commit(folder, ours))

        written_all = write.full(options.out, options.jobs, options.progress, renderer, store, model, about_all, swap,
                                 lap)
        lap("write")

        def finish() -> Written:
            return written_all
    pages_seconds = time.perf_counter() - started

    def keep_caches() -> None:
        """The store's index, the model for the next build and the name caches: none of them
        depends on the downloads. (Saved before the manifest: a build that fails in between
        leaves a model whose keys the old manifest's differ from, so those pages are made again.)"""
        store.save()
        try:  # one that cannot be saved only costs the next build the general path, never this one
            saved_model.save(*snapshot(model, store.token, generation),
                             None if patched is None else [model.agencies[index].slug for index in patched.changed])
            model.generation = generation
        except OSError:
            with suppress(OSError):
                saved_model.remove()
        names.save()
        if len(pairs) != known_pairs:
            save_state(cache / "pairs.json", pairs)

    early = plan.rebuild and not session.background
    if early:  # a `build` process: while the downloads are made in their child processes
        keep_caches()
        lap("caches")

    sizes: list[SiteSize] = []  # of the agencies' files, of the rest (``save``)

    def save() -> Written:
        written = finish()
        if plan.rebuild:
            lap("downloads")
        options.progress.stage("保存缓存")
        if not early:
            keep_caches()
        agency_files = written.agency_files
        sizes[:] = [_agency_size(agency_files, plan, written.rendered), sitesize.tally(
            (name, entry[1]) for name, entry in written.manifest["files"].items())]
        head = {"format": MANIFEST_FORMAT, "global": base, **written.manifest,
                "agency_size": sitesize.as_record(sizes[0])}
        agencies = _ManifestEntries(model.keys, agency_files)
        changed = None if written.rendered is None else [  # rendered again or gone
            *written.rendered, *(slug for slug in plan.previous.get("agencies", {}) if slug not in model.keys)]
        journal = session.manifest_journal if plan.rebuild and session.manifest_journal else Journal(cache, MANIFEST)
        journal.save(head, agencies, changed)
        session.manifest_journal = journal
        if session.background:  # (``serve``: the next build's manifest, in memory)
            saved = {**head, "agencies": dict(agencies.items())}
            session.keep(store, model, {**names.kept(), "pairs": pairs, "manifest": saved}, cache)
        session.saved_model = saved_model
        return written

    error_reports = [info.name for _, info, _ in errors]
    reports = len(model.where)  # (a page each)
    result = BuildResult(out=given, reports=reports, agencies=len(model.agencies),
                         problems=[p.describe() for p in problems], errors=len(error_reports),
                         pages=reports + len(renderer.listing_pages(len(model.rows))) + len(model.regions) + 4
                         + len(renderer.pages),
                         seconds=0.0, mode="rebuild" if plan.rebuild else "full", parsed=store.parsed,
                         rendered_agencies=len(model.agencies) - len(plan.unchanged) if plan.rebuild
                         else len(model.agencies), timings=timings, cpu=cpu, notes=folder.notes,
                         pages_seconds=pages_seconds, patched=patched is not None,
                         warnings=warnings,
                         error_reports=error_reports)

    def complete() -> None:
        try:
            written = save()
            lap("save")
            result.written = written.count
            result.size = sitesize.merged(*sizes)
            result.seconds = time.perf_counter() - started
        finally:
            done()

    if plan.rebuild and session.background:
        session.later(complete)
    else:
        complete()
    if session.one_shot:
        _LEFT_TO_EXIT.append((store, model, manifest, plan, about_all, renderer, names, pairs, loaded))
    return result


class _ManifestEntries(Mapping[str, dict[str, Any]]):
    """The manifest's entry of each agency (its key, files and their sizes), made when looked
    up: a rebuild's journal writes only the entries it changed (22,000 agencies at 50,000
    reports)."""

    def __init__(self, keys: dict[str, str], files: dict[str, dict[str, Any]]):
        self.keys, self.files = keys, files

    def __getitem__(self, slug: str) -> dict[str, Any]:
        written = self.files[slug]
        return {"key": self.keys[slug], "files": written["files"], "sizes": written["sizes"]}

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


def _unused(directory: AgencyDirectory, model: SiteModel, store: ReportStore, patched: bool) -> list[str]:
    """The warnings about agencies.toml's entries no report matched: found while grouping
    every report, or kept from then (``SiteModel.unused``) when a patch grouped only some."""
    if not patched or model.unused is None:  # (a model saved without them: every summary read)
        model.unused = directory.unused(() if not patched else ((s["file"], s.get("agency"), s.get("region"))
                                                                for _, s in store.reports()))
    return model.unused


def _agency_size(agencies: dict[str, dict[str, Any]], plan: Plan, rendered: list[str] | None) -> SiteSize:
    """The size of the agencies' files, from what the build wrote (the manifest), not from a
    scan: after a rebuild, the last build's less the files of the agencies rendered again or
    gone, plus those rendered (``rendered``; None: count them all)."""
    def pairs(agency: dict[str, Any]) -> Iterator[tuple[str, int]]:
        return zip(agency["files"], agency["sizes"], strict=True)

    before = sitesize.from_record(plan.previous.get("agency_size")) if rendered is not None else None
    if before is not None:
        old = plan.previous.get("agencies", {})
        left = sitesize.without(before, (pair for slug, agency in old.items() if slug not in plan.unchanged
                                         for pair in pairs(agency)))
        if left is not None:
            return sitesize.merged(left, sitesize.tally(pair for slug in rendered for pair in pairs(agencies[slug])))
    return sitesize.tally(pair for agency in agencies.values() for pair in pairs(agency))

