"""Each seed parses to the figures its tables state, read off the reports by hand."""

from __future__ import annotations

from typing import Any

import pytest

from giro_site.document import Table
from giro_site.forms.grid import is_numeric
from giro_site.forms.spec import APPLICANT_KEYS, APPLICATION_ROWS, OTHER_SUBROWS, REVIEW_GROUPS, REVIEW_OUTCOMES
from giro_site.readers import read_document
from giro_site.report import parse_report
from tests.conftest import SEEDS, seed_path

N = None  # a blank cell
ROWS_2019 = [s.key for s in APPLICATION_ROWS if s.key not in OTHER_SUBROWS]


def applications(default: list[Any], **rows: list[Any]) -> dict[str, dict[str, Any]]:
    """Table 三 with every 2019-form row set to ``default`` except the ones given."""
    out = {key: dict(zip(APPLICANT_KEYS, rows.get(key, default), strict=True)) for key in ROWS_2019}
    out.update({key: dict.fromkeys(APPLICANT_KEYS) for key in OTHER_SUBROWS})
    return out


def review(default: list[Any], **groups: list[Any]) -> dict[str, dict[str, Any]]:
    return {g: dict(zip(REVIEW_OUTCOMES, groups.get(g, default), strict=True)) for g in REVIEW_GROUPS}


def proactive(regulations: list[Any], normative: list[Any], licensing: list[Any], other: list[Any],
              penalty: list[Any], coercion: list[Any], fees: list[Any], procurement: list[Any]) -> dict[str, Any]:
    three = ("new_made", "new_published", "total_published")
    items = ("previous", "change", "decisions")
    return {
        "regulations": dict(zip(three, regulations, strict=True)),
        "normative_documents": dict(zip(three, normative, strict=True)),
        "licensing": dict(zip(items, licensing, strict=True)),
        "other_services": dict(zip(items, other, strict=True)),
        "penalty": dict(zip(items, penalty, strict=True)),
        "coercion": dict(zip(items, coercion, strict=True)),
        "fees": dict(zip(("previous", "change"), fees, strict=True)),
        "procurement": dict(zip(("projects", "amount_wan_yuan"), procurement, strict=True)),
    }


ZERO7, ZERO3 = [0] * 7, [0, 0, 0]

EXPECTED: dict[str, dict[str, Any]] = {
    "000": {
        "agency": "岭子镇", "region": None, "year": 2020, "form": "2019", "proactive_items": 86,
        # 规章 blank; 规范性文件 new_made blank; 政府集中采购 both blank.
        "proactive": proactive([N, N, N], [N, 0, 0], ZERO3, ZERO3, ZERO3, ZERO3, [0, 0], [N, N]),
        # Every applicant column is blank; only the 总计 column says 0.
        "applications": applications([N, N, N, N, N, N, 0]),
        # Fourteen blanks, then 0 in 复议后起诉 · 总计.
        "review_litigation": review([N] * 5, litigation_after_review=[N, N, N, N, 0]),
    },
    "001": {
        "agency": "高岭镇人民政府", "region": "密云区", "year": 2020, "form": "2019", "proactive_items": 309,
        # 其他对外管理服务事项 is split into 行政检查 and 行政确认 (0, 0, 0 each): its figures are their sum.
        "proactive": proactive(ZERO3, [59, 18, 119], ZERO3, ZERO3, ZERO3, ZERO3, [0, 0], [0, 0]),
        "applications": applications(ZERO7),
        "review_litigation": review([0] * 5),
    },
    "002": {
        "agency": "张山子镇", "region": "台儿庄区", "year": 2020, "form": "2019", "proactive_items": 54,
        "proactive": proactive(ZERO3, ZERO3, ZERO3, ZERO3, ZERO3, ZERO3, [0, 0], [0, 0]),
        # One application from a natural person, granted; （七）总计 leaves the five organisation cells blank.
        "applications": applications(
            ZERO7,
            new_received=[1, 0, 0, 0, 0, 0, 1],
            granted=[1, 0, 0, 0, 0, 0, 1],
            total_processed=[1, N, N, N, N, N, 1],
        ),
        "review_litigation": review([0] * 5, litigation_direct=[8, 0, 0, 0, 8]),
    },
    "003": {
        "agency": "鹿乡镇人民政府", "region": "长春市双阳区", "year": 2020, "form": "2019", "proactive_items": None,
        "proactive": proactive(ZERO3, ZERO3, [2, 0, 0], [1, 0, 0], [109, 0, 0], ZERO3, [0, 0], [0, 0]),
        "applications": applications(ZERO7),
        "review_litigation": review([0] * 5),
    },
    "004": {
        "agency": "岑港街道", "region": None, "year": 2020, "form": "2019", "proactive_items": 203,
        # 政府集中采购: 61 projects, 3739265元 = 373.9265 万元.
        "proactive": proactive(ZERO3, ZERO3, ZERO3, ZERO3, ZERO3, ZERO3, [0, 0], [61, 373.9265]),
        "applications": applications(ZERO7),
        "review_litigation": review([0] * 5),
    },
}


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, Any]]:
    return {p.name[:3]: parse_report(p) for p in SEEDS}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_identity(parsed: dict[str, dict[str, Any]], prefix: str) -> None:
    report, expected = parsed[prefix], EXPECTED[prefix]
    assert report["agency"] == expected["agency"]
    assert report["region"] == expected["region"]
    assert report["year"] == expected["year"]
    assert report["form"] == expected["form"]
    assert report["metrics"]["proactive_items"]["value"] == expected["proactive_items"]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
@pytest.mark.parametrize("table", ["proactive", "applications", "review_litigation"])
def test_seed_tables(parsed: dict[str, dict[str, Any]], prefix: str, table: str) -> None:
    assert parsed[prefix][table] == EXPECTED[prefix][table]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_has_no_error_finding(parsed: dict[str, dict[str, Any]], prefix: str) -> None:
    assert [f for f in parsed[prefix]["findings"] if f["severity"] == "error"] == []


def test_evidence_is_the_sentence_that_states_the_count(parsed: dict[str, dict[str, Any]]) -> None:
    assert "共主动公开政府信息309条" in parsed["001"]["metrics"]["proactive_items"]["evidence"]
    assert "共更新和发布信息54条" in parsed["002"]["metrics"]["proactive_items"]["evidence"]
    assert parsed["003"]["metrics"]["proactive_items"] == {"value": None, "evidence": None, "approximate": False}
    assert ("PROACTIVE_ITEMS_MISSING", "metrics.proactive_items") in [
        (f["code"], f["where"]) for f in parsed["003"]["findings"]]


def test_subrows_are_kept_and_their_parent_is_marked_derived(parsed: dict[str, dict[str, Any]]) -> None:
    report = parsed["001"]
    subrows = [(r["parent"], r["label"], r["values"]) for r in report["extra_rows"]]
    assert subrows == [("other_services", "行政检查", [0, 0, 0]), ("other_services", "行政确认", [0, 0, 0])]
    assert set(report["derived"]) == {f"proactive.other_services.{c}" for c in ("previous", "change", "decisions")}


def test_row_the_form_lacks_goes_to_extra_rows(parsed: dict[str, dict[str, Any]]) -> None:
    rows = parsed["003"]["extra_rows"]
    assert len(rows) == 1
    assert rows[0]["table"] == "proactive" and rows[0]["parent"] is None
    assert "发布总数量" in rows[0]["label"]
    assert rows[0]["values"] == [None] and rows[0]["line"] == 79


def test_amount_in_yuan_is_converted_to_wan_yuan(parsed: dict[str, dict[str, Any]]) -> None:
    assert parsed["004"]["proactive"]["procurement"]["amount_wan_yuan"] == 373.9265
    assert "UNIT_ASSUMED" not in [f["code"] for f in parsed["004"]["findings"]]


def test_narrative_sections(parsed: dict[str, dict[str, Any]]) -> None:
    narrative = parsed["001"]["narrative"]
    assert narrative["overview"].startswith("（一）组织机构及制度建设情况\n切实加强")
    assert "2021年我镇将从以下三个方面改进" in narrative["problems"]
    # The signature is not part of section 五; it is the signature.
    assert "高岭镇人民政府" not in narrative["problems"].splitlines()[-1]
    assert parsed["001"]["signature"] == {"name": "高岭镇人民政府", "date": "2021-01-04"}
    assert parsed["000"]["narrative"]["other_matters"] == "无。"
    assert parsed["003"]["signature"]["name"] == "长春市双阳区鹿乡镇人民政府"
    assert len(parsed["003"]["narrative"]["problems"].splitlines()) == 7


def _table_numbers(path: Any) -> int:
    """How many cells of the report's tables hold a figure."""
    document = read_document(path)
    return sum(is_numeric(cell.text) for block in document.blocks if isinstance(block, Table)
               for row in block.rows for cell in row.cells)


def test_every_number_in_a_table_lands_in_a_canonical_cell_or_an_extra_row(seed: Any) -> None:
    report = parse_report(seed)
    derived = set(report["derived"])
    canonical = sum(
        value is not None and f"{table}.{row}.{column}" not in derived
        for table in ("proactive", "applications", "review_litigation")
        for row, columns in report[table].items() for column, value in columns.items())
    extra = sum(v is not None for row in report["extra_rows"] for v in row["values"])
    assert canonical + extra == _table_numbers(seed)


def test_seed_content_is_the_shared_seeds_byte_for_byte() -> None:
    shared = seed_path("000").parents[3].parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("the shared seed folder is not beside this clone")
    for path in SEEDS:
        assert path.read_bytes() == (shared / path.name).read_bytes()
