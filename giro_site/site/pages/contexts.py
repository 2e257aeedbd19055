"""Page contexts: everything a template shows, computed in Python as plain data.

Findings are numbered per report and attached to the cells they concern, so a page can
show each one beside its figures; a table's findings are listed under that table.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from giro_site.findings import CODE_INDEX, SEVERITY_LABEL
from giro_site.site.model import Agency, Headline
from giro_site.site.pages import charts
from giro_site.site.pages.fragments import FigureRow, Fragments
from giro_site.site.tables import Cell, Head, TableLayout, layouts, show
from giro_site.site.urls import Urls

_BALANCE_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
TABLE_OF = {"proactive": "proactive", "applications": "applications", "review_litigation": "review_litigation"}


@dataclass
class ShownFinding:
    number: int
    code: str
    title: str
    severity: str
    severity_label: str
    message: str
    where: str
    line: int | None  # the line in the file, or on ``page`` for a paged file (PDF)
    anchor: str
    page: int | None = None


@dataclass
class ShownRow:
    labels: Markup  # the row's label cells, rendered by the head_cells macro
    cells: Markup  # its value cells, rendered by the value_cell macro
    kind: str = "row"
    pad: int = 0  # empty cells after the figures, where this row has fewer columns than the table


@dataclass
class ShownTable:
    id: str
    caption: str
    head: list[Markup]
    rows: list[ShownRow]
    width: int
    findings: list[ShownFinding]
    present: bool
    html: Markup | None = None  # the table's markup, when made from its skeleton (``Fragments.table``)


def cells_of(finding: dict[str, Any]) -> list[str]:
    """The cells a finding is about: the cell itself, or for a column identity the four
    cells of 一 + 二 = 三（七） + 四."""
    parts = finding["where"].split(".")
    if len(parts) == 3:
        return [finding["where"]]
    if len(parts) == 2 and parts[0] == "applications" and finding["code"] == "BALANCE":
        return [f"applications.{row}.{parts[1]}" for row in _BALANCE_ROWS]
    return []


def _numbered(report: dict[str, Any], year_id: str) -> list[ShownFinding]:
    return [ShownFinding(number=index, code=f["code"], title=CODE_INDEX[f["code"]].title, severity=f["severity"],
                         severity_label=SEVERITY_LABEL[f["severity"]], message=f["message"], where=f["where"],
                         line=f.get("line"), page=f.get("page"), anchor=f"f{year_id}-{index}")
            for index, f in enumerate(report["findings"], start=1)]


def _extras(report: dict[str, Any], table: str) -> dict[str | None, list[dict[str, Any]]]:
    """The report's extra rows of this table, by the row they are sub-rows of (None: none)."""
    found: dict[str | None, list[dict[str, Any]]] = {}
    for extra in report["extra_rows"]:
        if extra["table"] == table:
            found.setdefault(extra["parent"], []).append(extra)
    return found


def _extra_row(extra: dict[str, Any], width: int, fragments: Fragments, year_id: str) -> ShownRow:
    """An extra row ``width`` columns wide (the columns a label from a row above does not cover)."""
    cells = [show(v, False) for v in extra["values"]]
    if not cells and extra["raw"]:
        cells = [Cell(str(extra["raw"]))]
    parent = extra["parent"]
    label = ("└ " if parent else "") + (extra["label"] or "（无标题行）")
    labels = fragments.heads((Head(label, colspan=max(1, width - len(cells)), scope="row"),))
    html = fragments.join([fragments.cell(c.text, c.kind, (), year_id) for c in cells])
    return ShownRow(labels, html, kind="sub" if parent else "extra")


def _spans(layout: TableLayout, below: list[int]) -> list[tuple[Head, ...]]:
    """Each row's label cells, a rowspan stretched over the extra rows shown inside it
    (``below[i]``: the extra rows shown under layout row ``i``)."""
    shown: list[tuple[Head, ...]] = []
    for index, row in enumerate(layout.rows):
        heads = []
        for head in row.labels:
            if head.rowspan > 1:
                covered = index + head.rowspan
                head = replace(head, rowspan=head.rowspan + sum(below[index:covered]))
            heads.append(head)
        shown.append(tuple(heads))
    return shown


def shown_table(layout: TableLayout, report: dict[str, Any], findings: list[ShownFinding], present: bool,
                fragments: Fragments, year_id: str) -> ShownTable:
    """The table as the page shows it. Every row covers the table's columns exactly: a label
    with a rowspan takes its columns from the rows below it (extra rows inside it too), so
    their own cells and padding are counted without them."""
    derived = set(report.get("derived", ()))
    by_cell: dict[str, list[int]] = {}
    mine: list[ShownFinding] = []
    for shown, raw in zip(findings, report["findings"], strict=True):
        if raw["where"].split(".")[0] != layout.id:
            continue
        mine.append(shown)
        for path in cells_of(raw):
            by_cell.setdefault(path, []).append(shown.number)
    values = report[layout.id]
    extras = _extras(report, layout.id)
    key = (id(layout), present)  # layouts are made once (cached)
    if not mine and not extras and fragments.has_table(key):  # the same skeleton as every such table
        return ShownTable(layout.id, layout.caption, [], [], layout.width, [], present,
                          fragments.figures(key, _figure_rows(layout), values, derived, year_id))
    under = [extras.get(row.key.split(".")[1], []) if row.key.count(".") == 1 else [] for row in layout.rows]
    rows: list[ShownRow] = []
    reaching: list[list[int]] = []  # [rows still covered, columns] of labels from rows above

    def covered_row() -> int:
        """Columns taken by labels from rows above in the next row; then one row less for them."""
        taken = sum(columns for _, columns in reaching)
        reaching[:] = [[left - 1, columns] for left, columns in reaching if left > 1]
        return taken

    for row, labels, extra_rows in zip(layout.rows, _spans(layout, [len(e) for e in under]), under, strict=True):
        html = []
        for path, (_, row_key, column) in zip(row.paths, row.parts, strict=True):
            flags = tuple(by_cell[path]) if path in by_cell else ()
            html.append(fragments.value(values.get(row_key, {}).get(column), path in derived, flags, year_id))
        width = covered_row() + row.label_width + len(html)
        reaching.extend([head.rowspan - 1, head.colspan] for head in labels if head.rowspan > 1)
        rows.append(ShownRow(fragments.heads(labels), fragments.join(html), row.kind,
                             pad=max(0, layout.width - width) if html else 0))
        rows.extend(_extra_row(extra, layout.width - covered_row(), fragments, year_id) for extra in extra_rows)
    if extras.get(None):
        rows.append(ShownRow(fragments.heads((Head("附加行：报告在国家表格之外增加的行，原样列出",
                                                   colspan=layout.width, scope="colgroup"),)), Markup(""), "block"))
        rows.extend(_extra_row(extra, layout.width, fragments, year_id) for extra in extras[None])
    head = [fragments.heads(row) for row in layout.head]
    table = ShownTable(layout.id, layout.caption, head, rows, layout.width, mine, present)
    if not mine and not extras:  # the layout's own rows, no flags: the same skeleton in every report
        table.html = fragments.table(key, table, year_id)
    return table


_FIGURE_ROWS: dict[int, tuple[TableLayout, list[FigureRow]]] = {}


def _figure_rows(layout: TableLayout) -> list[FigureRow]:
    """Each row's value cells (``fragments.FigureRow``). Kept by the layout's identity
    (layouts are made once): a frozen dataclass hashes every field of every row, a
    twentieth of the time of rendering a report's tables."""
    found = _FIGURE_ROWS.get(id(layout))
    if found is None or found[0] is not layout:
        rows: list[FigureRow] = []
        for row in layout.rows:
            parts = tuple((path, row_key, column)
                          for path, (_, row_key, column) in zip(row.paths, row.parts, strict=True))
            keys = {row_key for _, row_key, _ in parts}
            rows.append((keys.pop() if len(keys) == 1 else None, tuple(column for _, _, column in parts),
                         tuple(path for path, _, _ in parts), parts))
        found = _FIGURE_ROWS[id(layout)] = (layout, rows)
    return found[1]


@dataclass
class YearView:
    report: dict[str, Any]
    year: int | None
    id: str
    head: Headline
    findings: list[ShownFinding]
    general_findings: list[ShownFinding]
    tables: list[ShownTable]
    charts: list[dict[str, Any]]
    data_url: str  # the agency's data file, this report in it
    source_url: str | None  # the original: the site's copy, the agency's own page, or None
    source_published: bool  # whether source_url is the site's copy
    origin: dict[str, str | None] | None = None  # the official address it was fetched from (``fetched_origin``)
    others: list[dict[str, Any]] = field(default_factory=list)  # other versions of the year: file, url, reason
    chart_html: list[Markup] = field(default_factory=list)  # ``charts`` rendered (``Fragments.chart``)


def year_view(agency: Agency, index: int, report: dict[str, Any], urls: Urls, fragments: Fragments,
              original: tuple[str | None, bool]) -> YearView:
    """Everything the section of the agency's ``index``-th report shows; ``report`` is it whole."""
    year_id = agency.ids[index]
    head = agency.reports[index].head
    findings = _numbered(report, year_id)
    missing = {f["where"] for f in report["findings"] if f["code"] == "TABLE_MISSING"}
    tables = [shown_table(layout, report, findings, layout.id not in missing, fragments, year_id)
              for layout in layouts(report["form"])]
    general = [f for f, raw in zip(findings, report["findings"], strict=True)
               if raw["where"].split(".")[0] not in TABLE_OF]
    year_charts = charts.report_charts(report, year_id, head)
    return YearView(
        report=report, year=report.get("year"), id=year_id, head=head, findings=findings,
        general_findings=general, tables=tables, charts=year_charts,
        data_url=urls.agency_data(agency.slug),
        source_url=original[0], source_published=original[1],
        origin=fetched_origin(agency.reports[index].summary.get("origin")),
        chart_html=[fragments.chart(chart) for chart in year_charts],
    )


_CHINA = dt.timezone(dt.timedelta(hours=8))


def fetched_origin(origin: dict[str, Any] | None) -> dict[str, str | None] | None:
    """The report's 原文链接 as a page shows it: the address, its host, and the day (China
    time) the file was fetched, when the file is still what was fetched."""
    if not origin:
        return None
    day = None
    if origin.get("fetched_at"):
        when = dt.datetime.strptime(origin["fetched_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        day = when.astimezone(_CHINA).date().isoformat()
    return {"url": origin["url"], "host": urllib.parse.urlsplit(origin["url"]).hostname, "fetched": day}


def year_links(agency: Agency, urls: Urls) -> list[tuple[str, str, str]]:
    """(label, report id, URL) for the year switch, newest first."""
    links = []
    for info, report_id in zip(agency.reports, agency.ids, strict=True):
        label = str(info.stated_year) if info.stated_year is not None else "年度未知"
        if "-" in report_id:
            label = f"{label}（{report_id.rsplit('-', 1)[-1]}）"
        if info.stated_year is not None and info.year is None:
            label = f"{label}（年度有误）"
        links.append((label, report_id, urls.agency(agency.slug, report_id)))
    return links
