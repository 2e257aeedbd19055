"""Rebuilds never serve a stale page: after a report, a template or the parser changes, the
site is what a fresh build of the same inputs gives."""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from giro_site import corpus
from giro_site.bench.synth import make_corpus, random_report, render_text
from giro_site.errors import ReportError
from giro_site.progress import Progress
from giro_site.site.build import builder, incremental, journal, sitesize, store, write
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.model import ReportInfo
from tests.conftest import ROOT
from tests.sitecheck import page_text, published_reports

DATE = "2026-01-02"
EDITED = "content/reports/2020/001_c2f37f7082ff9ace.txt"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def build(project: Path, out: str = "public", **extra: object) -> builder.BuildResult:
    return build_site(BuildOptions(content=project / "content", out=project / out, build_date=DATE,
                                   templates=project / "templates", **extra))  # type: ignore[arg-type]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_same_as_fresh(project: Path) -> None:
    """The rebuilt site equals a fresh build, byte for byte (the zipped databases included)."""
    build(project, "fresh", fresh=True, cache_dir=project / "fresh-cache")
    rebuilt, fresh = files(project / "public"), files(project / "fresh")
    assert sorted(rebuilt) == sorted(fresh)
    for name in rebuilt:
        assert rebuilt[name] == fresh[name], name
    shutil.rmtree(project / "fresh")
    shutil.rmtree(project / "fresh-cache")


def year_page(project: Path, slug_start: str, year: int) -> Path:
    folder = next(p for p in (project / "public" / "agency").iterdir() if p.name.startswith(slug_start))
    return folder / f"{year}.html"


def test_nothing_changed_writes_nothing(project: Path) -> None:
    assert build(project).mode == "full"
    before = files(project / "public")
    again = build(project)
    assert (again.mode, again.parsed, again.rendered_agencies, again.written) == ("rebuild", 0, 0, 0)
    assert files(project / "public") == before


def test_a_changed_report_is_rebuilt_and_nothing_else(project: Path) -> None:
    build(project)
    report = project / EDITED
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    result = build(project)
    assert (result.mode, result.parsed, result.rendered_agencies) == ("rebuild", 1, 1)
    assert "共主动公开政府信息310条" in page_text(year_page(project, "gaoling", 2020))
    gaoling = next(r for r in published_reports(project / "public") if r["agency"] == "高岭镇人民政府")
    assert gaoling["metrics"]["proactive_items"]["value"] == 310
    assert_same_as_fresh(project)


def test_a_touched_but_unchanged_report_is_not_parsed_again(project: Path) -> None:
    build(project)
    (project / EDITED).touch()
    result = build(project)
    assert (result.parsed, result.rendered_agencies) == (0, 0)


def test_added_and_removed_reports(project: Path) -> None:
    build(project)
    new = random_report(random.Random(3), "高岭镇人民政府", "密云区", 2021)
    new.applications["carried_over"] = dict.fromkeys(new.applications["carried_over"], 5)  # 2020 carried 0 forward
    for column in new.applications["new_received"]:
        new.applications["new_received"][column] = (new.applications["total_processed"][column]
                                                     + new.applications["carried_forward"][column] - 5
                                                     if column != "total" else 0)
    new.applications["new_received"]["total"] = sum(v for k, v in new.applications["new_received"].items()
                                                    if k != "total")
    new.applications["carried_over"]["total"] = 5 * 6
    target = project / "content" / "reports" / "2021" / "gaoling-2021.txt"
    target.parent.mkdir()
    target.write_text(render_text(new), encoding="utf-8")
    (project / "content" / "reports" / "2020" / "004_9405448751938849.txt").unlink()
    result = build(project)
    assert result.mode == "rebuild" and result.reports == 5
    page = page_text(year_page(project, "gaoling", 2021))
    assert "与上年报告衔接不符" in page  # CARRYOVER_MISMATCH against the 2020 report
    assert not any(p.name.startswith("cengang") for p in (project / "public" / "agency").iterdir())
    assert_same_as_fresh(project)


def test_a_template_change_rebuilds_every_page(project: Path) -> None:
    build(project)
    base = project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("解析结果可能有误", "解析结果或有误差"), encoding="utf-8")
    result = build(project)
    assert result.mode == "full" and result.parsed == 0
    pages = [p.read_text(encoding="utf-8") for p in (project / "public").rglob("*.html")]
    with_footer = [text for text in pages if "<footer" in text]
    assert len(with_footer) >= 10 and all("解析结果或有误差" in text for text in with_footer)
    assert_same_as_fresh(project)


def test_a_parser_change_reparses_every_report(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(project)
    import giro_site.prose.narrative

    original = giro_site.prose.narrative.proactive_items

    def stricter(texts: list[str]) -> giro_site.prose.narrative.Metric:
        found = original(texts)
        return giro_site.prose.narrative.Metric(None, None) if found.value == 309 else found

    monkeypatch.setattr(giro_site.report, "proactive_items", stricter)
    unchanged = build(project)
    assert unchanged.parsed == 0  # the same parser version: the cache answers (as it should)
    for module in (store, builder):
        monkeypatch.setattr(module, "PARSER_VERSION", "test-next")
    result = build(project)
    assert result.mode == "full" and result.parsed == 5
    assert "报告正文没有说明全年主动公开政府信息的条数" in page_text(year_page(project, "gaoling", 2020))
    assert_same_as_fresh(project)


def test_a_failed_rebuild_leaves_the_site_whole(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(project)
    before = files(project / "public")
    report = project / EDITED
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")

    def broken(*_: object, **__: object) -> list[object]:
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(builder.SiteRenderer, "agency_outputs", broken)
    with pytest.raises(RuntimeError, match="rendering failed"):
        build(project)
    assert files(project / "public") == before
    monkeypatch.undo()
    assert build(project).rendered_agencies == 1
    assert "共主动公开政府信息310条" in page_text(year_page(project, "gaoling", 2020))


def test_a_full_build_that_fails_while_its_workers_render_is_made_whole_by_the_next(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site before it stays whole, and the next build makes a fresh build's site, region
    pages included. (A full build that kept its caches before its pages were in place failed
    this: the next build read the changed report as unchanged and left the old region page.)"""
    build(project)
    before = files(project / "public")
    report = project / EDITED
    report.write_text(_more_items(report.read_text(encoding="utf-8")), encoding="utf-8")

    def failing(self: object) -> object:
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(write._RenderAll, "collect", failing)
    with pytest.raises(RuntimeError, match="rendering failed"):
        build(project, fresh=True)
    assert files(project / "public") == before
    monkeypatch.undo()
    build(project)
    assert_same_as_fresh(project)


def _niceness_chunk(bounds: tuple[int, int]) -> list[tuple[str, list[str], list[int]]]:
    """A render worker's chunk that says at which niceness the worker runs."""
    return [(str(bounds[0]), [str(os.nice(0))], [])]


def test_render_workers_yield_to_the_builds_chains_of_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main process (the pages about all agencies) and the downloads' child are one chain
    of work each; the render workers, any of which can take the next chunk, run at a lower
    priority than the build, so that a chain never runs last alone on one core."""
    monkeypatch.setattr(write, "_render_chunk", _niceness_chunk)
    renderer = SimpleNamespace(ready=lambda: None)
    rendering = write._RenderAll(renderer, [object()] * 3 * write._RenderAll.chunk,  # type: ignore[arg-type]
                                 None, SimpleNamespace(stage=Path("unused")), 2, Progress())  # type: ignore[arg-type]
    assert rendering.pool is not None
    made = rendering.collect()
    assert len(made) == 3
    assert write.RENDER_NICENESS > 0
    assert {entry["files"][0] for entry in made.values()} == {str(min(19, os.nice(0) + write.RENDER_NICENESS))}


def _more_items(text: str) -> str:
    """The report states one more proactively published item (its headline figure changes)."""
    return re.sub(r"主动公开政府信息(\d+)条", lambda m: f"主动公开政府信息{int(m.group(1)) + 1}条", text, count=1)


def test_rebuilds_in_a_new_process_and_in_serve_give_a_full_builds_bytes(tmp_path: Path) -> None:
    """A sequence of changes, each rebuilt two ways: as a new `build` process does (the model
    the last build saved, patched, or made again from the summaries) and as `serve` does (the
    model kept in memory and patched, the downloads finished in the background). After each,
    both sites equal a fresh full build byte for byte, the zipped downloads and index data
    included."""
    content = tmp_path / "content"
    make_corpus(content, 90)
    reports = [p for p in sorted((content / "reports").rglob("*.txt"))
               if re.search(r"主动公开政府信息\d+条", p.read_text(encoding="utf-8"))]
    assert len(reports) > 30
    session = builder.BuildSession(background=True)

    def options(out: str, **extra: object) -> BuildOptions:
        return BuildOptions(content=content, out=tmp_path / out, build_date=DATE, **extra)  # type: ignore[arg-type]

    def both() -> tuple[builder.BuildResult, builder.BuildResult]:
        built = build_site(options("public"))
        served = build_site(options("served"), session)
        session.wait()
        fresh = tmp_path / "fresh"
        build_site(options("fresh", fresh=True, cache_dir=tmp_path / "fresh-cache"))
        expected = files(fresh)
        for name, result in (("public", built), ("served", served)):
            got = files(tmp_path / name)
            assert sorted(got) == sorted(expected), name
            assert [f for f in expected if got[f] != expected[f]] == [], name
            measured = sitesize.measure(tmp_path / name)  # the size told is the folder's, not kept stale
            assert result.size is not None and (result.size.bytes, result.size.files, result.size.by_kind,
                                                result.size.largest[0]) == (
                measured.bytes, measured.files, measured.by_kind, measured.largest[0]), name
        shutil.rmtree(fresh)
        shutil.rmtree(tmp_path / "fresh-cache")
        return built, served

    def edit(path: Path, change: Callable[[str], str]) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    first, _ = both()
    assert first.mode == "full"

    def zips(site: str) -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in (tmp_path / site / "data").glob("reports-*.zip")}

    before = {site: zips(site) for site in ("public", "served")}
    edit(reports[10], _more_items)  # a correction: patched
    built, served = both()
    assert served.patched and built.patched and built.rendered_agencies == served.rendered_agencies == 1
    year = reports[10].parent.name  # only that year's downloads were made again, in both ways
    for site in ("public", "served"):
        now = zips(site)
        assert {name for name in now if now[name] != before[site][name]} == {  # and the all-years ones
            f"reports-{year}.{kind}.zip" for kind in ("csv", "json", "sqlite")} | {
            f"reports-all.{kind}.zip" for kind in ("csv", "sqlite")}, site
    edit(reports[15], _more_items)  # two agencies at once, and one of them again
    edit(reports[10], lambda text: text.replace("。", "；", 1))
    built, served = both()
    assert served.patched and built.patched and built.rendered_agencies == served.rendered_agencies == 2
    edit(reports[20], lambda text: "某某县财政局" + text.split("\n", 1)[1])  # another body: the general path
    built, served = both()
    assert built.mode == served.mode == "rebuild" and not served.patched and not built.patched
    # a report added (of another body: a copy of a file counts once), one removed
    added = reports[25].with_name("extra-2022.txt")
    added.write_text("某某县审计局" + reports[25].read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    reports[28].unlink()
    built, served = both()
    assert not served.patched and built.reports == served.reports == 90
    assert built.rendered_agencies < built.agencies
    saved = journal.Journal(tmp_path / ".giro-cache" / "public", builder.MODEL)
    older = {path: path.read_bytes() for path in (saved.whole, saved.delta) if path.is_file()}
    edit(reports[5], _more_items)  # and a patch again after those
    built, served = both()
    assert served.patched and built.patched
    saved.remove()
    for path, data in older.items():  # the model an earlier build saved (it has the old figures of reports[5]):
        path.write_bytes(data)
    edit(reports[3], _more_items)  # not of the store's index as it is now: made again from the summaries
    built, served = both()
    assert served.patched and not built.patched
    edit(reports[8], _more_items)  # a patch on the model a build saved whole, then on the delta beside it
    built, _ = both()
    assert built.patched and saved.delta.is_file()
    edit(reports[9], _more_items)
    built, _ = both()
    assert built.patched
    saved.whole.write_bytes(b"{}")  # a damaged saved model: the same
    edit(reports[4], _more_items)
    built, served = both()
    assert served.patched and not built.patched
    edit(reports[2], _more_items)  # and the next build saved a good one again
    built, _ = both()
    assert built.patched
    edit(reports[6], _more_items)  # a `build` in another terminal writes serve's output meanwhile:
    build_site(options("served"))  # serve reads the cache again rather than trust its memory
    edit(reports[7], _more_items)
    built, served = both()  # serve patched the model that build saved, not the one in its memory
    assert served.patched and served.rendered_agencies == 1


def test_a_saved_model_is_used_only_whole_and_for_its_own_index_and_settings(project: Path) -> None:
    """``incremental.restore`` gives the model a build saved, and nothing (never an error) for
    a snapshot damaged in any way, of another store index or of other settings."""
    broken = random_report(random.Random(5), "十里河镇人民政府", "密云区", 2021, broken=True)  # an error report
    (project / "content" / "reports" / "2021").mkdir(exist_ok=True)
    (project / "content" / "reports" / "2021" / "broken.txt").write_text(render_text(broken), encoding="utf-8")
    build(project)
    cache = project / ".giro-cache" / "public"
    loaded = journal.Journal(cache, builder.MODEL).load()
    assert loaded is not None
    head, records, _ = loaded
    saved = store.ReportStore(cache, project / "content")
    entries = saved.entries
    summary = saved.summary

    def known(names: set[str]) -> bool:
        return all(name in entries and entries[name]["problem"] is None for name in names)

    def again() -> tuple[dict, dict]:  # each try gets its own copy (a restore may change what it reads)
        return orjson.loads(orjson.dumps(head)), orjson.loads(orjson.dumps(records))

    base = head["base"]
    made = incremental.restore(*again(), base, saved.token, known, summary)
    assert made is not None
    agencies, keys, _, rows, pieces, unused = made
    assert unused == []  # agencies.toml's entries all match a report
    assert len(agencies) == len(rows) == len(pieces) == len(keys) > 3
    assert [a.slug for a in agencies] == head["order"]
    assert {info.name for agency in agencies for info in agency.reports} <= set(entries)
    infos = [info for agency in agencies for info in agency.reports]  # as the general path makes them:
    for info in infos:
        made_here = ReportInfo(info.name, summary(info.name), info.linked, info.year_valid)  # type: ignore[arg-type]
        assert (info.head, info.year, info.version, info.error_messages) == \
            (made_here.head, made_here.year, made_here.version, made_here.error_messages)  # from the brief
        assert info.summary == made_here.summary  # read from the pack now
    assert any(info.head.quality == "error" and info.error_messages for info in infos)
    assert incremental.restore(*again(), base, "0" * 16, known, summary) is None  # another index
    assert incremental.restore(*again(), base, "", known, summary) is None
    assert incremental.restore(*again(), "other", saved.token, known, summary) is None  # other settings or code
    assert incremental.restore(*again(), base, saved.token, lambda names: False, summary) is None  # reports gone
    first = head["order"][0]
    damaged = [({**head, "order": head["order"][1:]}, records),
               (head, {k: v for k, v in records.items() if k != first}),
               (head, {**records, first: [1, 2]}), (head, {**records, first: None}), ({**head, "format": 0}, records),
               ({k: v for k, v in head.items() if k != "order"}, records), (head, None),
               ({**head, "order": None}, records), ({**head, "order": [first] * len(records)}, records)]
    for bad_head, bad_records in damaged:
        shown = (str(bad_head)[:60], str(bad_records)[:60])
        assert incremental.restore(orjson.loads(orjson.dumps(bad_head)), orjson.loads(orjson.dumps(bad_records)),
                                   base, saved.token, known, summary) is None, shown
    (cache / "model.json").write_bytes((cache / "model.json").read_bytes()[:100])  # cut short: not read at all
    assert journal.Journal(cache, builder.MODEL).load() is None


def test_a_report_deleted_between_the_scan_and_its_parse_is_named_not_a_crash(project: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    content = project / "content"
    gone = content / "reports" / "2020" / "gone.txt"
    scan = corpus.scan_reports

    def scan_then_delete(folder: Path, sidecars: dict) -> tuple[list, list]:
        gone.write_text((content / EDITED.removeprefix("content/")).read_text("utf-8"), "utf-8")
        found, skipped = scan(folder, sidecars)
        gone.unlink()  # as a maintainer's `mv` or `git checkout` does while the build runs
        return found, skipped

    monkeypatch.setattr(corpus, "scan_reports", scan_then_delete)  # run by the build's scan child
    result = build(project)
    named = [p for p in result.problems if "gone.txt" in p]
    assert named and "删除或移动" in named[0]
    monkeypatch.setattr(corpus, "scan_reports", scan)
    again = build(project)
    assert not [p for p in again.problems if "gone.txt" in p]  # not kept: asked again, and gone


def test_a_rebuild_saves_only_what_changed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's index, the saved model and the manifest are not written again for one
    changed report: its entry and its agency's go into the delta beside each, which the next
    build reads with the whole, giving the entries a whole index would; a delta of another
    index is not applied; a long delta is folded into it."""
    from giro_site.fetch.sidecar import sidecar_path, write_record

    build(project)
    cache, content = project / ".giro-cache" / "public", project / "content"
    wholes = {name: (cache / f"{name}.json").read_bytes() for name in ("store", "model", "manifest")}
    index = wholes["store"]
    report = project / EDITED
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    result = build(project)
    assert (result.parsed, result.rendered_agencies, result.patched) == (1, 1, True)
    assert {name: (cache / f"{name}.json").read_bytes() for name in wholes} == wholes  # none written again
    delta = orjson.loads((cache / "store.delta.json").read_bytes())
    assert list(delta["entries"]) == [EDITED]
    for name in ("model", "manifest"):  # the agency of the report, and nothing else
        changed = list(orjson.loads((cache / f"{name}.delta.json").read_bytes())["entries"])
        assert len(changed) == 1 and changed[0].startswith("gaoling"), name
    other = next(name for name in store.ReportStore(cache, content).entries if name.endswith(".txt") and name != EDITED)
    write_record(sidecar_path(project / other), {"url": "https://www.example.gov.cn/a.html",
                                                 "fetched_at": "2026-01-01T00:00:00Z"})
    build(project)  # an entry changed in place (its origin read from the new sidecar) is saved too

    def summaries(folder: Path) -> dict[str, object]:
        return dict(store.ReportStore(folder, content).reports())

    read = summaries(cache)
    assert read[other]["origin"]["url"] == "https://www.example.gov.cn/a.html"  # type: ignore[index]
    build(project, "other", cache_dir=project / "other-cache")
    assert read == summaries(project / "other-cache")
    assert sorted(orjson.loads((cache / "store.delta.json").read_bytes())["entries"]) == sorted([EDITED, other])

    stale = orjson.loads((cache / "store.delta.json").read_bytes())
    (cache / "store.delta.json").write_bytes(orjson.dumps({**stale, "journal": "0" * 16}))
    again = build(project)  # the index alone does not describe the pack: every report parsed again
    assert again.parsed >= again.reports == 5
    assert_same_as_fresh(project)

    report.write_text(report.read_text(encoding="utf-8").replace("310条", "311条"), encoding="utf-8")
    build(project)
    index = (cache / "store.json").read_bytes()
    assert list(orjson.loads((cache / "store.delta.json").read_bytes())["entries"]) == [EDITED]
    monkeypatch.setattr(journal, "MINIMUM", 0)  # now one changed entry of five is a long delta
    report.write_text(report.read_text(encoding="utf-8").replace("311条", "312条"), encoding="utf-8")
    assert build(project).parsed == 1
    assert not (cache / "store.delta.json").exists() and (cache / "store.json").read_bytes() != index
    assert summaries(cache) == summaries(project / "other-cache") | {EDITED: summaries(cache)[EDITED]}
    assert_same_as_fresh(project)


def test_an_agency_folder_deleted_by_hand_is_written_again(project: Path) -> None:
    """An unchanged agency keeps its files only while they are there: its folder removed from
    the output, the next build renders that agency again (and only it)."""
    build(project)
    folder = year_page(project, "gaoling", 2020).parent
    shutil.rmtree(folder)
    result = build(project)
    assert (result.mode, result.rendered_agencies) == ("rebuild", 1)
    assert year_page(project, "gaoling", 2020).is_file()
    assert_same_as_fresh(project)


def test_a_pack_copied_anew_keeps_every_piece_a_rebuild_reads(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the store copies its pack anew (mostly replaced reports), the reports it keeps,
    those whose file was only touched (same bytes, a new time: the worker hands back the
    entry from before the copy), those edited and those deleted all read as a fresh build
    reads them: whole reports, summaries (read from the pack when asked for) and links."""
    build(project)
    reports = sorted((project / "content" / "reports").rglob("*.txt"))
    monkeypatch.setattr(store, "COMPACT_SLACK", -(1 << 40))  # every rebuild copies the pack
    cache = project / ".giro-cache" / "public"
    inode = (cache / "reports.pack").stat().st_ino
    touched, edited, deleted = reports[0], project / EDITED, reports[-1]
    assert len({touched, edited, deleted}) == 3
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    edited.write_text(_more_items(edited.read_text(encoding="utf-8")), encoding="utf-8")
    deleted.unlink()
    result = build(project)
    assert result.parsed == 1 and (cache / "reports.pack").stat().st_ino != inode  # the edited one; copied anew
    kept = store.ReportStore(cache, project / "content")
    fresh = store.ReportStore(project / "fresh-cache", project / "content", fresh=True)
    fresh.refresh()
    assert kept.reports() == fresh.reports()
    for read in ("raw", "link"):
        assert {name: getattr(kept, read)(name) for name, _ in kept.reports()} == \
            {name: getattr(fresh, read)(name) for name, _ in fresh.reports()}, read
    assert_same_as_fresh(project)


def test_a_patched_rebuild_still_warns_of_an_entry_matching_no_report(project: Path) -> None:
    """agencies.toml's entries no report matches are warned of at every build: a rebuild that
    patches the saved model (and reads no other report's summary) gives the same warning."""
    agencies = project / "content" / "agencies.toml"
    agencies.write_text(agencies.read_text(encoding="utf-8")
                        + '\n[[agency]]\nmatch = ["岭子镇政府"]\nname = "不存在的镇人民政府"\n', encoding="utf-8")
    first = build(project)
    assert len(first.warnings) == 1 and "不存在的镇人民政府" in first.warnings[0]
    report = project / EDITED
    report.write_text(_more_items(report.read_text(encoding="utf-8")), encoding="utf-8")
    again = build(project)
    assert again.patched and again.parsed == 1
    assert again.warnings == first.warnings


def test_a_damaged_piece_of_the_pack_is_named_with_what_to_do(project: Path) -> None:
    """A summary damaged in the pack (a disk's fault, a cache restored from elsewhere) stops the
    build with a message naming the report and --fresh, never a traceback; --fresh builds."""
    build(project)
    cache = project / ".giro-cache" / "public"
    span = store.ReportStore(cache, project / "content").entries[EDITED]["sum"]
    with open(cache / "reports.pack", "r+b") as pack:
        pack.seek(span[0])
        pack.write(b"\xff" * span[1])  # the same length: the index still describes the pack
    report = project / EDITED
    report.write_text(_more_items(report.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ReportError) as raised:
        build(project)
    assert "--fresh" in raised.value.describe() and EDITED in raised.value.describe()
    assert build(project, fresh=True).reports >= 5
