"""Row labels as agencies write them: typos, numbering, brackets, empty label cells, the old
form's rows. A row goes to its form row (saying so, with the label as written) or stays an
extra row with a warning; never to a wrong row."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report, render_text
from giro_site.document import Document, Table
from giro_site.forms.spec import APPLICANT_KEYS, APPLICATION_ROWS, OTHER_SUBROWS, PROACTIVE_ROWS
from giro_site.labels import core, flat
from giro_site.readers.text import parse_text
from giro_site.site.model import headline
from tests.conftest import parse_string, seed_text
from tests.writers import TEXT_LAYOUTS, document_to_text


def findings(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


# --- the cases of the issue -----------------------------------------------------------------


def test_a_typo_in_a_label_maps_with_a_warning_quoting_it() -> None:
    text = seed_text("002").replace("\t2.其他法律行政法规禁止公开\n", "\t2.其他法律行政止公开\n")
    text = text.replace("\t2.其他法律行政止公开\n\t0\n", "\t2.其他法律行政止公开\n\t3\n", 1)
    report = parse_string(text)
    assert report["applications"]["denied_prohibited"]["natural_person"] == 3
    [assumed] = findings(report, "LABEL_ASSUMED")
    assert assumed["where"] == "applications.denied_prohibited" and assumed["severity"] == "warning"
    assert "“2.其他法律行政止公开”" in assumed["message"] and "2.其他法律行政法规禁止公开" in assumed["message"]
    assert report["extra_rows"] == [] and not findings(report, "ROW_MISSING")


@pytest.mark.parametrize(("old", "new"), [
    ("\t2.其他法律行政法规禁止公开\n", "\t2、其他法律行政法规禁止公开\n"),  # 1、 for 1.
    ("\t2.其他法律行政法规禁止公开\n", "\t其他法律行政法规禁止公开\n"),  # no ordinal
    ("\t（一）予以公开\n", "\t(一)予以公开\n"),  # half-width brackets
    ("\t（一）予以公开\n", "\t［一］予以公开\n"),
    ("\t（三）不予公开\n", "\t(三)不予公开\n"),
    ("\t2.其他法律行政法规禁止公开\n", "\t2.其他法律\u200b行政法规\u00ad禁止\u2060公开\ufeff\n"),  # invisible marks
    ("\t四、结转下年度继续办理\n", "\t四、结转\u200c下年度\u200d继续办理\n"),
])
def test_numbering_brackets_and_invisible_characters_match_exactly(old: str, new: str) -> None:
    text = seed_text("002")
    assert old in text
    report = parse_string(text.replace(old, new))
    assert report["applications"] == parse_string(text)["applications"]
    assert [f["code"] for f in report["findings"] if f["severity"] != "info"] == []


def test_an_empty_label_cell_is_placed_by_its_place_between_matched_rows() -> None:
    text = seed_text("002").replace("\t2.其他法律行政法规禁止公开\n\t0\n", "\t\n\t5\n", 1)
    report = parse_string(text)
    assert report["applications"]["denied_prohibited"]["natural_person"] == 5
    [assumed] = findings(report, "LABEL_ASSUMED")
    assert "没有行名称" in assumed["message"] and "2.其他法律行政法规禁止公开" in assumed["message"]


def test_two_empty_labels_in_a_gap_of_one_are_not_placed() -> None:
    """Between 1.属于国家秘密 and 3.危及… there is one form row; two unnamed rows cannot both be it."""
    text = seed_text("002")
    row = "\t\n" + "\t0\n" * 7
    text = text.replace("\t2.其他法律行政法规禁止公开\n", "\t\n", 1)
    text = text.replace("\n\t\n\t\n\t3.危及", "\n" + row + "\n\t\n\t\n\t3.危及", 1)
    report = parse_string(text)
    assert report["applications"]["denied_prohibited"] == dict.fromkeys(APPLICANT_KEYS)
    assert not findings(report, "LABEL_ASSUMED")
    assert len(findings(report, "ROW_UNMAPPED")) == 2


def test_a_label_as_close_to_two_rows_is_never_guessed() -> None:
    text = seed_text("002").replace("\t（一）予以公开\n", "\t公开\n").replace(
        "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n", "\t公 开\n")
    report = parse_string(text)
    assert report["applications"]["granted"] == dict.fromkeys(APPLICANT_KEYS)
    assert report["applications"]["partially_granted"] == dict.fromkeys(APPLICANT_KEYS)
    unmapped = findings(report, "ROW_UNMAPPED")
    assert len(unmapped) == 2 and all(f["severity"] == "warning" for f in unmapped)
    assert "（一）予以公开" in unmapped[0]["message"] and "（二）部分公开" in unmapped[0]["message"]
    assert [r["label"] for r in report["extra_rows"]] == ["公开", "公 开"]
    assert [r["values"][0] for r in report["extra_rows"]] == [1, 0]


def test_the_number_of_a_label_decides_between_two_close_rows() -> None:
    text = seed_text("002").replace("\t（一）予以公开\n", "\t（一）公开\n").replace(
        "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n", "\t（二）公开\n")
    report = parse_string(text)
    assert report["applications"]["granted"]["natural_person"] == 1
    assert report["applications"]["partially_granted"]["natural_person"] == 0
    assert len(findings(report, "LABEL_ASSUMED")) == 2


def test_a_label_like_no_form_row_stays_extra_and_counts_against_consistency() -> None:
    text = seed_text("002").replace("\t2.其他法律行政法规禁止公开\n", "\t依申请公开事项\n")
    report = parse_string(text)
    assert report["applications"]["denied_prohibited"] == dict.fromkeys(APPLICANT_KEYS)
    [unmapped] = findings(report, "ROW_UNMAPPED")
    assert "依申请公开事项" in unmapped["message"] and "2.其他法律行政法规禁止公开" in unmapped["message"]
    assert headline(report).quality == "warning"
    assert report["extra_rows"][0]["label"] == "依申请公开事项"


def test_a_row_added_to_a_complete_table_is_information_only() -> None:
    """Seed 003 adds a 发布总数量 row under a table that has every form row: not a failure."""
    report = parse_string(seed_text("003"))
    assert [f["severity"] for f in findings(report, "ROW_EXTRA")] == ["info"]
    assert headline(report).quality == "ok"


def test_2021_form_table_with_the_2019_single_other_row() -> None:
    built = random_report(random.Random(4), "青石镇人民政府", None, 2022, form="2021")
    text = render_text(built)
    lines = text.split("\n")
    start = lines.index("\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    stop = lines.index("\t3.其他") + 8  # the label and its seven cells
    other = [str(built.applications["other"][c]) for c in APPLICANT_KEYS]
    lines[start - 1: stop] = ["\t（六）其他处理", *("\t" + v for v in other)]
    report = parse_string("\n".join(lines))
    assert report["form"] == "2021"
    assert report["applications"]["other"] == built.applications["other"]
    for key in OTHER_SUBROWS:
        assert report["applications"][key] == dict.fromkeys(APPLICANT_KEYS)
    [assumed] = findings(report, "LABEL_ASSUMED")
    assert assumed["where"] == "applications.other" and "2019年版" in assumed["message"]
    assert not findings(report, "ROW_MISSING") and not findings(report, "OTHER_SUBTOTAL")
    assert [f for f in report["findings"] if f["severity"] == "error"] == []


def test_a_missing_2021_sub_row_leaves_other_blank_not_a_partial_sum() -> None:
    built = random_report(random.Random(6), "青石镇人民政府", None, 2022, form="2021")
    text = render_text(built)
    label = "\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\n"
    report = parse_string(text.replace(label, "\t缴费相关\n"))
    assert report["applications"]["other"] == dict.fromkeys(APPLICANT_KEYS)
    assert report["applications"]["other_unpaid_fee"] == dict.fromkeys(APPLICANT_KEYS)
    assert findings(report, "ROW_UNMAPPED")


def test_a_proactive_label_with_a_typo_and_one_without_a_label() -> None:
    text = seed_text("003").replace("\t行政许可\n", "\t行政许\n").replace("\t行政强制\n\t0\n\t0\n\t0\n",
                                                                     "\t\n\t4\n\t1\n\t2\n")
    report = parse_string(text)
    assert report["proactive"]["licensing"] == {"previous": 2, "change": 0, "decisions": 0}
    assert report["proactive"]["coercion"] == {"previous": 4, "change": 1, "decisions": 2}
    assert sorted(f["where"] for f in findings(report, "LABEL_ASSUMED")) == ["proactive.coercion",
                                                                             "proactive.licensing"]


def test_labels_ignore_invisible_format_characters() -> None:
    assert flat("其\u200b他\u00ad处理\ufeff\u2060") == "其他处理"
    assert core("（六）\u200e其他处理\u200f") == "其他处理"


# --- hypothesis: perturbed labels never land in a wrong row -----------------------------------

FORM_LABELS = {core(s.label) for s in APPLICATION_ROWS} | {
    core(s.label) for rows in PROACTIVE_ROWS.values() for s, _ in rows}
FORM_LABELS.discard("")


def _label_cells(document: Document) -> list[tuple[int, int, int]]:
    """(block, row, cell) of every cell whose text is a form row's label."""
    out = []
    for b, block in enumerate(document.blocks):
        if isinstance(block, Table):
            for r, row in enumerate(block.rows):
                out += [(b, r, c) for c, cell in enumerate(row.cells) if core(cell.text) in FORM_LABELS]
    return out


def _replace_cell(document: Document, where: tuple[int, int, int], text: str) -> Document:
    b, r, c = where
    table = document.blocks[b]
    assert isinstance(table, Table)
    row = table.rows[r]
    cells = (*row.cells[:c], row.cells[c]._replace(text=text, merged=not text), *row.cells[c + 1:])
    rows = (*table.rows[:r], row._replace(cells=cells), *table.rows[r + 1:])
    blocks = [*document.blocks[:b], table._replace(rows=rows), *document.blocks[b + 1:]]
    return Document(blocks=blocks, source_format="txt")


_CN = "一二三四五六七八九十"


def _renumber(text: str, style: int) -> str:
    """The same label numbered another way: 1、 / 1． / (1) / （1） / without, or the brackets
    of （一） in another width."""
    stripped = text.strip()
    if stripped[:1] in "（(" and ")" in flat(stripped)[:5]:
        close = flat(stripped).index(")")
        numeral, words = flat(stripped)[1:close], stripped[stripped.index("）" if "）" in stripped else ")") + 1:]
        return [f"({numeral}){words}", f"［{numeral}］{words}", f"{numeral}、{words}", words, f"（{numeral}）{words}"][
            style % 5]
    head = flat(stripped)[:2]
    if head[:1].isdigit() or head[:1] in _CN:
        numeral, words = stripped[0], stripped[2:]
        return [f"{numeral}、{words}", f"{numeral}．{words}", f"({numeral}){words}", words, f"{numeral}.{words}"][
            style % 5]
    return stripped


def _perturb(text: str, kind: str, at: int) -> str:
    if kind == "renumber":
        return _renumber(text, at)
    if len(text) < 2:
        return text
    at %= len(text)
    if kind == "drop":
        return text[:at] + text[at + 1:]
    at = min(at, len(text) - 2)
    return text[:at] + text[at + 1] + text[at] + text[at + 2:]  # swap two neighbours


def _base_documents() -> list[tuple[str, Document]]:
    out = [(f"seed{n}", parse_text(seed_text(n))) for n in ("000", "001", "002", "003", "004")]
    for number, form in ((21, "2021"), (22, "2019"), (23, "2021")):
        built = random_report(random.Random(number), "青石镇人民政府", None, 2021 if form == "2021" else 2020,
                              form=form, blanks=number % 2 == 1, subrows=True)
        out.append((f"{form}-{number}", parse_text(render_text(built))))
    return out


BASES = _base_documents()
KEYS = ("proactive", "applications", "review_litigation")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(range(len(BASES))), pick=st.integers(0, 10_000),
       kind=st.sampled_from(["drop", "swap", "renumber"]), at=st.integers(0, 60),
       layout=st.sampled_from(("seeds", *TEXT_LAYOUTS)))
def test_a_perturbed_label_maps_to_its_row_or_to_an_extra_row_never_a_wrong_row(
        base: int, pick: int, kind: str, at: int, layout: str) -> None:
    _, document = BASES[base]
    cells = _label_cells(document)
    where = cells[pick % len(cells)]
    block = document.blocks[where[0]]
    assert isinstance(block, Table)
    label = block.rows[where[1]].cells[where[2]].text
    changed = _replace_cell(document, where, _perturb(label, kind, at))

    def parse(doc: Document) -> dict[str, Any]:
        return parse_string(document_to_text(doc, layout if layout != "seeds" else "one-blank"))

    truth, report = parse(document), parse(changed)
    lost: list[tuple[str, str]] = []
    for table in KEYS:
        for row, values in truth[table].items():
            for column, value in values.items():
                got = report[table][row][column]
                assert got == value or got is None, (table, row, column, value, got)
                if got != value:
                    lost.append((table, row))
    lost_rows = sorted(set(lost))
    # What went blank is the perturbed row (and a total derived from it), whose figures are
    # kept whole in extra_rows, and the report says so with a warning.
    assert len({row for _, row in lost_rows} - {"other", "other_services"}) <= 1, lost_rows
    if lost_rows:
        warned = {f["code"] for f in report["findings"] if f["severity"] in {"warning", "error"}}
        assert warned & {"ROW_UNMAPPED", "ROW_MISSING"}, report["findings"]
        table, row = next((t, r) for t, r in lost_rows if r not in {"other", "other_services"}) if any(
            r not in {"other", "other_services"} for _, r in lost_rows) else lost_rows[0]
        stated = [v for column, v in truth[table][row].items()
                  if v is not None and f"{table}.{row}.{column}" not in truth["derived"]]
        kept = [v for extra in report["extra_rows"] for v in extra["values"] if v is not None]
        assert all(kept.count(v) >= stated.count(v) for v in set(stated))
    if kind == "renumber":
        assert lost_rows == [], label
