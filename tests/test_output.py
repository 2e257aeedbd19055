"""The output folder: the build replaces only what it wrote, never a user's files (issue 15,
items 1, 7 and 9), and what an interrupted build left is cleaned at the next one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from giro_site.site.build import builder
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.build.output import MARKER, OutputRefused, is_marked
from tests.conftest import ROOT, SEEDS


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "reports" / "2020").mkdir(parents=True)
    for seed in SEEDS[:2]:
        shutil.copy(seed, folder / "reports" / "2020" / seed.name)
    return folder


def build(content: Path, out: Path, **extra: object) -> builder.BuildResult:
    return build_site(BuildOptions(content=content, out=out, build_date="2026-01-02", **extra))  # type: ignore[arg-type]


def run_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_folder_with_someone_elses_files_is_refused_and_left_as_it_was(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "d"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    result = run_build("--content", str(content), "--out", str(out))
    assert result.returncode == 2
    assert "不是本程序生成的网站" in result.stderr and "--force" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"] and (out / "keep.txt").read_text() == "x"


@pytest.mark.parametrize("where", ["content", "inside", "reports", "parent"])
def test_the_content_folder_anything_in_it_or_holding_it_is_refused_even_with_force(
        content: Path, tmp_path: Path, where: str) -> None:
    out = {"content": content, "inside": content / "public", "reports": content / "reports" / "site",
           "parent": tmp_path}[where]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(OutputRefused, match="内容文件夹"):
        build(content, out, force=True)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_the_templates_and_assets_of_the_build_are_refused_even_with_force(content: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    for out in (templates, templates / "site", tmp_path):
        with pytest.raises(OutputRefused):
            build(content, out, force=True, templates=templates)
    assert sorted(p.name for p in templates.iterdir()) == sorted(p.name for p in (ROOT / "templates").iterdir())


def test_the_working_folder_and_a_file_are_refused(content: Path, tmp_path: Path) -> None:
    assert run_build("--content", str(content), "--out", ".").returncode == 2  # the project, run from its folder
    (tmp_path / "file").write_text("mine")
    with pytest.raises(OutputRefused, match="文件，不是文件夹"):
        build(content, tmp_path / "file", force=True)
    assert (tmp_path / "file").read_text() == "mine"


def test_force_moves_a_foreign_folder_aside_and_never_deletes_it(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "sub").mkdir(parents=True)
    (out / "sub" / "keep.txt").write_text("x")
    result = build(content, out, force=True)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("site.replaced-")]
    assert len(aside) == 1 and (aside[0] / "sub" / "keep.txt").read_text() == "x"
    assert any(str(aside[0]) in note for note in result.notes)
    assert is_marked(out) and (out / "index.html").is_file() and not (out / "sub").exists()


def test_an_empty_or_absent_folder_is_used_and_marked(content: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for name in ("empty", "absent"):
        build(content, tmp_path / name)
        assert is_marked(tmp_path / name) and (tmp_path / name / "index.html").is_file()


def test_a_site_built_before_the_marker_existed_is_recognised_by_the_cache_beside_it(
        content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(content, out)
    (out / MARKER).unlink()  # what the previous version left: a site and its cache, no marker
    assert build(content, out).mode == "rebuild" and is_marked(out)
    (out / MARKER).unlink()
    assert build(content, out, fresh=True).mode == "full" and is_marked(out)
    # Without the cache beside it, nothing says the folder is a site of this tool.
    (out / MARKER).unlink()
    shutil.rmtree(tmp_path / ".giro-cache")
    with pytest.raises(OutputRefused):
        build(content, out)


def test_files_added_to_the_output_by_hand_survive_full_builds_and_rebuilds(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(content, out)
    (out / "CNAME").write_text("giro.example.org")
    (out / "extra").mkdir()
    (out / "extra" / "note.html").write_text("mine")
    (out / "index.html").write_text("edited by hand")  # a file the build wrote: the build's again
    assert build(content, out).mode == "rebuild"
    result = build(content, out, fresh=True)
    assert result.mode == "full" and any("CNAME" in note or "note.html" in note for note in result.notes)
    assert (out / "CNAME").read_text() == "giro.example.org" and (out / "extra" / "note.html").read_text() == "mine"
    assert "edited by hand" not in (out / "index.html").read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".public.", "public."))]


def test_what_interrupted_builds_left_is_cleaned_only_when_it_is_ours(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(content, out)
    pid = dead_pid()
    ours = tmp_path / f".public.staging-{pid}"
    ours.mkdir()
    (ours / MARKER).write_bytes((out / MARKER).read_bytes())
    (ours / "index.html").write_text("half")
    unmarked = tmp_path / f".public.staging-{dead_pid()}"  # an older version's: no marker
    unmarked.mkdir()
    (unmarked / "index.html").write_text("half")
    running = tmp_path / f".public.staging-{builder.os.getppid()}"  # a build still running
    shutil.copytree(ours, running)
    result = build(content, out)
    assert not ours.exists() and unmarked.exists() and running.exists()
    assert any(str(unmarked) in note for note in result.notes)


def test_a_build_stopped_between_its_two_renames_gets_the_last_site_back(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(content, out)
    (out / "CNAME").write_text("giro.example.org")
    old = tmp_path / f".public.old-{dead_pid()}"
    out.rename(old)
    build(content, out)
    assert not old.exists() and (out / "CNAME").is_file() and (out / "index.html").is_file()
    # Stopped while removing the replaced site: its own files go, the user's come along.
    out.rename(old)
    build(content, out, fresh=True)
    assert not old.exists() and (out / "CNAME").read_text() == "giro.example.org"


def test_an_output_reached_through_a_symbolic_link_keeps_the_link(content: Path, tmp_path: Path) -> None:
    real = tmp_path / "www" / "site"
    real.parent.mkdir()
    link = tmp_path / "public"
    link.symlink_to(real, target_is_directory=True)
    build(content, link)
    build(content, link, fresh=True)
    assert link.is_symlink() and (real / "index.html").is_file() and is_marked(real)


def test_a_file_added_by_hand_survives_the_first_build_after_an_upgrade(content: Path, tmp_path: Path) -> None:
    """A manifest an older version wrote (one file, the agencies in it) still says which files
    the build wrote: a file added to the output by hand stays through the full build the new
    version makes."""
    import orjson

    out = tmp_path / "public"
    build(content, out)
    cache = tmp_path / ".giro-cache" / "public"
    whole = orjson.loads((cache / "manifest.json").read_bytes())
    older = {key: value for key, value in whole.items() if key not in ("journal", "entries", "agency_size")}
    (cache / "manifest.json").write_bytes(orjson.dumps({**older, "format": 5, "agencies": whole["entries"]}))
    (cache / "manifest.delta.json").unlink(missing_ok=True)
    (out / "CNAME").write_text("giro.example.org")
    assert build(content, out).mode == "full"
    assert (out / "CNAME").read_text() == "giro.example.org"


def test_the_build_cache_holds_no_code(content: Path, tmp_path: Path) -> None:
    """``.giro-cache`` (which the publish workflow restores from an earlier run) holds data
    the build reads as data: no compiled templates (Python bytecode), no pickles."""
    build(content, tmp_path / "public")
    cache = tmp_path / ".giro-cache"
    names = [p.name for p in cache.rglob("*") if p.is_file()]
    assert names and not [n for n in names if n.endswith((".cache", ".pyc", ".pickle", ".pkl"))], names
    assert not (cache / "public" / "templates").exists()


def _download_files(out: Path) -> list[Path]:
    return sorted((out / "data").glob("reports-*.zip"))


def test_downloads_are_the_caches_own_files_linked_and_never_changed_in_place(tmp_path: Path) -> None:
    """A download is linked from the cache (which only ever renames a new file over its
    own): the site's file stays as published until a build puts the next one in place."""
    from giro_site.bench.synth import make_corpus

    make_corpus(tmp_path / "content", 40)
    out = tmp_path / "public"
    build(tmp_path / "content", out)
    cache = out.parent / ".giro-cache" / out.name / "downloads"
    published = _download_files(out)
    assert published
    for path in published:
        assert path.stat().st_ino == (cache / path.name).stat().st_ino
    before = {path.name: path.read_bytes() for path in published}
    report = sorted((tmp_path / "content" / "reports").rglob("*.txt"))[0]
    report.write_text(report.read_text(encoding="utf-8") + "\n附注。\n", encoding="utf-8")
    held = (out / "data" / published[0].name).open("rb")  # (a reader with the old file open)
    build(tmp_path / "content", out)
    assert held.read() == before[published[0].name]
    held.close()
    changed = [path for path in _download_files(out) if path.read_bytes() != before.get(path.name)]
    assert changed  # the edited report's year and the all-years files
    for path in _download_files(out):
        assert path.stat().st_ino == (cache / path.name).stat().st_ino


def test_downloads_are_copied_where_they_cannot_be_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from giro_site.bench.synth import make_corpus

    make_corpus(tmp_path / "content", 20)

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "public"
    build(tmp_path / "content", out)
    cache = out.parent / ".giro-cache" / out.name / "downloads"
    for path in _download_files(out):
        assert path.stat().st_ino != (cache / path.name).stat().st_ino
        assert path.read_bytes() == (cache / path.name).read_bytes()


@pytest.mark.parametrize("sendfile", ["works", "refused"])
def test_originals_are_copied_whole_with_or_without_sendfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             sendfile: str) -> None:
    """The originals are copied by ``sendfile`` where the system has it; a file system that
    refuses it gets the ordinary copy, with the same bytes."""
    import errno

    from giro_site.bench.synth import make_corpus

    make_corpus(tmp_path / "content", 12)
    big = sorted((tmp_path / "content" / "reports").rglob("*.txt"))[0]
    big.write_text(big.read_text(encoding="utf-8") + "附注。" * 100_000 + "\n", encoding="utf-8")  # over a megabyte
    if sendfile == "refused":
        def refuse(*args: object) -> int:
            raise OSError(errno.EINVAL, "Invalid argument")

        monkeypatch.setattr(os, "sendfile", refuse)
    out = tmp_path / "public"
    build(tmp_path / "content", out)
    originals = {path.read_bytes() for path in (out / "source").iterdir()}
    assert {path.read_bytes() for path in (tmp_path / "content" / "reports").rglob("*.txt")} <= originals
