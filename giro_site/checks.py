"""The form's own arithmetic, checked: every identity of annual-report-forms.md.

A blank adds nothing to the sums, and messages call it blank, never 0. An identity that
fails with all its operands stated is an error (the report contradicts itself); one that
fails only where cells are blank is a warning (a total column left empty is common and not
a contradiction). An identity whose operands are all blank says nothing and is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from giro_site.findings import ERROR, WARNING, finding
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_KEYS,
    APPLICATION_RESULT_ROWS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    REVIEW_GROUPS,
)
from giro_site.numbers import Number

Operand = tuple[str, Number | None]  # (JSON path, value)

COLUMN_NAMES = {leaf.key: leaf.label for _, leaf in APPLICANT_COLUMNS.leaves()}
GROUP_NAMES = {"review": "行政复议", "litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
APPLICANT_COLUMNS_ONLY = tuple(k for k in APPLICANT_KEYS if k != "total")


def _fmt(value: Number | None) -> str:
    return "空白（未填写）" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _round(value: Number) -> Number:
    return round(value, 6) if isinstance(value, float) else value


def describe(operands: list[Operand]) -> str:
    """One side of an identity as a citizen should read it: a blank is never called 0.

    ``3`` when every cell is stated; ``空白（未填写）`` when none is; ``3（已填写的2格之和，另有
    1格空白）`` when some are."""
    stated = [v for _, v in operands if v is not None]
    if not stated:
        return "空白（未填写）" if len(operands) == 1 else "空白（均未填写）"
    total = _fmt(_round(sum(stated)))
    blanks = len(operands) - len(stated)
    return f"{total}（已填写的{len(stated)}格之和，另有{blanks}格空白）" if blanks else total


def _holds(left: list[Number | None], right: list[Number | None]) -> bool:
    """Whether the stated values of the two sides add up to the same (a blank adds nothing),
    or every value is blank (an identity that says nothing)."""
    if None not in left and None not in right:  # most identities of most reports: every cell stated
        return _round(sum(left)) == _round(sum(right))
    stated_left = [v for v in left if v is not None]
    stated_right = [v for v in right if v is not None]
    if not stated_left and not stated_right:
        return True
    return _round(sum(stated_left)) == _round(sum(stated_right))


def _counts_agree(left: Sequence[Number | None], right: Sequence[Number | None]) -> bool:
    """``_holds``'s answer for the usual case, without its rounding: every cell stated, each
    side adding up to the same whole number (nearly every identity of every report). False
    says only that ``_holds`` must decide."""
    if None in left or None in right:
        return False
    total_left, total_right = sum(left), sum(right)
    return total_left.__class__ is int and total_right.__class__ is int and total_left == total_right


def check_identity(code: str, where: str, left: list[Operand], right: list[Operand],
                   template: str, lines: dict[str, int]) -> dict[str, Any] | None:
    """A finding if the stated cells of the two sides do not add up to the same (a blank
    adds nothing); None if they do. An identity with every cell blank says nothing.

    ``template`` is the message with ``{lhs}`` and ``{rhs}`` for the two sides, which
    ``describe`` writes: the message names blank cells as blank, never as 0."""
    if _holds([v for _, v in left], [v for _, v in right]):
        return None
    operands = left + right
    blanks = [path for path, v in operands if v is None]
    message = template.format(lhs=describe(left), rhs=describe(right))
    severity = ERROR
    if blanks:
        severity = WARNING
        message += "其中有未填写的空白格，只核对了已填写的数字；空白不等于0，可能只是漏填。"
    line = next((lines[p] for p, _ in operands if p in lines), None)
    return finding(code, message, where, line=line, severity=severity)


def check_received(model: dict[str, Any], stated: int, sentence: str, line: int | None) -> list[dict[str, Any]]:
    """The prose's received applications against table 三's 本年新收 总计 (when both say)."""
    total = model["applications"]["new_received"]["total"]
    if total is None or total == stated:
        return []
    return [finding(
        "RECEIVED_MISMATCH",
        f"正文说“{sentence}”，即本年收到政府信息公开申请{stated}件，"
        f"但表三“一、本年新收政府信息公开申请数量”的总计为{_fmt(total)}。",
        "applications.new_received.total", line=line)]


def _cell(model: dict[str, Any], table: str, row: str, column: str) -> Operand:
    return (f"{table}.{row}.{column}", model[table][row][column])


Keys = tuple[tuple[str, str], ...]  # (row, column) of one side's cells
# An identity of one table: its code, where a finding points, its two sides, the message
# with ``{lhs}`` and ``{rhs}``. Made once for the form (a report checks over forty).
Identity = tuple[str, str, Keys, Keys, str]


def _check(model: dict[str, Any], table: str, identity: Identity, lines: dict[str, int]) -> dict[str, Any] | None:
    """``check_identity`` over the cells of ``table``, its operands made only for an identity
    that fails: most hold."""
    code, where, left, right, template = identity
    cells = model[table]
    left_values = [cells[row][column] for row, column in left]
    right_values = [cells[row][column] for row, column in right]
    if _counts_agree(left_values, right_values) or _holds(left_values, right_values):
        return None
    return check_identity(code, where, [_cell(model, table, row, column) for row, column in left],
                          [_cell(model, table, row, column) for row, column in right], template, lines)


def check_report(model: dict[str, Any], lines: dict[str, int], tables_found: set[str]) -> list[dict[str, Any]]:
    """Every identity of the form, over the tables the report has."""
    out: list[dict[str, Any] | None] = []
    if "applications" in tables_found:
        out += _applications(model, lines)
    if "review_litigation" in tables_found:
        out += [_check(model, "review_litigation", identity, lines) for identity in _REVIEW]
    return [f for f in out if f is not None]


_APP = "applications"
_RESULT_ROWS = tuple(row for row in APPLICATION_RESULT_ROWS if row not in OTHER_SUBROWS)


def _column_identities(column: str) -> dict[str, Identity]:
    name = COLUMN_NAMES[column]
    results = tuple((row, column) for row in _RESULT_ROWS)
    subrows = tuple((row, column) for row in OTHER_SUBROWS)
    total = f"{_APP}.total_processed.{column}"
    results_message = f"“{name}”一列：办理结果总计为{{lhs}}，但（一）至（六）各项之和为{{rhs}}。"
    return {
        "balance": ("BALANCE", f"{_APP}.{column}", (("new_received", column), ("carried_over", column)),
                    (("total_processed", column), ("carried_forward", column)),
                    f"“{name}”一列：本年新收＋上年结转＝{{lhs}}，但办理结果总计＋结转下年度继续办理＝{{rhs}}，两者应相等。"),
        "results": ("RESULTS_TOTAL", total, (("total_processed", column),), (*results, ("other", column)),
                    results_message),
        # （六） left blank because one of its sub-rows is missing (2021 form): the sub-rows are
        # its figures, and the missing one counts as the blank it is.
        "results_by_subrows": ("RESULTS_TOTAL", total, (("total_processed", column),), results + subrows,
                               results_message),
        "other": ("OTHER_SUBTOTAL", f"{_APP}.other.{column}", (("other", column),), subrows,
                  f"“{name}”一列：（六）其他处理为{{lhs}}，但其下三项之和为{{rhs}}。"),
    }


_BY_COLUMN = {column: _column_identities(column) for column in APPLICANT_KEYS}
_OTHER_PATHS = {column: f"{_APP}.other.{column}" for column in APPLICANT_KEYS}
_ROW_TOTALS = {spec.key: ("ROW_TOTAL", f"{_APP}.{spec.key}.total", ((spec.key, "total"),),
                          tuple((spec.key, column) for column in APPLICANT_COLUMNS_ONLY),
                          f"“{spec.label}”一行：总计为{{lhs}}，但各类申请人之和为{{rhs}}。")
               for spec in APPLICATION_ROWS}
_COLUMNS_ONLY = itemgetter(*APPLICANT_COLUMNS_ONLY)
_REVIEW = tuple(("REVIEW_TOTAL", f"review_litigation.{group}.total", ((group, "total"),),
                 tuple((group, outcome) for outcome in ("upheld", "corrected", "other", "pending")),
                 f"“{GROUP_NAMES[group]}”：总计为{{lhs}}，但结果维持、结果纠正、其他结果、尚未审结之和为{{rhs}}。")
                for group in REVIEW_GROUPS)


def _applications(model: dict[str, Any], lines: dict[str, int]) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = []
    derived = model.get("derived", [])
    table = model[_APP]
    by_subrows = model.get("form") == "2021"
    for column, identities in _BY_COLUMN.items():
        out.append(_check(model, _APP, identities["balance"], lines))
        other_path = _OTHER_PATHS[column]
        own_other = other_path in lines or other_path in derived
        out.append(_check(model, _APP, identities["results_by_subrows" if by_subrows and not own_other
                                                   else "results"], lines))
        if other_path in lines and any(table[row][column] is not None for row in OTHER_SUBROWS):
            # the report gave （六） figures of its own: they must add up
            out.append(_check(model, _APP, identities["other"], lines))
    for row, values in table.items():
        # A row's total against its columns, read straight from the row (nearly every row of
        # every report adds up); ``_check`` says what is wrong otherwise.
        if not _counts_agree((values["total"],), _COLUMNS_ONLY(values)):
            out.append(_check(model, _APP, _ROW_TOTALS[row], lines))
    return out


# --- across years --------------------------------------------------------------------

PROACTIVE_ITEM_ROWS = ("licensing", "other_services", "penalty", "coercion", "fees")


def check_against_previous(current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """The same body's report of the year before: carry-overs must agree."""
    out: list[dict[str, Any]] = []
    last_year = previous.get("year")
    for column in APPLICANT_KEYS:
        now = current["applications"]["carried_over"][column]
        then = previous["applications"]["carried_forward"][column]
        if now is not None and then is not None and now != then:
            out.append(finding(
                "CARRYOVER_MISMATCH",
                f"“{COLUMN_NAMES[column]}”一列：本年“上年结转”为{_fmt(now)}，"
                f"但{last_year}年报告的“结转下年度继续办理”为{_fmt(then)}。",
                f"applications.carried_over.{column}"))
    if current.get("form") == "2019" and previous.get("form") == "2019":
        for row in PROACTIVE_ITEM_ROWS:
            now = current["proactive"][row]["previous"]
            before = previous["proactive"][row]
            if now is None or before["previous"] is None:
                continue
            expected = before["previous"] + (before["change"] or 0)
            if now != expected:
                change = "" if before["change"] is not None else "（其本年增/减为空白，未计入）"
                out.append(finding(
                    "PREVIOUS_MISMATCH",
                    f"本年“上一年项目数量”为{_fmt(now)}，但{last_year}年报告的上一年项目数量加本年增/减为"
                    f"{_fmt(expected)}{change}。",
                    f"proactive.{row}.previous"))
    return out
