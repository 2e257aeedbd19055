"""The form's identities checked by ``check_report``, whose usual case (every cell a count)
is told without making the operands, find what checking every identity by
``check_identity`` finds: the same findings in the same order, for tables of counts,
amounts, blanks and contradictions."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site import checks
from giro_site.checks import check_identity, check_report
from giro_site.forms.spec import APPLICANT_KEYS, APPLICATION_ROWS, OTHER_SUBROWS, REVIEW_GROUPS, REVIEW_OUTCOMES


def _operands(model: dict[str, Any], table: str, keys: checks.Keys) -> list[checks.Operand]:
    return [(f"{table}.{row}.{column}", model[table][row][column]) for row, column in keys]


def _identity(model: dict[str, Any], table: str, identity: checks.Identity,
              lines: dict[str, int]) -> dict[str, Any] | None:
    code, where, left, right, template = identity
    return check_identity(code, where, _operands(model, table, left), _operands(model, table, right), template, lines)


def _reference(model: dict[str, Any], lines: dict[str, int], found: set[str]) -> list[dict[str, Any]]:
    """Every identity ``check_report`` checks, each by ``check_identity``."""
    out: list[dict[str, Any] | None] = []
    if "applications" in found:
        table, derived = model["applications"], model.get("derived", [])
        for column, identities in checks._BY_COLUMN.items():
            out.append(_identity(model, "applications", identities["balance"], lines))
            other_path = f"applications.other.{column}"
            own_other = other_path in lines or other_path in derived
            by_subrows = model.get("form") == "2021" and not own_other
            out.append(_identity(model, "applications", identities["results_by_subrows" if by_subrows
                                                                   else "results"], lines))
            if other_path in lines and any(table[row][column] is not None for row in OTHER_SUBROWS):
                out.append(_identity(model, "applications", identities["other"], lines))
        out += [_identity(model, "applications", checks._ROW_TOTALS[row], lines) for row in table]
    if "review_litigation" in found:
        out += [_identity(model, "review_litigation", identity, lines) for identity in checks._REVIEW]
    return [f for f in out if f is not None]


# Small counts, so that the sums often hold; amounts that add up only once rounded; blanks.
values = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from([None, 0.1, 0.2, 0.3, 1.5, -1, 10 ** 15]))


@st.composite
def models(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, int], set[str]]:
    rows = [spec.key for spec in APPLICATION_ROWS]
    applications = {row: {column: draw(values) for column in APPLICANT_KEYS} for row in rows}
    if draw(st.booleans()):  # rows that add up, as most reports' do
        for row in draw(st.lists(st.sampled_from(rows), max_size=len(rows))):
            cells = applications[row]
            parts = [cells[column] for column in APPLICANT_KEYS if column != "total"]
            cells["total"] = sum(p for p in parts if p is not None)
    review = {group: {outcome: draw(values) for outcome in (*REVIEW_OUTCOMES, "total")} for group in REVIEW_GROUPS}
    paths = [f"applications.{row}.{column}" for row in rows for column in APPLICANT_KEYS]
    lines = {path: number for number, path in enumerate(draw(st.lists(st.sampled_from(paths), max_size=20)), 1)}
    model = {"form": draw(st.sampled_from(["2019", "2021"])), "applications": applications,
             "review_litigation": review, "derived": draw(st.lists(st.sampled_from(paths), max_size=4))}
    found = set(draw(st.lists(st.sampled_from(["applications", "review_litigation", "proactive"]), max_size=3)))
    return model, lines, found


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(models())
def test_check_report_finds_what_every_identity_checked_finds(case: tuple[dict[str, Any], dict[str, int], set[str]]
                                                              ) -> None:
    model, lines, found = case
    assert check_report(model, lines, found) == _reference(model, lines, found)
