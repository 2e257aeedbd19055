"""Forms: recognise the 2019 or 2021 national form and map its three tables to the
contract's canonical keys. Input is a ``Document``; nothing here knows the file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

from giro_site.document import Document, Row
from giro_site.findings import finding
from giro_site.forms.applications import is_application_2021, map_applications
from giro_site.forms.cells import Mapped, extra_row, read_value
from giro_site.forms.grid import is_numeric
from giro_site.forms.locate import APPLICATIONS, PROACTIVE, REVIEW, locate_tables
from giro_site.forms.proactive import map_proactive
from giro_site.forms.review import map_review
from giro_site.forms.spec import FORM_MARKERS
from giro_site.labels import core
from giro_site.numbers import excerpt

_HIDDEN, _CELLS, _TEXT = attrgetter("hidden"), attrgetter("cells"), attrgetter("text")
_TABLE_NAMES = {PROACTIVE: "表二“主动公开政府信息情况”", APPLICATIONS: "表三“收到和处理政府信息公开申请情况”",
                REVIEW: "表四“政府信息公开行政复议、行政诉讼情况”"}
# What mapping a table that is not there says about its rows and header: TABLE_MISSING says it.
_NOTHING_TO_SAY = frozenset(("ROW_MISSING", "HEADER_ASSUMED"))


@dataclass
class FormResult:
    form: str
    tables: dict[str, Mapped]
    extra_rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    found_tables: set[str] = field(default_factory=set)


def recognise_form(proactive_rows: list[Row], application_rows: list[Row]) -> str | None:
    """The form whose header words the tables use; None when neither table tells."""
    # Each marker looked for in all the table's words at once, joined by a character no label
    # has (none of the markers holds it, so none is found across two words).
    words = "\0".join(set(map(core, map(_TEXT, chain.from_iterable(map(_CELLS, proactive_rows))))))  # at C speed
    hits = {form: sum(m in words for m in markers) for form, markers in FORM_MARKERS.items()}
    if hits["2021"] > hits["2019"]:
        return "2021"
    if hits["2019"] > hits["2021"]:
        return "2019"
    if application_rows:
        return "2021" if is_application_2021(application_rows) else None
    return None


def read_form(document: Document, year: int | None) -> FormResult:
    located = locate_tables(document)
    proactive = located.tables.get(PROACTIVE)
    applications = located.tables.get(APPLICATIONS)
    review = located.tables.get(REVIEW)
    findings: list[dict[str, Any]] = []

    form = recognise_form(proactive.rows if proactive else [], applications.rows if applications else [])
    if form is None:
        form = "2021" if year is not None and year >= 2021 else "2019"
        if located.tables:
            findings.append(finding("FORM_ASSUMED", f"无法从表头判断表格版本，按报告年度推定为{form}年版。", "form"))
    elif form == "2019" and year is not None and year >= 2021:
        findings.append(finding("OLD_FORM_LATE", f"{year}年度的报告仍使用2019年版表格。", "form"))

    tables = {
        PROACTIVE: map_proactive(proactive.rows if proactive else [], form),
        APPLICATIONS: map_applications(applications.rows if applications else [], form),
        REVIEW: map_review(review.rows if review else []),
    }
    for kind, name in _TABLE_NAMES.items():
        if kind not in located.tables:
            tables[kind].findings = [f for f in tables[kind].findings if f["code"] not in _NOTHING_TO_SAY]
            findings.append(finding("TABLE_MISSING", f"报告中找不到{name}。", kind))

    result = FormResult(form=form, tables=tables, findings=findings, found_tables=set(located.tables))
    named = set().union(*(mapped.hidden for mapped in tables.values()))
    for table in located.unrecognized:
        scratch = Mapped(values={})
        for row in table.rows:
            texts = row.texts()
            values = [read_value(c, None, "", "unrecognized", scratch, texts[0]) if is_numeric(c.text) else None
                      for c in row.cells]
            result.extra_rows.append(extra_row("unrecognized", tuple(t for t in texts[:1]), values, texts, row))
        result.findings.append(finding("TABLE_UNRECOGNIZED", "报告中有一张不属于国家表格的表，内容列入附加行。",
                                       "extra_rows", line=table.line))
        result.findings.extend(f for f in scratch.findings if f["code"] == "HIDDEN_TEXT")
        named |= scratch.hidden
    sources = [(kind, located.tables[kind].rows) for kind in located.tables]
    sources += [("extra_rows", list(table.rows)) for table in located.unrecognized]
    result.findings.extend(_hidden_elsewhere(sources, named))
    return result


def _hidden_elsewhere(sources: list[tuple[str, list[Row]]], named: set[int]) -> list[dict[str, Any]]:
    """HIDDEN_TEXT for the cells no figure was read from (a row label, a header, a cell of
    a row left aside) that held hidden text: the label a row was matched by may have been
    changed by it, so it is said as well as a figure's."""
    out: list[dict[str, Any]] = []
    for where, rows in sources:
        if not any(map(_HIDDEN, chain.from_iterable(map(_CELLS, rows)))):  # nearly every table, at C speed
            continue
        for row in rows:
            for cell in row.cells:
                if not cell.hidden or id(cell) in named:
                    continue
                label = next((t.strip() for t in row.texts() if t.strip()), "")
                shown = excerpt(cell.text.strip()) or "空白"
                place = f"“{label}”一行的" if label and label != cell.text.strip() else ""
                out.append(finding(
                    "HIDDEN_TEXT", f"表格中{place}单元格“{shown}”含有读者看不见的文字，已删去，按看得见的内容读取；"
                    "请核对原文。", where, line=cell.line if cell.line is not None else row.line))
    return out

