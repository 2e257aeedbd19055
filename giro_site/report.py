"""One file in, one normalised report out (the JSON contract, report-json.md).

The pipeline reads in one direction: reader → Document → forms → checks. This module
only wires the steps together and names the result's keys.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from giro_site import PARSER_VERSION
from giro_site.checks import check_received, check_report
from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.findings import finding, sort_findings
from giro_site.forms import read_form
from giro_site.forms.locate import KINDS, locate_tables
from giro_site.prose.identity import full_name, identify
from giro_site.prose.narrative import narrative, proactive_items, received_applications, section_texts
from giro_site.prose.sections import find_headings
from giro_site.readers import read_bytes, read_document
from giro_site.regions import resolve

SCHEMA_VERSION = 1


def parse_report(path: Path | str, *, data: bytes | None = None, display_path: str | None = None,
                 sha256: str | None = None) -> dict[str, Any]:
    """Read and normalise one report file. Raises ReportError (naming the file) when the
    file cannot be read or is not a report; anything else would be a bug. ``sha256``: the
    hex digest of ``data`` when the caller has it already (the build's store hashes every
    file), so that the bytes are not hashed twice."""
    path = path if isinstance(path, Path) else Path(path)
    shown = display_path or path.as_posix()
    if data is None:
        try:
            data = read_bytes(path, shown=shown)
        except ReportError as exc:
            raise exc.with_path(shown) from exc
    try:
        document = read_document(path, data)
    except ReportError as exc:
        raise exc.with_path(shown) from exc
    source = {"file": shown, "format": document.source_format, "sha256": sha256 or hashlib.sha256(data).hexdigest()}
    try:
        return normalise(document, source)
    except ReportError as exc:
        raise exc.with_path(shown) from exc


def _require_report(document: Document) -> None:
    if locate_tables(document).tables or len(find_headings(document)) >= 2:
        return
    text = "".join(p.text for p in document.paragraphs[:20])
    if "政府信息公开" in text and "报告" in text and document.tables:
        return
    raise ReportError("文件中找不到年度报告的章节（一、总体情况……）或国家表格，不像是政府信息公开工作年度报告："
                      "如果它不是，请移出 reports 文件夹；如果是，请确认是报告全文，而不是摘要、附件或目录页")


def normalise(document: Document, source: dict[str, str]) -> dict[str, Any]:
    _require_report(document)
    who = identify(document)
    form = read_form(document, who.year)
    findings: list[dict[str, Any]] = list(form.findings)
    lines: dict[str, int] = {}
    derived: list[str] = []
    extra_rows: list[dict[str, Any]] = []
    tables: dict[str, Any] = {}
    for kind in KINDS:
        mapped = form.tables[kind]
        tables[kind] = mapped.values
        findings += mapped.findings
        lines.update(mapped.lines)
        derived += mapped.derived
        extra_rows += mapped.extra_rows
    extra_rows += form.extra_rows
    refused = {note.where for note in document.notes if note.code == "TABLE_MISSING"}
    if refused:  # the reader says why it did not read the table: its finding replaces the form's
        findings = [f for f in findings if not (f["code"] == "TABLE_MISSING" and f["where"] in refused)]
    for note in document.notes:  # what the reader could not place (a PDF table read by position)
        findings.append(finding(note.code, note.message, note.where, line=note.line))
        if not note.raw:
            continue
        extra_rows.append({"table": note.where, "parent": None, "label": note.label,
                           "path": [note.label] if note.label else [], "values": [], "raw": list(note.raw),
                           **({"line": note.line} if note.line is not None else {})})

    if who.agency is None:
        findings.append(finding("AGENCY_UNKNOWN", "在标题、正文开头和落款中都找不到发布机关的名称。", "agency"))
    place = resolve(full_name(who.agency, who.region),
                    [name for name in (who.signature.name, who.title) if name],
                    [p.text for p in document.paragraphs])
    if who.agency is not None and place.problem:
        findings.append(finding("REGION_UNKNOWN", place.problem, "division"))
    if who.year is None:
        findings.append(finding("YEAR_UNKNOWN", "报告中找不到所报告的年度。", "year"))

    by_section = section_texts(document)
    ordered = by_section.get("overview", []) + by_section.get("preamble", []) + [
        text for key, texts in by_section.items() if key not in {"overview", "preamble"} for text in texts]
    items = proactive_items(ordered)
    if items.value is None:
        findings.append(finding("PROACTIVE_ITEMS_MISSING", "报告正文没有说明全年主动公开政府信息的条数。",
                                "metrics.proactive_items"))
    received = received_applications(ordered)

    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "parser_version": PARSER_VERSION,
        "agency": who.agency,
        "region": who.region,
        "division": place.division,
        "year": who.year,
        "form": form.form,
        "title": who.title,
        "source": source,
        **tables,
        "extra_rows": extra_rows,
        "derived": derived,
        "narrative": narrative(document, who),
        "signature": {"name": who.signature.name, "date": who.signature.date},
        "metrics": {"proactive_items": {"value": items.value, "evidence": items.evidence,
                                        "approximate": items.approximate}},
    }
    findings += check_report(report, lines, form.found_tables)
    if "applications" in form.found_tables and received.value is not None:
        line = next((p.line for p in document.paragraphs if received.evidence and received.evidence in p.text), None)
        findings += check_received(report, received.value, received.evidence or "", line)
    report["findings"] = sort_findings(findings)
    if document.page_starts:
        _place_on_pages(document, report["findings"] + report["extra_rows"])
    return report


def _place_on_pages(document: Document, items: list[dict[str, Any]]) -> None:
    """A paged document (PDF) points to a page and a line on it, not a line of the file:
    ``line`` becomes the line on the page, and ``page`` is added."""
    for item in items:
        line = item.get("line")
        placed = document.place(line) if line is not None else None
        if placed is not None:
            item["page"], item["line"] = placed
        elif line is not None:
            del item["line"]


def to_json(report: dict[str, Any], *, indent: int | None = 2) -> str:
    """The contract's JSON: UTF-8, Chinese kept readable, keys in a stable order."""
    return json.dumps(report, ensure_ascii=False, indent=indent)
