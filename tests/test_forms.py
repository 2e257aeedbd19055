"""Form recognition, row and column mapping, and the checks, on reports edited or built
in the tests."""

from __future__ import annotations

import random
from typing import Any

import pytest

from giro_site.bench.synth import SynthReport, expected_model, random_report, render_text
from giro_site.corpus import link_years
from giro_site.forms.spec import APPLICANT_KEYS, OTHER_SUBROWS, REVIEW_GROUPS, REVIEW_OUTCOMES
from tests.conftest import codes, parse_string, seed_text

# --- a 2021-form report, with figures chosen from the form's facts ---------------------


def _apps_2021() -> dict[str, dict[str, Any]]:
    """Twelve applications: 9 from people, 2 from companies, 1 from a law firm; 2 carried over."""
    zero = dict.fromkeys(APPLICANT_KEYS, 0)
    rows: dict[str, dict[str, Any]] = {}
    def row(person: int, company: int = 0, law: int = 0) -> dict[str, Any]:
        return {**zero, "natural_person": person, "commercial": company, "legal_service": law,
                "total": person + company + law}
    keys = ["new_received", "carried_over", "granted", "partially_granted", "denied_state_secret",
            "denied_prohibited", "denied_security", "denied_third_party", "denied_internal", "denied_process",
            "denied_enforcement_file", "denied_inquiry", "unable_not_held", "unable_needs_creation",
            "unable_unclear", "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
            "not_processed_excessive", "not_processed_confirmation", "other_no_correction", "other_unpaid_fee",
            "other_misc"]
    for key in keys:
        rows[key] = row(0)
    rows["new_received"] = row(9, 2, 1)
    rows["carried_over"] = row(2)
    rows["granted"] = row(5, 1)
    rows["partially_granted"] = row(2, 0, 1)
    rows["denied_third_party"] = row(1)
    rows["unable_not_held"] = row(1, 1)
    rows["other_no_correction"] = row(1)
    rows["other_unpaid_fee"] = row(0)
    rows["other_misc"] = row(0)
    rows["other"] = row(1)  # （六） is the sum of its three sub-rows
    rows["total_processed"] = row(10, 2, 1)
    rows["carried_forward"] = row(1)
    return rows


def report_2021() -> SynthReport:
    return SynthReport(
        agency="临江市市场监督管理局", region=None, year=2022, form="2021",
        proactive={
            "regulations": {"issued": 0, "repealed": 1, "in_force": 3},
            "normative_documents": {"issued": 4, "repealed": 2, "in_force": 17},
            "licensing": {"decisions": 1285},
            "penalty": {"decisions": 96},
            "coercion": {"decisions": 7},
            "fees": {"amount_wan_yuan": 12.5},
        },
        applications=_apps_2021(),
        review={"review": {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 2},
                "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2},
                "litigation_after_review": dict.fromkeys(REVIEW_OUTCOMES, 0)},
        proactive_items=412,
    )


def test_2021_form_report_gives_its_figures() -> None:
    built = report_2021()
    report = parse_string(render_text(built))
    assert report["form"] == "2021"
    assert report["agency"] == "临江市市场监督管理局" and report["region"] == "临江市" and report["year"] == 2022
    assert report["proactive"] == built.proactive
    assert report["applications"] == built.applications
    assert report["review_litigation"] == built.review
    assert report["metrics"]["proactive_items"]["value"] == 412
    assert set(report["derived"]) == {f"applications.other.{c}" for c in APPLICANT_KEYS}
    assert [f for f in report["findings"] if f["severity"] != "info"] == []


def test_2021_fee_header_unit_is_used() -> None:
    report = parse_string(render_text(report_2021()))
    assert report["proactive"]["fees"]["amount_wan_yuan"] == 12.5
    assert "UNIT_ASSUMED" not in [f["code"] for f in report["findings"]]


@pytest.mark.parametrize("seed_value", range(40))
def test_generated_reports_round_trip(seed_value: int) -> None:
    rng = random.Random(seed_value)
    built = random_report(rng, "青山镇人民政府", "东城区", rng.choice([2019, 2020, 2021, 2022]),
                          blanks=seed_value % 3 == 0, subrows=seed_value % 4 == 0)
    report = parse_string(render_text(built))
    for key, value in expected_model(built).items():
        assert report[key] == value, key
    assert not [f for f in report["findings"] if f["severity"] == "error"]


def test_old_form_used_late_is_recognised_by_headers_not_year() -> None:
    built = random_report(random.Random(1), "青山镇人民政府", None, 2022, form="2019")
    report = parse_string(render_text(built))
    assert report["form"] == "2019"
    assert ("OLD_FORM_LATE", "form") in codes(report)


# --- broken identities, made by editing a seed -----------------------------------------


def _replace_row(text: str, label: str, cells: list[str]) -> str:
    """Replace the figures after ``label`` (the next len(cells) tab cells)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip("\t") == label)
    for offset, value in enumerate(cells, start=1):
        assert lines[start + offset].startswith("\t")
        lines[start + offset] = "\t" + value
    return "\n".join(lines)


def test_row_and_results_totals_broken_give_errors_where_they_are() -> None:
    text = _replace_row(seed_text("002"), "（一）予以公开", ["2", "0", "0", "0", "0", "0", "1"])
    report = parse_string(text)
    errors = codes(report, "error")
    assert ("ROW_TOTAL", "applications.granted.total") in errors
    assert ("RESULTS_TOTAL", "applications.total_processed.natural_person") in errors
    assert ("BALANCE", "applications.natural_person") not in errors  # 1 + 0 = 1 + 0 still holds
    line = next(f["line"] for f in report["findings"] if f["code"] == "ROW_TOTAL")
    assert text.split("\n")[line - 1].strip() in {"1", "2"}  # the line of a cell of that row


def test_balance_broken_with_all_cells_stated_is_an_error() -> None:
    text = _replace_row(seed_text("002"), "二、上年结转政府信息公开申请数量", ["3", "0", "0", "0", "0", "0", "3"])
    assert ("BALANCE", "applications.natural_person") in codes(parse_string(text), "error")
    assert ("BALANCE", "applications.total") in codes(parse_string(text), "error")


def test_identity_failing_only_on_blank_cells_is_a_warning() -> None:
    # Seed 000 leaves every applicant column blank; a total of 3 cannot be checked against blanks.
    text = _replace_row(seed_text("000"), "一、本年新收政府信息公开申请数量", ["\u00a0"] * 6 + ["3"])
    report = parse_string(text)
    assert ("ROW_TOTAL", "applications.new_received.total") in codes(report, "warning")
    assert ("BALANCE", "applications.total") in codes(report, "error")


def test_review_total_broken() -> None:
    lines = seed_text("002").split("\n")
    lines[381] = "\t9"  # 未经复议直接起诉 · 总计: 8 → 9 (line 382)
    assert ("REVIEW_TOTAL", "review_litigation.litigation_direct.total") in codes(
        parse_string("\n".join(lines)), "error")


def test_missing_table_is_an_error() -> None:
    text = seed_text("002")
    start = text.index("四、政府信息公开行政复议")
    end = text.index("五、存在的主要问题")
    report = parse_string(text[:start] + text[end:])
    assert ("TABLE_MISSING", "review_litigation") in codes(report, "error")
    assert report["review_litigation"]["review"] == dict.fromkeys(REVIEW_OUTCOMES)


def test_bare_amount_under_header_without_unit_is_assumed_wan_yuan() -> None:
    text = seed_text("004").replace("\t3739265元", "\t25.1")
    report = parse_string(text)
    assert report["proactive"]["procurement"]["amount_wan_yuan"] == 25.1
    assert ("UNIT_ASSUMED", "proactive.procurement.amount_wan_yuan") in codes(report, "warning")
    text = seed_text("004").replace("\t3739265元", "\t25.1万元")
    assert parse_string(text)["proactive"]["procurement"]["amount_wan_yuan"] == 25.1


def test_header_unit_applies_to_a_bare_amount() -> None:
    text = seed_text("004").replace("\t采购总金额\n", "\t采购总金额（元）\n").replace("\t3739265元", "\t3739265")
    report = parse_string(text)
    assert report["proactive"]["procurement"]["amount_wan_yuan"] == 373.9265
    assert "UNIT_ASSUMED" not in [f["code"] for f in report["findings"]]


def test_negative_change_and_unreadable_cell() -> None:
    text = _replace_row(seed_text("003"), "行政许可", ["2", "－1", "约3"])
    report = parse_string(text)
    assert report["proactive"]["licensing"] == {"previous": 2, "change": -1, "decisions": None}
    unreadable = [f for f in report["findings"] if f["code"] == "VALUE_UNREADABLE"]
    assert unreadable and "约3" in unreadable[0]["message"]
    assert unreadable[0]["where"] == "proactive.licensing.decisions"


# --- mapping by label and header, not by position ---------------------------------------


def test_columns_are_mapped_by_header_not_position() -> None:
    """Swap 商业企业 and 科研机构 in the header and in every row: the figures follow the header."""
    text = seed_text("002")
    text = text.replace("\t商业企业\n\t科研机构\n", "\t科研机构\n\t商业企业\n")
    text = _replace_row(text, "一、本年新收政府信息公开申请数量", ["1", "0", "4", "0", "0", "0", "5"])
    report = parse_string(text)
    assert report["applications"]["new_received"]["research"] == 0
    assert report["applications"]["new_received"]["commercial"] == 4


def test_row_labels_are_matched_after_normalising() -> None:
    text = seed_text("002")
    variants = {
        "\t1.属于国家秘密\n": "\t１．属于 国家秘密\n",
        "\t3.危及“三安全一稳定”\n": "\t3、危及\"三安全\u00a0一稳定\"\n",
        "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n":
            "\t(二)部分\n公开(区分处理的,只计这一情形,不计其他情形)\n",
        "\t四、结转下年度继续办理\n": "\t四、\u3000结转下年度继续办理\n",
    }
    for old, new in variants.items():
        assert old in text
        text = text.replace(old, new)
    text = _replace_row(text, "（一）予以公开", ["0", "0", "0", "0", "0", "0", "0"])
    text = text.replace("\t１．属于 国家秘密\n\t0\n", "\t１．属于 国家秘密\n\t1\n", 1)
    report = parse_string(text)
    assert report["applications"]["denied_state_secret"]["natural_person"] == 1
    assert report["applications"]["partially_granted"]["total"] == 0
    assert [f for f in report["findings"] if f["code"] in {"ROW_EXTRA", "ROW_MISSING"}] == []


def test_rows_in_another_order_are_found_by_label() -> None:
    text = seed_text("003")
    block_a = "\t行政处罚\n\t109\n\t0\n\t0\n"
    block_b = "\t行政强制\n\t0\n\t0\n\t0\n"
    text = text.replace(block_a, "@@A").replace(block_b, block_a).replace("@@A", block_b)
    assert parse_string(text)["proactive"]["penalty"]["previous"] == 109


def test_2021_other_subrows_need_their_parent() -> None:
    report = parse_string(render_text(report_2021()))
    assert report["applications"]["other_misc"]["natural_person"] == 0
    assert report["applications"]["other_no_correction"]["natural_person"] == 1
    assert report["applications"]["other_unpaid_fee"] == {**dict.fromkeys(APPLICANT_KEYS, 0)}


def test_2021_other_is_blank_and_says_why_when_a_sub_row_is_missing() -> None:
    """（六） is its three sub-rows: with one missing it stays blank (no partial sum), a warning
    on （六） names the missing one, and the checks use the sub-rows as they are: no false
    RESULTS_TOTAL from a blank （六）, no OTHER_SUBTOTAL against figures the report never gave."""
    text = render_text(report_2021())
    block = "\t\n\t\n\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\n" + "\t0\n" * 7 + "\n"
    assert block in text
    report = parse_string(text.replace(block, ""))
    assert report["applications"]["other"] == dict.fromkeys([*APPLICANT_KEYS, "total"])
    assert report["applications"]["other_no_correction"]["natural_person"] == 1
    by_place = {(f["code"], f["where"]): f["message"] for f in report["findings"]}
    assert "逾期未按收费通知" in by_place["ROW_MISSING", "applications.other"]
    assert ("ROW_MISSING", "applications.other_unpaid_fee") in by_place
    assert not {code for code, _ in by_place} & {"RESULTS_TOTAL", "OTHER_SUBTOTAL", "BALANCE"}
    # A wrong figure in a sub-row still breaks （七）总计.
    wrong = text.replace(block, "").replace("\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\n\t1\n",
                                            "\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\n\t3\n")
    assert "RESULTS_TOTAL" in {code for code, _ in codes(parse_string(wrong))}


def test_2019_report_has_null_2021_subrows() -> None:
    report = parse_string(seed_text("001"))
    for key in OTHER_SUBROWS:
        assert report["applications"][key] == dict.fromkeys(APPLICANT_KEYS)


# --- who and when -------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "agency", "region", "year"), [
    ("北京市朝阳区住房和城乡建设委员会2021年政府信息公开工作年度报告", "朝阳区住房和城乡建设委员会",
     "北京市朝阳区", 2021),
    ("临江市城市管理局2021年政府信息公开工作年度报告", "临江市城市管理局", "临江市", 2021),
    ("关于2022年度政府信息公开工作年度报告", None, None, 2022),
    ("广西壮族自治区南宁市青秀区新竹街道办事处二〇二一年政府信息公开工作年度报告", "新竹街道办事处",
     "广西壮族自治区南宁市青秀区", 2021),
])
def test_agency_region_year_from_title(title: str, agency: str | None, region: str | None, year: int) -> None:
    text = seed_text("004").replace("岑港街道2020年度政府信息公开工作报告", title)
    text = text.replace("岑港街道认真贯彻落实", "本机关认真贯彻落实")
    report = parse_string(text)
    assert (report["agency"], report["region"], report["year"]) == (agency, region, year)


def test_year_comes_from_the_report_not_the_signature_date() -> None:
    assert parse_string(seed_text("001"))["year"] == 2020  # signed 2021年1月4日


# --- across years --------------------------------------------------------------------------


def _rebalance(report: SynthReport) -> None:
    """Make 一 + 二 = 三（七） + 四 hold again after a test moved a carry-over."""
    apps = report.applications
    for column in APPLICANT_KEYS[:-1]:
        apps["new_received"][column] = (apps["total_processed"][column] + apps["carried_forward"][column]
                                        - apps["carried_over"][column])
    for row in ("new_received", "carried_over"):
        apps[row]["total"] = sum(apps[row][c] for c in APPLICANT_KEYS[:-1])


def test_carry_over_mismatch_with_previous_year() -> None:
    rng = random.Random(7)
    last = random_report(rng, "青山镇人民政府", "东城区", 2020)
    this = random_report(rng, "青山镇人民政府", "东城区", 2021)
    this.applications["carried_over"] = dict(last.applications["carried_forward"])
    this.applications["carried_over"]["natural_person"] += 2
    _rebalance(this)
    first, second = parse_string(render_text(last)), parse_string(render_text(this))
    assert not codes(second, "error")
    link_years([first, second])
    assert ("CARRYOVER_MISMATCH", "applications.carried_over.natural_person") in codes(second, "warning")
    assert ("CARRYOVER_MISMATCH", "applications.carried_over.commercial") not in codes(second)
    assert codes(first, "warning") == []


def test_matching_carry_over_gives_no_finding() -> None:
    rng = random.Random(8)
    last = random_report(rng, "青山镇人民政府", "东城区", 2020, form="2019")
    this = random_report(rng, "青山镇人民政府", "东城区", 2021, form="2019")
    this.applications["carried_over"] = dict(last.applications["carried_forward"])
    _rebalance(this)
    for row, values in last.proactive.items():
        if "previous" in values:
            this.proactive[row]["previous"] = values["previous"] + (values.get("change") or 0)
    reports = [parse_string(render_text(last)), parse_string(render_text(this))]
    assert not codes(reports[1], "error")
    link_years(reports)
    assert [c for c, _ in codes(reports[1]) if c in {"CARRYOVER_MISMATCH", "PREVIOUS_MISMATCH"}] == []
    this.proactive["penalty"]["previous"] += 1
    reports = [parse_string(render_text(last)), parse_string(render_text(this))]
    link_years(reports)
    assert ("PREVIOUS_MISMATCH", "proactive.penalty.previous") in codes(reports[1], "warning")


def test_review_groups_cover_all_fifteen_cells() -> None:
    report = parse_string(seed_text("002"))
    assert sum(len(report["review_litigation"][g]) for g in REVIEW_GROUPS) == 15
