"""The gazetteer's index kept in the build's cache folder: read back the same, made again
from the package when it is of another package version or damaged, never a crash; and a
rebuild's slugs from the pinyin cache, without pypinyin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from giro_site.regions.gazetteer import Gazetteer, Index, Place, index_from_package
from giro_site.report import parse_report
from giro_site.site import model
from giro_site.site.build import store
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.build.summary import summarize
from giro_site.site.config import load_agencies
from giro_site.site.model import ReportInfo, build_agencies
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def package_index() -> Index:
    return index_from_package()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, package_index: Index) -> list[int]:
    """Each time the index is read from the package (cheaply: the module's copy)."""
    reads: list[int] = []

    def from_package() -> Index:
        reads.append(1)
        return package_index

    monkeypatch.setattr(store, "index_from_package", from_package)
    return reads


def _signature(place: Place) -> list[tuple[str, str, str, bool]]:
    return [(p.code, p.name, p.kind, p.abolished) for p in place.chain()]


def test_the_cached_index_is_the_packages_and_read_back_without_it(tmp_path: Path, counted: list[int],
                                                                   package_index: Index) -> None:
    path = tmp_path / "cache" / "gazetteer.json"
    first = store.cached_index(path)
    assert counted == [1] and path.is_file()
    again = store.cached_index(path)
    assert counted == [1]  # read from the cache folder, not from the package
    assert again == first == package_index
    cached, made = Gazetteer(again), Gazetteer(index_from_package())
    for name in ("高岭镇", "密云区", "朝阳区", "北京市", "仙桃市"):
        assert [_signature(p) for p in cached.named(name)] == [_signature(p) for p in made.named(name)]
        assert cached.named(name)
    assert [p.code for p in cached.provinces] == [p.code for p in made.provinces]
    code = cached.named("高岭镇")[0].parent.code  # type: ignore[union-attr]
    assert [c.code for c in cached.by_code[code].children] == [c.code for c in made.by_code[code].children]


def test_another_package_version_makes_the_index_again(tmp_path: Path, counted: list[int],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gazetteer.json"
    store.cached_index(path)
    monkeypatch.setattr(store, "source_key", lambda: "1|0.5.0|other files")
    store.cached_index(path)
    assert counted == [1, 1]
    assert orjson.loads(path.read_bytes())["key"] == "1|0.5.0|other files"
    store.cached_index(path)
    assert counted == [1, 1]


def _damaged(state: dict[str, Any]) -> list[bytes]:
    """Files a crash, a full disk or a hand edit could leave."""
    def edited(**changes: Any) -> bytes:
        return orjson.dumps({**state, **changes})

    parents = list(state["parents"])
    parents[5] = 7  # a place whose parent comes after it: a loop is possible
    return [b"", orjson.dumps(state)[:1000], b"[1, 2, 3]", b"\xff\xfe not json",
            edited(parents=parents), edited(parents=state["parents"][:-1]), edited(kinds=state["kinds"][:-1] + "x"),
            edited(names=state["names"] + "\nextra"), edited(abolished=[10**9]), edited(parents=[-5] * len(parents)),
            edited(codes=None), edited(vintage=3), orjson.dumps({k: v for k, v in state.items() if k != "kinds"})]


def test_a_damaged_cache_file_is_made_again_not_a_crash(tmp_path: Path, counted: list[int],
                                                        package_index: Index) -> None:
    path = tmp_path / "gazetteer.json"
    store.cached_index(path)
    state = orjson.loads(path.read_bytes())
    for number, damage in enumerate(_damaged(state), start=2):
        path.write_bytes(damage)
        assert store.cached_index(path) == package_index
        assert len(counted) == number
        assert orjson.loads(path.read_bytes()) == state  # written whole again


def test_a_build_keeps_the_index_in_its_own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a new process, where no gazetteer is loaded yet (the package re-exports the function
    # under the module's name, hence sys.modules).
    monkeypatch.setattr(sys.modules["giro_site.regions.gazetteer"], "_current", None)
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    (content / "reports" / "2020" / "001.txt").write_bytes((ROOT / "content/reports/2020/001_c2f37f7082ff9ace.txt")
                                                           .read_bytes())
    build_site(BuildOptions(content=content, out=tmp_path / "site", build_date="2026-01-01"))
    cache = tmp_path / ".giro-cache" / "site"
    assert (cache / "gazetteer.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".giro-cache", "content", "site"]


def test_slugs_come_from_the_pinyin_cache_on_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = sorted((ROOT / "content" / "reports" / "2020").glob("*.txt"))
    infos = [ReportInfo(name=p.name, summary=summarize(parse_report(p, display_path=p.name))) for p in seeds]
    directory = load_agencies(tmp_path)
    known: dict[str, list[str]] = {}
    first = [a.slug for a in build_agencies(infos, directory, known)]
    assert any(key.startswith("ascii\t") for key in known)

    def no_pypinyin(text: str | None) -> tuple[str, ...]:
        raise AssertionError(f"pypinyin asked for {text}")

    monkeypatch.setattr(model, "syllables", no_pypinyin)
    assert [a.slug for a in build_agencies(infos, directory, dict(known))] == first
