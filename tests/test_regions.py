"""Where each report's body is: the seeds' real places, names that fit several places (never
guessed), one body across years and formats, two bodies of one name kept apart, and the
maintainer's overrides."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.errors import ReportError
from giro_site.regions import gazetteer, read_name, resolve
from giro_site.report import parse_report
from giro_site.site.build.summary import summarize
from giro_site.site.config import load_agencies
from giro_site.site.model import ReportInfo, build_agencies
from tests.conftest import parse_string, seed_path, seed_text

SEED_PLACES = {
    "000": ("山东省", "淄博市", "淄川区", "岭子镇"),
    "001": ("北京市", None, "密云区", "高岭镇"),
    "002": ("山东省", "枣庄市", "台儿庄区", "张山子镇"),
    "003": ("吉林省", "长春市", "双阳区", "鹿乡镇"),
    "004": ("浙江省", "舟山市", "定海区", "岑港街道"),
}


@pytest.mark.parametrize("prefix", sorted(SEED_PLACES))
def test_each_seed_is_placed_in_its_real_township(prefix: str) -> None:
    report = parse_report(seed_path(prefix))
    division = report["division"]
    assert (division["province"], division["city"], division["county"], division["township"]) == SEED_PLACES[prefix]
    assert division["level"] == "乡镇街道"
    assert len(division["code"]) == 12 and gazetteer().by_code[division["code"]].name == SEED_PLACES[prefix][3]
    assert not [f for f in report["findings"] if f["code"] == "REGION_UNKNOWN"]


def test_the_gazetteer_goes_down_to_townships_with_current_names() -> None:
    places = gazetteer()
    assert len(places.provinces) == 34
    townships = [p for p in places.by_code.values() if p.kind == "township"]
    assert len(townships) > 38_000
    # 无为市 (county to city, 2019) and 凤翔区 (county to district, 2021) have their current names.
    assert places.named("无为市") and places.named("凤翔区") and not places.named("凤翔县")
    assert len(places.named("高岭镇")) == 4


def test_a_name_that_fits_several_places_stays_null_with_an_info_finding() -> None:
    text = seed_text("001").replace("密云区高岭镇人民政府", "高岭镇人民政府")
    report = parse_string(text)
    assert report["agency"] == "高岭镇人民政府" and report["region"] is None
    assert report["division"] == {"code": None, "province": None, "city": None, "county": None, "township": None,
                                  "level": "乡镇街道"}
    finding = next(f for f in report["findings"] if f["code"] == "REGION_UNKNOWN")
    assert finding["severity"] == "info" and "北京市密云区高岭镇" in finding["message"]
    assert "辽宁省葫芦岛市绥中县高岭镇" in finding["message"]


def test_an_address_in_the_prose_tells_which_of_them() -> None:
    text = seed_text("001").replace("密云区高岭镇人民政府", "高岭镇人民政府").replace(
        "编制本报告。", "编制本报告。联系地址：北京市密云区高岭镇政府路1号。", 1)
    division = parse_string(text)["division"]
    assert (division["province"], division["county"], division["township"]) == ("北京市", "密云区", "高岭镇")


def test_names_mentioned_for_two_candidates_leave_it_null() -> None:
    # Both 北京市 and 辽宁省 named: two 高岭镇 remain, nothing is guessed.
    resolution = resolve("高岭镇人民政府", [], ["学习北京市和辽宁省的经验。"])
    assert resolution.place is None and resolution.division["code"] is None and resolution.problem


def test_shared_places_are_kept_when_the_deeper_one_is_ambiguous() -> None:
    # Two 鼓楼区 in 江苏省: the province is certain, the city and county are not.
    resolution = resolve("江苏省鼓楼区人民政府", [], [])
    assert resolution.division["province"] == "江苏省" and resolution.division["county"] is None
    assert resolution.division["level"] == "县" and resolution.place is None


@pytest.mark.parametrize(("name", "level", "county", "rest"), [
    ("北京市人民政府", "省", None, "人民政府"),
    ("长春市人民政府", "市", None, "人民政府"),
    ("密云区人民政府", "县", "密云区", "人民政府"),
    ("北京市朝阳区住房和城乡建设委员会", "部门", "朝阳区", "住房和城乡建设委员会"),
    ("岑港街道办事处", "乡镇街道", "定海区", "办事处"),
])
def test_levels_follow_what_comes_after_the_places(name: str, level: str, county: str | None, rest: str) -> None:
    resolution = resolve(name, [], [])
    assert resolution.division["level"] == level and resolution.division["county"] == county
    assert resolution.rest == rest


def test_a_name_without_any_place_is_unknown_but_keeps_its_level() -> None:
    resolution = resolve("市场监督管理局", [], ["北京市"])
    assert resolution.division["code"] is None and resolution.division["level"] == "部门"
    assert resolution.problem and "市场监督管理局" in resolution.problem


def test_places_are_read_each_inside_the_one_before() -> None:
    reading = read_name("北京市朝阳区高岭镇人民政府")  # no 高岭镇 in 朝阳区: the reading stops there
    assert [p.name for p in reading.places[0].chain()] == ["北京市", "朝阳区"]
    assert reading.rest == "高岭镇人民政府"


def _summaries(tmp_path: Path, texts: dict[str, str]) -> list[ReportInfo]:
    infos = []
    for name, text in texts.items():
        path = tmp_path / "reports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        infos.append(ReportInfo(f"content/reports/{name}", summarize(parse_report(path,
                                display_path=f"content/reports/{name}"))))
    return infos


def _report(agency: str, region: str | None, year: int, seed: int, prose: str = "") -> str:
    text = render_text(random_report(random.Random(seed), agency, region, year))
    return text.replace("一、总体情况\n", f"一、总体情况\n{prose}\n", 1) if prose else text


def test_one_body_across_years_and_two_of_one_name_apart(tmp_path: Path) -> None:
    infos = _summaries(tmp_path, {
        "2020/a.txt": _report("高岭镇人民政府", "密云区", 2020, 1),
        # The next year the title leaves the district out; the prose's address tells it.
        "2021/a.txt": _report("高岭镇人民政府", None, 2021, 2, "地址：北京市密云区高岭镇。"),
        "2022/a.txt": _report("高岭镇", "北京市密云区", 2022, 3),
        "2021/b.txt": _report("高岭镇人民政府", "绥中县", 2021, 4),
    })
    agencies = build_agencies(infos, load_agencies(tmp_path))
    assert len(agencies) == 2
    miyun = next(a for a in agencies if a.division["county"] == "密云区")
    suizhong = next(a for a in agencies if a.division["county"] == "绥中县")
    assert [r.year for r in miyun.reports] == [2022, 2021, 2020] and len(suizhong.reports) == 1
    assert miyun.division["township"] == "高岭镇" and suizhong.division["province"] == "辽宁省"
    assert miyun.display_name != suizhong.display_name
    assert "密云区" in miyun.display_name and "绥中县" in suizhong.display_name
    assert miyun.level == "乡镇街道" and miyun.places == ["北京市", "密云区"]


def test_addresses_come_from_the_place_and_the_body_s_own_name_and_stay(tmp_path: Path) -> None:
    texts = {
        "2020/a.txt": _report("高岭镇人民政府", "密云区", 2020, 1),
        "2021/b.txt": _report("高岭镇人民政府", "绥中县", 2021, 4),
        "2021/c.txt": _report("密云区住房和城乡建设委员会", "北京市", 2021, 5),
        "2021/d.txt": _report("某某管理处", None, 2021, 6),
    }

    def slugs() -> dict[tuple[str, str | None], str]:
        agencies = build_agencies(_summaries(tmp_path, texts), load_agencies(tmp_path))
        return {(a.name, a.division["county"]): a.slug for a in agencies}

    first = slugs()
    assert first == {
        ("高岭镇人民政府", "密云区"): "gaolingzhen-110118108",
        ("高岭镇人民政府", "绥中县"): "gaolingzhen-211421106",
        ("密云区住房和城乡建设委员会", "密云区"): "zhufanghechengxiangjiansheweiyuanhui-110118",
        ("某某管理处", None): first[("某某管理处", None)],
    }
    assert first[("某某管理处", None)].startswith("moumouguanlichu-")
    # Two more years that spell the name another way make it the body's usual name; the
    # address stays, and so do the others'.
    texts["2022/a.txt"] = _report("北京市密云区高岭镇", None, 2022, 7)
    texts["2023/a.txt"] = _report("北京市密云区高岭镇", None, 2023, 8)
    second = slugs()
    assert second.pop(("高岭镇", "密云区")) == "gaolingzhen-110118108"
    assert second == {key: slug for key, slug in first.items() if key != ("高岭镇人民政府", "密云区")}


def test_a_new_year_never_moves_an_address_when_agencies_toml_joins_two_spellings(tmp_path: Path) -> None:
    """A body the gazetteer cannot place, whose reports an agencies.toml entry joins across a
    rename: its address comes from its first report, so next year's report (the new name)
    leaves it where readers' links point."""
    (tmp_path / "agencies.toml").write_text('[[agency]]\nmatch = ["某某管理处", "某某服务中心"]\n', encoding="utf-8")
    texts = {"2020/a.txt": _report("某某管理处", None, 2020, 1), "2021/a.txt": _report("某某管理处", None, 2021, 2)}

    def slug() -> str:
        agencies = build_agencies(_summaries(tmp_path, texts), load_agencies(tmp_path))
        assert len(agencies) == 1
        return agencies[0].slug

    before = slug()
    assert before.startswith("moumouguanlichu-")
    texts["2022/a.txt"] = _report("某某服务中心", None, 2022, 3)
    texts["2023/a.txt"] = _report("某某服务中心", None, 2023, 4)
    assert slug() == before


def test_cross_year_checks_run_across_one_body_s_names(tmp_path: Path) -> None:
    first = random_report(random.Random(5), "鹿乡镇人民政府", "长春市双阳区", 2020)
    second = random_report(random.Random(6), "鹿乡镇", None, 2021)
    second.applications["carried_over"] = {k: (v or 0) + 1 for k, v in first.applications["carried_forward"].items()}
    from giro_site.corpus import link_years
    reports = []
    for index, report in enumerate((first, second)):
        path = tmp_path / f"{index}.txt"
        path.write_text(render_text(report), encoding="utf-8")
        reports.append(parse_report(path))
    link_years(reports)
    assert any(f["code"] == "CARRYOVER_MISMATCH" for f in reports[1]["findings"])


def test_agencies_toml_sets_the_place_by_code_and_checks_it(tmp_path: Path) -> None:
    infos = _summaries(tmp_path, {"2021/b.txt": _report("高岭镇人民政府", None, 2021, 4)})
    (tmp_path / "agencies.toml").write_text(
        '[[agency]]\nfiles = ["reports/2021/b.txt"]\ncode = "211421"\nlevel = "部门"\n', encoding="utf-8")
    agency = build_agencies(infos, load_agencies(tmp_path))[0]
    assert agency.division["county"] == "绥中县" and agency.division["city"] == "葫芦岛市"
    assert agency.level == "部门" and agency.division["level"] == "部门"
    (tmp_path / "agencies.toml").write_text('[[agency]]\nmatch = ["x"]\ncode = "999999"\n', encoding="utf-8")
    with pytest.raises(ReportError, match="999999"):
        load_agencies(tmp_path)
    (tmp_path / "agencies.toml").write_text('[[agency]]\nmatch = ["x"]\nlevel = "村"\n', encoding="utf-8")
    with pytest.raises(ReportError, match="level"):
        load_agencies(tmp_path)




def test_the_synthetic_corpus_is_in_real_places_and_resolves(tmp_path: Path) -> None:
    from collections import Counter

    from giro_site.bench.synth import make_corpus

    bodies = make_corpus(tmp_path, 240)
    files = sorted((tmp_path / "reports").rglob("*.txt"))
    reports = [parse_report(f, display_path=f"content/{f.relative_to(tmp_path).as_posix()}") for f in files]
    assert not [r["agency"] for r in reports if any(f["code"] == "REGION_UNKNOWN" for f in r["findings"])]
    divisions = [r["division"] for r in reports]
    assert len({d["province"] for d in divisions}) >= 3 and len({d["county"] for d in divisions}) >= 6
    assert {"乡镇街道", "县", "部门"} <= {d["level"] for d in divisions}
    infos = [ReportInfo(r["source"]["file"], summarize(r)) for r in reports]
    agencies = build_agencies(infos, load_agencies(tmp_path))
    assert len(agencies) == bodies  # each body one agency, whatever each year called it
    shared = Counter(a.division["township"] for a in agencies if a.division["township"])
    twins = [a for a in agencies if shared[a.division["township"]] > 1]
    assert twins and len({a.display_name for a in twins}) == len(twins)
    assert any(a.display_name != a.name for a in twins)


def test_region_totals_add_the_stated_figures_and_leave_an_all_blank_one_blank(tmp_path: Path) -> None:
    """Seed 003 (鹿乡镇) states no number of items disclosed: a year whose only report leaves it
    blank has no total (the region page shows "—", not 0); beside seed 001 the total is 001's."""
    from giro_site.site.build.builder import BuildOptions, build_site
    from giro_site.site.totals import totals_by_year

    alone = _summaries(tmp_path / "a", {"2020/003.txt": seed_text("003")})
    assert alone[0].head.items is None
    [year] = totals_by_year(build_agencies(alone, load_agencies(tmp_path)))
    assert year.items.value is None and year.items.covers == 0
    assert year.applications.value == 0 and year.applications.covers == 1 and year.reports == 1
    both = _summaries(tmp_path / "b", {"2020/003.txt": seed_text("003"), "2020/001.txt": seed_text("001")})
    [year] = totals_by_year(build_agencies(both, load_agencies(tmp_path)))
    assert year.items.value == 309 and year.items.covers == 1 and year.reports == 2

    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    (content / "reports" / "2020" / "003.txt").write_text(seed_text("003"), encoding="utf-8")
    out = tmp_path / "public"
    build_site(BuildOptions(content=content, out=out, build_date="2026-01-02"))
    pages = [p.read_text(encoding="utf-8") for p in (out / "regions").rglob("index.html")]
    township = next(p for p in pages if "<h1>鹿乡镇" in p or ">鹿乡镇</h1>" in p)
    assert "<dt>主动公开政府信息</dt><dd>—<small> 条</small>" in township
    assert "<dt>主动公开政府信息</dt><dd>0<small>" not in township


# --- a place written with a one-character slip ---------------------------------------------

def test_a_one_character_slip_stays_unknown_but_names_the_likely_place() -> None:
    """台尔庄区 for 台儿庄区: the township after it (张山子镇) is inside 台儿庄区 only."""
    report = parse_string(seed_text("002").replace("台儿庄区", "台尔庄区"))
    assert report["agency"] == "张山子镇" and report["region"] == "台尔庄区"
    assert report["division"]["code"] is None and report["division"]["county"] is None
    [finding] = [f for f in report["findings"] if f["code"] == "REGION_UNKNOWN"]
    assert "“台尔庄区”" in finding["message"] and "山东省枣庄市台儿庄区" in finding["message"]
    assert "尔/儿" in finding["message"] and gazetteer().by_code["370405000000"].name == "台儿庄区"
    assert 'code = "370405000000"' in finding["message"] and "agencies.toml" in finding["message"]


def test_a_slip_is_named_only_when_the_reports_other_names_fit_one_place() -> None:
    # 沐阳县: 沭阳县 and 泗阳县 (both in 宿迁市), 射阳县 and forty more are one character away.
    plain = resolve("沐阳县人民政府", [], ["宿迁市人民政府办公室"])
    assert plain.place is None and plain.problem is not None and "只差一个字" not in plain.problem
    named = resolve("沐阳县人民政府", [], ["联系地址：沭阳县沭城街道人民中路1号"])
    assert named.place is None and named.division["code"] is None
    assert named.problem is not None and "江苏省宿迁市沭阳县" in named.problem and "沐/沭" in named.problem
    inside = resolve("宿迁市沐阳县人民政府", [], ["本县钱集镇"])
    assert inside.place is None and inside.division["city"] == "宿迁市" and inside.division["county"] is None
    assert inside.problem is not None and "沭阳县" in inside.problem
    # A name the gazetteer knows is no slip, and a department stays a department.
    assert resolve("宿迁市公安局", [], []).problem is None
