"""The downloads of a patched rebuild, made by the child forked when the build starts: the same
files as a fresh build; the work handed back to a child forked the usual way whenever the
cache's state is not that of the model the build patched."""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from giro_site.bench.synth import make_corpus
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.build.child import parent_alive, receive_message, send_message
from giro_site.site.downloads import aggregates, ahead, textparts
from tests.test_incremental import DATE, _more_items, files


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A corpus of several years, a year's reports in several text groups."""
    make_corpus(tmp_path / "content", 160)
    return tmp_path


def build(site: Path, out: str = "public", **extra: object) -> object:
    return build_site(BuildOptions(content=site / "content", out=site / out, build_date=DATE, **extra))  # type: ignore[arg-type]


def assert_same_as_fresh(site: Path) -> None:
    build(site, "fresh", fresh=True, cache_dir=site / "fresh-cache")
    rebuilt, fresh = files(site / "public"), files(site / "fresh")
    assert sorted(rebuilt) == sorted(fresh)
    assert [name for name in rebuilt if rebuilt[name] != fresh[name]] == []
    shutil.rmtree(site / "fresh")
    shutil.rmtree(site / "fresh-cache")


def _state(site: Path) -> Path:
    return site / ".giro-cache" / "public" / "downloads" / "state.json"


def _edited(site: Path, which: int = 0) -> Path:
    """A report edited (the ``which``-th that can be): one more item (a patch); returns the report."""
    path = [p for p in sorted((site / "content" / "reports").rglob("*.txt"))
            if re.search(r"主动公开政府信息\d+条", p.read_text(encoding="utf-8"))][which]
    path.write_text(_more_items(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Calls of the usual way (a child forked from the build once it has its model)."""
    calls: list[int] = []
    real = aggregates.Downloads.start

    def start(*args: object, **kwargs: object) -> aggregates.Downloads:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(aggregates.Downloads, "start", start)
    return calls


def test_a_patch_has_its_downloads_made_by_the_child_forked_at_the_start(site: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    build(site)
    _edited(site)
    with monkeypatch.context() as patched:
        calls = _counting(patched)
        result = build(site)
    assert result.patched and calls == []  # type: ignore[attr-defined]
    assert orjson.loads(_state(site).read_bytes())["generation"]
    assert_same_as_fresh(site)


def test_patches_one_after_another_keep_the_downloads_of_a_fresh_build(site: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each early child records the pieces of the parts it makes again, which the next one
    cuts its unchanged rows' pieces out of."""
    build(site)
    for which in (0, 3, 0, 11):
        _edited(site, which)
        with monkeypatch.context() as patched:
            calls = _counting(patched)
            result = build(site)
        assert result.patched and calls == []  # type: ignore[attr-defined]
    assert_same_as_fresh(site)


def test_a_patch_of_many_bodies_written_whole_has_its_downloads_from_the_early_child(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A patch too large to write in place (the site is written whole) still hands its
    downloads to the early child, as soon as the model is patched."""
    build(site)
    editable = [p for p in sorted((site / "content" / "reports").rglob("*.txt"))
                if re.search(r"主动公开政府信息\d+条", p.read_text(encoding="utf-8"))]
    bodies = {path.name.split("-")[0]: index for index, path in reversed(list(enumerate(editable)))}
    assert len(bodies) > 25
    for which in sorted(bodies.values())[:25]:  # (25 bodies: past the share a rebuild writes in place)
        _edited(site, which)
    with monkeypatch.context() as patched:
        calls = _counting(patched)
        result = build(site)
    assert result.patched and result.mode == "full" and calls == []  # type: ignore[attr-defined]
    assert_same_as_fresh(site)


@pytest.mark.parametrize("damage", ["generation", "zip", "database"])
def test_a_cache_not_as_the_patched_model_left_it_hands_the_work_back(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      damage: str) -> None:
    """The state of another generation (the last build's downloads failed after its model was
    saved), or a year's file or working database gone from the cache (every row of that year
    is needed, and the child was sent those of a few text groups): the usual way makes the
    files, the same as a fresh build."""
    monkeypatch.setattr(textparts, "GROUP", 4)  # (a year of this small corpus in many groups)
    build(site)
    edited = _edited(site)
    if damage == "generation":
        state = orjson.loads(_state(site).read_bytes())
        state["generation"] = "0" * 16
        _state(site).write_bytes(orjson.dumps(state))
    else:
        years = orjson.loads(_state(site).read_bytes())["years"]
        year = next(key for key, held in years.items() if any(name.endswith(edited.name) for name in held["versions"]))
        gone = f"reports-{year}.csv.zip" if damage == "zip" else f"reports-{year}.work.sqlite"
        (_state(site).parent / gone).unlink()
    with monkeypatch.context() as patched:
        calls = _counting(patched)
        result = build(site)
    assert result.patched and calls == [1]  # type: ignore[attr-defined]
    assert_same_as_fresh(site)


def test_a_child_with_no_work_ends_and_is_reaped() -> None:
    child = ahead.DownloadsAhead()
    pid = child._child[0] if child._child is not None else None
    child.close()
    if pid is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)


def test_a_child_whose_pipe_closes_or_whose_build_is_gone_gives_up() -> None:
    read, write = os.pipe()
    os.close(write)
    with pytest.raises(EOFError):
        receive_message(read, parent_alive(os.getppid()))
    os.close(read)
    read, write = os.pipe()  # nothing written, the writer open: waits while the build lives
    with pytest.raises(EOFError, match="gone"):
        receive_message(read, parent_alive(-1))  # (a parent this process does not have)
    send_message(write, b"")
    assert receive_message(read, parent_alive(os.getppid())) == b""
    writer = threading.Thread(target=send_message, args=(write, b"x" * 300_000))  # (more than a pipe holds)
    writer.start()
    assert receive_message(read, parent_alive(os.getppid())) == b"x" * 300_000
    writer.join()
    os.close(write)
    os.close(read)


@dataclass
class _Info:
    year: int | None


@dataclass
class _Row:
    name: str
    info: _Info
    version: str = "v"
    fields: dict | None = None

    def raw(self, load_raw: object) -> bytes:
        return b'{"r":1}'

    def published(self, load_raw: object) -> bytes:
        return b'{"p":1}'


def test_only_the_changed_rows_are_sent_with_their_content() -> None:
    """The early child is sent the patched rows alone (every other row, and the pieces of a
    text group made again, come from the cache: ``textparts.OldPieces``)."""
    rows = [_Row("a", _Info(2020), fields={"id": 1}), _Row("b", _Info(None), version="w", fields={"id": 2})]
    work = orjson.loads(ahead.request(Path("/d"), {}, "base", "next", rows, lambda name: b""))  # type: ignore[arg-type]
    assert work["changed"] == {"a": ["2020", "v"], "b": ["unknown", "w"]}
    assert work["rows"] == {"a": {"fields": {"id": 1}, "raw": '{"r":1}', "published": '{"p":1}'},
                            "b": {"fields": {"id": 2}, "raw": '{"r":1}', "published": '{"p":1}'}}
    assert work["base"] == "base" and work["generation"] == "next" and work["folder"] == "/d"


def test_an_early_child_that_fails_hands_the_work_back(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The early child is a shortcut: whatever stops it, the usual child makes the files."""
    build(site)
    _edited(site)

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the early child's own failure")

    monkeypatch.setattr(ahead, "make", fails)  # (inherited by the child forked at the build's start)
    calls = _counting(monkeypatch)
    result = build(site)
    assert result.patched and calls == [1]  # type: ignore[attr-defined]
    monkeypatch.undo()
    assert_same_as_fresh(site)
