"""Synthetic reports in the seeds' text layout, built from the national forms' facts.

Used by the tests (a 2021-form report with known figures), by the benchmark (thousands
of reports of both forms, several years per body) and as demo data. The figures satisfy
every identity of the form unless ``broken`` is asked for, so a parse can be compared
with the figures that went in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.forms.spec import (
    APPLICANT_KEYS,
    APPLICATION_RESULT_ROWS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
)
from giro_site.numbers import Number
from giro_site.regions import Place, gazetteer

Values = dict[str, dict[str, Number | None]]

_BLOCKS = {
    "2019": (("第二十条第（一）项", ("regulations", "normative_documents")),
             ("第二十条第（五）项", ("licensing", "other_services")),
             ("第二十条第（六）项", ("penalty", "coercion")),
             ("第二十条第（八）项", ("fees",)),
             ("第二十条第（九）项", ("procurement",))),
    "2021": (("第二十条第（一）项", ("regulations", "normative_documents")),
             ("第二十条第（五）项", ("licensing",)),
             ("第二十条第（六）项", ("penalty", "coercion")),
             ("第二十条第（八）项", ("fees",))),
}
# The result rows （一）…（六） in the form's order: （六） is one row in 2019, three in 2021.
_RESULT_ROWS_2019 = [*(k for k in APPLICATION_RESULT_ROWS if k not in OTHER_SUBROWS), "other"]
_RESULT_ROWS_2021 = list(APPLICATION_RESULT_ROWS)


@dataclass
class SynthReport:
    agency: str
    region: str | None
    year: int
    form: str
    proactive: Values
    applications: Values
    review: Values
    proactive_items: int | None
    subrows: dict[str, list[tuple[str, list[Number | None]]]] = field(default_factory=dict)
    paragraphs: int = 3
    amount_text: str | None = None  # how the fees/procurement amount is written, e.g. "3739265元"
    amount_header_unit: bool = True  # "采购总金额（万元）" rather than a bare "采购总金额"
    address: str | None = None  # a contact address sentence in the overview ("北京市密云区高岭镇…")


def _label(key: str) -> str:
    spec = next(s for s in APPLICATION_ROWS if s.key == key)
    if key == "partially_granted":
        return "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    return spec.label


def _fmt(value: Number | None) -> str:
    if value is None:
        return "\u00a0"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _table(rows: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines.extend("\t" + cell for cell in row)
        lines.append("")
    lines.append("")
    return lines


def _proactive_rows(report: SynthReport) -> list[list[str]]:
    columns = {c.key: c for c in PROACTIVE_COLUMNS[report.form]}
    layout = {spec.key: (spec, cols) for spec, cols in PROACTIVE_ROWS[report.form]}
    rows: list[list[str]] = []
    for block, keys in _BLOCKS[report.form]:
        rows.append([block])
        first_cols = layout[keys[0]][1]
        header = ["信息内容"]
        for key in first_cols:
            label = columns[key].label
            if key == "amount_wan_yuan":
                unit = "（万元）" if report.amount_header_unit else ""
                label = f"采购总金额{unit}" if report.form == "2019" else f"本年收费金额{unit or '（单位：万元）'}"
            header.append(label)
        rows.append(header)
        for key in keys:
            spec, cols = layout[key]
            values = report.proactive[key]
            if key in report.subrows:
                for index, (label, sub) in enumerate(report.subrows[key]):
                    rows.append([spec.label if index == 0 else "", label, *map(_fmt, sub)])
                continue
            cells = [_fmt(values[c]) for c in cols]
            if "amount_wan_yuan" in cols and report.amount_text is not None:
                cells[cols.index("amount_wan_yuan")] = report.amount_text
            rows.append([spec.label, *cells])
    return rows


def _application_rows(report: SynthReport) -> list[list[str]]:
    rows = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "总计"],
        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]

    def values(key: str) -> list[str]:
        return [_fmt(report.applications[key][c]) for c in APPLICANT_KEYS]

    rows.append([_label("new_received"), *values("new_received")])
    rows.append([_label("carried_over"), *values("carried_over")])
    results = _RESULT_ROWS_2019 if report.form == "2019" else _RESULT_ROWS_2021
    groups = {"denied": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理",
              "other": "（六）其他处理"}
    seen_groups: set[str] = set()
    for index, key in enumerate(results):
        prefix = next((g for g in groups if key.startswith(g + "_")), None)
        first = "三、本年度办理结果" if index == 0 else ""
        if prefix is None:
            rows.append([first, _label(key), *values(key)])
            continue
        group_label = "" if prefix in seen_groups else groups[prefix]
        seen_groups.add(prefix)
        rows.append([first, group_label, _label(key), *values(key)])
    rows.append(["", "（七）总计", *values("total_processed")])
    rows.append([_label("carried_forward"), *values("carried_forward")])
    return rows


def _review_rows(report: SynthReport) -> list[list[str]]:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        ["行政复议", "行政诉讼"],
        [*outcomes, "未经复议直接起诉", "复议后起诉"],
        ["", "", "", "", "", *outcomes, *outcomes],
        [_fmt(report.review[g][o]) for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES],
    ]


_FILLER = ("我{kind}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
           "健全工作机制，规范公开流程，及时回应社会关切。")


def render_text(report: SynthReport) -> str:
    """The report as a DOCX-to-text tool would write it (the seeds' layout)."""
    kind = "镇" if report.agency.endswith(("镇", "镇人民政府")) else "局" if report.agency.endswith("局") else "单位"
    name = f"{report.region or ''}{report.agency}"
    lines = [name, "", f"{report.year}年政府信息公开工作年度报告", "", "一、总体情况"]
    if report.address:
        lines.append(f"本机关联系地址：{report.address}。")
    if report.proactive_items is not None:
        lines.append(f"{report.year}年，{report.agency}全年主动公开政府信息{report.proactive_items}条。")
    lines.extend(_FILLER.format(kind=kind) for _ in range(report.paragraphs))
    lines.append("二、主动公开政府信息情况")
    lines.extend(_table(_proactive_rows(report)))
    lines.append("三、收到和处理政府信息公开申请情况")
    lines.extend(_table(_application_rows(report)))
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    lines.extend(_table(_review_rows(report)))
    lines += ["五、存在的主要问题及改进情况", "信息公开的及时性和规范性仍需提高。下一步将加强培训，完善制度。",
              "六、其他需要报告的事项", "无。", "", report.agency, "", f"{report.year + 1}年1月15日", ""]
    return "\n".join(lines)


# --- random figures that satisfy the form ------------------------------------------


def _applications(rng: random.Random, form: str, scale: int) -> Values:
    results = _RESULT_ROWS_2019 if form == "2019" else _RESULT_ROWS_2021
    out: Values = {s.key: {} for s in APPLICATION_ROWS}
    for column in APPLICANT_KEYS[:-1]:
        weight = scale if column == "natural_person" else max(1, scale // 6)
        for key in results:
            busy = key in {"granted", "partially_granted", "unable_not_held"}
            out[key][column] = rng.randint(0, weight) if busy else rng.choice([0, 0, 0, rng.randint(0, 2)])
        total = sum(out[key][column] or 0 for key in results)
        forward = rng.randint(0, max(0, weight // 4))
        carried = rng.randint(0, min(total + forward, max(0, weight // 4)))
        out["total_processed"][column] = total
        out["carried_forward"][column] = forward
        out["carried_over"][column] = carried
        out["new_received"][column] = total + forward - carried
    if form == "2021":
        for column in APPLICANT_KEYS[:-1]:
            out["other"][column] = sum(out[k][column] or 0 for k in OTHER_SUBROWS)
    for row in out.values():
        if row:
            row["total"] = sum(v or 0 for v in row.values())
    for key in OTHER_SUBROWS if form == "2019" else ():
        out[key] = dict.fromkeys(APPLICANT_KEYS)
    return out


def _review(rng: random.Random) -> Values:
    out: Values = {}
    for group in REVIEW_GROUPS:
        counts = {o: rng.choice([0, 0, 0, 1, rng.randint(0, 4)]) for o in REVIEW_OUTCOMES[:-1]}
        out[group] = {**counts, "total": sum(counts.values())}
    return out


def _proactive(rng: random.Random, form: str, scale: int) -> Values:
    out: Values = {}
    for spec, columns in PROACTIVE_ROWS[form]:
        row: dict[str, Number | None] = {}
        for column in columns:
            if column == "amount_wan_yuan":
                row[column] = round(rng.uniform(0, 50 * scale), 4)
            elif column == "change":
                row[column] = rng.randint(-3, 5)
            else:
                row[column] = rng.randint(0, scale * 3)
        out[spec.key] = row
    return out


def random_report(rng: random.Random, agency: str, region: str | None, year: int, *, form: str | None = None,
                  blanks: bool = False, subrows: bool = False, broken: bool = False,
                  paragraphs: int = 3) -> SynthReport:
    """A report whose figures add up (unless ``broken``) on the form its year uses."""
    form = form or ("2021" if year >= 2021 else "2019")
    scale = rng.choice([2, 5, 20, 80])
    report = SynthReport(agency=agency, region=region, year=year, form=form,
                         proactive=_proactive(rng, form, scale), applications=_applications(rng, form, scale),
                         review=_review(rng), proactive_items=rng.choice([None, rng.randint(10, 900)]),
                         paragraphs=paragraphs)
    if blanks:
        for row in ("unable_unclear", "denied_inquiry"):
            if all((report.applications[row][c] or 0) == 0 for c in APPLICANT_KEYS):
                report.applications[row] = dict.fromkeys(APPLICANT_KEYS)
        report.review["litigation_after_review"] = dict.fromkeys(REVIEW_OUTCOMES)
    if subrows and form == "2019":
        parent = report.proactive["other_services"]
        first = [rng.randint(0, 3) for _ in range(3)]
        second = [(parent[c] or 0) for c in ("previous", "change", "decisions")]
        report.subrows["other_services"] = [("行政检查", first), ("行政确认", second)]
        report.proactive["other_services"] = {c: a + b for c, a, b in zip(("previous", "change", "decisions"),
                                                                          first, second, strict=True)}
    if broken:
        report.applications["granted"]["natural_person"] = (report.applications["granted"]["natural_person"] or 0) + 1
    return report


# Rows of the 2019 form's table 二 whose 上一年项目数量 follows from last year's (previous + change).
_CARRIED_ROWS = ("licensing", "other_services", "penalty", "coercion", "fees")


def follow(previous: SynthReport, report: SynthReport) -> None:
    """Make ``report``, the next year of ``previous``'s body, agree with it as the books of a
    body that keeps them do: this year's 上年结转 is last year's 结转下年度继续办理 (new
    applications set so that every column still balances), and when both years use the 2019
    form, this year's 上一年项目数量 is last year's plus its 本年增/减."""
    apps = report.applications
    for column in APPLICANT_KEYS[:-1]:
        carried = previous.applications["carried_forward"][column] or 0
        received = (apps["total_processed"][column] or 0) + (apps["carried_forward"][column] or 0) - carried
        apps["carried_over"][column] = carried
        apps["new_received"][column] = max(0, received)
        apps["carried_forward"][column] = (apps["carried_forward"][column] or 0) + max(0, -received)
    for key in ("new_received", "carried_over", "carried_forward"):
        apps[key]["total"] = sum(apps[key][c] or 0 for c in APPLICANT_KEYS[:-1])
    if previous.form == report.form == "2019":
        for key in _CARRIED_ROWS:
            before = previous.proactive[key]
            if key not in report.subrows and before.get("previous") is not None and before.get("change") is not None:
                report.proactive[key]["previous"] = before["previous"] + before["change"]


def expected_model(report: SynthReport) -> dict[str, Any]:
    """The figures a correct parse of ``render_text(report)`` must give."""
    return {"agency": report.agency, "region": report.region, "year": report.year, "form": report.form,
            "proactive": report.proactive, "applications": report.applications,
            "review_litigation": report.review}


# --- a corpus of bodies in real places ------------------------------------------------

_DEPARTMENTS = ("市场监督管理局", "自然资源局", "住房和城乡建设局", "教育局", "民政局", "卫生健康委员会")
_ALWAYS = ("北京市", "吉林省", "山东省")  # the seeds' provinces, and 北京市 has a 高岭镇 shared with 辽宁省
_NOT_MAINLAND = ("71", "81", "82")


@dataclass(frozen=True)
class Body:
    """A body of the synthetic corpus: its own name and where it is."""

    name: str  # "高岭镇人民政府", "双阳区人民政府", "双阳区市场监督管理局"
    place: Place


def _full(place: Place) -> str:
    return "".join(p.name for p in place.chain())


def _county_bodies(county: Place, rng: random.Random) -> Iterator[Body]:
    yield Body(f"{county.name}人民政府", county)
    for department in rng.sample(_DEPARTMENTS, 2):
        yield Body(f"{county.name}{department}", county)
    for township in county.children:
        if not township.abolished:
            yield Body(f"{township.name}人民政府" if township.name.endswith(("镇", "乡")) else township.name, township)


def _shared_pair(province: Place) -> list[Place]:
    """Two townships of one name in two counties of the province, if it has such a name."""
    by_name: dict[str, list[Place]] = {}
    for city in province.children:
        for county in city.children if city.kind == "city" else [city]:
            for township in county.children:
                if not township.abolished:
                    by_name.setdefault(township.name, []).append(township)
    for name in sorted(by_name):
        places = by_name[name]
        if len({p.parent.code for p in places if p.parent}) >= 2:
            return places[:2]
    return []


def _province_bodies(province: Place, rng: random.Random, cities: int) -> Iterator[Body]:
    """The province's bodies: first two of one name, then county after county, taking the
    counties of its first ``cities`` cities in turn, then the rest."""
    for township in _shared_pair(province):
        yield Body(f"{township.name}人民政府" if township.name.endswith(("镇", "乡")) else township.name, township)
    groups = [[c] if c.kind == "county" else [k for k in c.children if k.kind == "county"] for c in province.children]
    groups = [g for g in groups if g]
    first = [county for row in zip(*groups[:cities], strict=False) for county in row]
    rest = [county for group in groups for county in group if county not in first]
    for county in first + rest:
        if county.parent is not None and county.parent.kind == "city" and rng.random() < 0.3:
            yield Body(f"{county.parent.name}{rng.choice(_DEPARTMENTS)}", county.parent)
        yield from _county_bodies(county, rng)


def corpus_bodies(count: int, rng: random.Random) -> Iterator[Body]:
    """Bodies from several provinces in turn, more provinces and cities for larger corpora."""
    places = gazetteer()
    provinces = [p for p in places.provinces if p.name in _ALWAYS]
    others = [p for p in places.provinces if p not in provinces and p.code[:2] not in _NOT_MAINLAND]
    provinces += rng.sample(others, min(len(others), count // 3000))
    streams = [_province_bodies(p, rng, 2 + count // 4000) for p in provinces]
    seen: set[tuple[str, str]] = set()
    while streams:
        for stream in list(streams):
            body = next(stream, None)
            if body is None:
                streams.remove(stream)
            elif (body.name, body.place.code) not in seen:
                seen.add((body.name, body.place.code))
                yield body


def _as_reported(body: Body, rng: random.Random) -> tuple[str, str | None, str | None]:
    """(name, region, address) as one year's report writes them: the body's places before its
    name, or none with an address in the prose, or the short name with the province too."""
    above = body.place.chain()[:-1]
    nearest = "".join(p.name for p in above[-1:])
    choice = rng.random()
    if body.name.removeprefix(body.place.name) not in ("", "人民政府"):
        return body.name, nearest or None, None  # a department: its own name starts with its place
    if choice < 0.45 or not above:
        ambiguous = len(gazetteer().named(nearest)) > 1
        return body.name, "".join(p.name for p in above[-2:]) if ambiguous else nearest or None, None
    if choice < 0.75:
        return body.name, None, f"{_full(body.place)}政务服务中心"
    short = body.name.removesuffix("人民政府")
    return short, "".join(p.name for p in above), None


def make_corpus(folder: Path, count: int, seed: int = 2024) -> int:
    """Write ``count`` reports of bodies in real places (several provinces, cities, counties
    and townships, two townships of one name in different counties per province) that report
    for one to five consecutive years, each year naming itself its own way; nine in ten of a
    body's years follow on from the year before (``follow``), as real reports mostly do, so
    the cross-year checks flag only the others. Returns the number of bodies."""
    rng = random.Random(seed)
    written = 0
    bodies = 0
    for body in corpus_bodies(count, rng):
        if written >= count:
            break
        bodies += 1
        first = rng.randint(2019, 2023)
        last = None
        for year in range(first, min(2024, first + rng.randint(1, 5))):
            if written >= count:
                break
            name, region, address = _as_reported(body, rng)
            report = random_report(rng, name, region, year, blanks=rng.random() < 0.3, subrows=rng.random() < 0.1,
                                   broken=rng.random() < 0.03, paragraphs=rng.choice([1, 2, 4, 8, 16]))
            report.address = address
            if last is not None and rng.random() < 0.9:  # most years follow on from the last; a tenth do not
                follow(last, report)
            last = report
            target = folder / "reports" / str(year) / f"{bodies:05d}-{year}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_text(report), encoding="utf-8")
            written += 1
    return bodies
