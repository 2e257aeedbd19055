"""Charts as tables: each chart is a data table on the page (what screen readers and readers
without JavaScript get) plus its kind; the page's script draws it as SVG from the table
(``assets/js/chart.js``), so no figure repeats the table's numbers in the page.

Kinds: ``bars`` (one series, horizontal), ``stack`` (one horizontal bar per row, a segment per
column), ``shares`` (the same, in per cent of the row) and ``lines`` (a line per column over
the rows); a test checks chart.js draws every kind a page names. A chart whose figures are all
0 or blank shows only its table and a sentence saying so: an empty plot with a 0–1 axis would
only mislead.
"""

from __future__ import annotations

from typing import Any

from giro_site.forms.spec import REVIEW_GROUPS
from giro_site.numbers import Number
from giro_site.site.model import OUTCOME_GROUPS, Agency, Headline, ReportInfo, headline
from giro_site.site.tables import TableLayout, applications_layout, review_layout

# The font and palette of every chart: chart.js draws with the same (a test checks), compare.js
# gets them from the compare page's labels (``listing.compare_labels``).
FONT = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
        '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')
# Colour-blind-safe (Okabe–Ito), dark enough for text contrast on white where used as text.
PALETTE = ("#0072B2", "#56B4E9", "#D55E00", "#E69F00", "#CC79A7", "#999999", "#009E73", "#000000")
APPLICANT_LABELS = (("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
                    ("social_org", "社会公益组织"), ("legal_service", "法律服务机构"), ("other_org", "其他组织"))
REVIEW_LABELS = {"review": "行政复议", "litigation_direct": "直接起诉", "litigation_after_review": "复议后起诉"}
OUTCOME_LABELS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))


Row = list[Any]  # a category's label, then its figures (None: blank)


def _chart(chart_id: str, kind: str, title: str, head: list[str], rows: list[Row], *, note: str = "",
           color: int = 0, suffix: str = "", links: list[str] | None = None,
           source: dict[str, Any] | None = None, approximate: list[list[int]] | None = None) -> dict[str, Any]:
    """A chart: its table (head, rows) and how to draw it; ``color`` is the first series' place
    in the palette, ``suffix`` follows every figure (shares: "%"), ``links`` are the pages the
    rows are about (each row's label links there, and so does its bar). With ``source`` the
    figures are already in a form table on the page (``_from_form``): the page shows no table
    of its own, only where that one is. ``approximate`` lists the [row, column] of figures the
    reports give only approximately: their cells read "约1,200", and so do the chart's tips."""
    empty = not any(v for row in rows for v in row[1:] if isinstance(v, int | float) and not isinstance(v, bool))
    return {"id": chart_id, "kind": kind, "title": title,
            "table": {"head": head, "rows": rows, "links": links or [], "approximate": approximate or []},
            "note": note, "empty": empty, "color": color, "suffix": suffix, "source": source}


# --- one report --------------------------------------------------------------------------


def outcomes_chart(report: dict[str, Any], suffix: str, head: Headline | None = None) -> dict[str, Any]:
    """Each outcome group: the sum of its rows the report states; a group with blank rows says so."""
    head = head or headline(report)
    partial = [label for key, label, rows in OUTCOME_GROUPS
               if len(rows) > 1 and head.outcomes[key] is not None and not head.complete.get(key, True)]
    note = f"{'、'.join(partial)}有空白的行，只计填写了数字的行。" if partial else ""
    return _chart(f"outcomes-{suffix}", "bars", "申请办理结果（件）", ["办理结果", "件数"],
                  [[label, head.outcomes[key]] for key, label, _ in OUTCOME_GROUPS], note=note)


def _from_form(table: TableLayout, suffix: str, categories: list[str], series: list[str],
               paths: list[list[str]]) -> dict[str, Any]:
    """Where a chart whose figures are in a form table on the same page finds them: that
    table's first row, the cell of ``paths[i][j]`` for category i and series j."""
    row = table.rows[0].paths
    return {"table": f"t-{suffix}-{table.id}", "categories": categories, "series": series,
            "cells": [row.index(path) for line in paths for path in line]}


def applicants_chart(report: dict[str, Any], suffix: str) -> dict[str, Any]:
    """New applications by applicant: drawn from the first row of table 三, not repeated."""
    row = report["applications"]["new_received"]
    labels = [label for _, label in APPLICANT_LABELS]
    source = _from_form(applications_layout(report["form"]), suffix, labels, ["件数"],
                        [[f"applications.new_received.{key}"] for key, _ in APPLICANT_LABELS])
    return _chart(f"applicants-{suffix}", "bars", "本年新收申请的申请人（件）", ["申请人", "件数"],
                  [[label, row[key]] for key, label in APPLICANT_LABELS], color=1, source=source)


def review_chart(report: dict[str, Any], suffix: str) -> dict[str, Any]:
    """Reviews and lawsuits by outcome: drawn from table 四, not repeated."""
    review = report["review_litigation"]
    series = [label for _, label in OUTCOME_LABELS]
    source = _from_form(review_layout(), suffix, [REVIEW_LABELS[g] for g in REVIEW_GROUPS], series,
                        [[f"review_litigation.{g}.{key}" for key, _ in OUTCOME_LABELS] for g in REVIEW_GROUPS])
    return _chart(f"review-{suffix}", "stack", "行政复议和行政诉讼（件）", ["类别", *series],
                  [[REVIEW_LABELS[g], *(review[g][key] for key, _ in OUTCOME_LABELS)] for g in REVIEW_GROUPS],
                  source=source)


def trend_chart(agency: Agency) -> dict[str, Any] | None:
    """Items disclosed, applications and cases over the years, when there are several."""
    infos = sorted((r for r in agency.reports if r.year), key=lambda r: r.year or 0)
    if len(infos) < 2:
        return None
    rows = [[str(r.year), r.head.items, r.head.applications, r.head.cases] for r in infos]
    return _chart("trend", "lines", "历年变化", ["年度", "主动公开信息（条）", "新收申请（件）", "复议和诉讼（件）"],
                  rows, approximate=[[i, 1] for i, r in enumerate(infos) if r.head.items_approximate])



def report_charts(report: dict[str, Any], suffix: str, head: Headline | None = None) -> list[dict[str, Any]]:
    return [outcomes_chart(report, suffix, head), applicants_chart(report, suffix), review_chart(report, suffix)]


# --- across agencies -----------------------------------------------------------------------


Entry = tuple[str, ReportInfo, str]  # (agency's display name, one of its reports, that report's page)


def volumes_chart(entries: list[Entry], chart_id: str = "volumes") -> dict[str, Any]:
    """Items proactively disclosed, the agencies that disclosed most."""
    ranked = sorted(((name, info.head, url) for name, info, url in entries if info.head.items is not None),
                    key=lambda e: -(e[1].items or 0))
    return _chart(chart_id, "bars", "主动公开政府信息条数", ["机关", "条数"], [[n, h.items] for n, h, _ in ranked],
                  note="按报告正文所述条数排列；未说明条数的机关不列入；“约”表示报告所说是约数。",
                  links=[u for _, _, u in ranked],
                  approximate=[[i, 1] for i, (_, h, _) in enumerate(ranked) if h.items_approximate])


def children_chart(children: list[tuple[str, Number, str]], year: int | None, chart_id: str) -> dict[str, Any]:
    """New applications received in each part of a region, in the gazetteer's order."""
    return _chart(chart_id, "bars", f"各下级地区{year or ''}年度新收申请（件）", ["地区", "件数"],
                  [[n, v] for n, v, _ in children], color=1, links=[u for _, _, u in children],
                  note="各地区内全部机关该年度报告的新收申请之和；空白不计入。地区名后括号内为填写了新收申请数的机关数/"
                       "该年度有报告的机关数（不是全部填写时）。")


ARTICLE20 = (("规范性文件", ("normative_documents", ("new_published", "issued"))),
             ("行政许可决定", ("licensing", ("decisions",))),
             ("行政处罚决定", ("penalty", ("decisions",))),
             ("行政强制决定", ("coercion", ("decisions",))))


def article20_value(report: dict[str, Any], row: str, columns: tuple[str, ...]) -> Number | None:
    cells = report["proactive"].get(row, {})
    return next((cells[c] for c in columns if c in cells), None)


def article20_chart(entries: list[Entry]) -> dict[str, Any]:
    """第二十条 counts: documents published and decisions disclosed, stacked per agency."""
    return _chart("article20", "stack", "第二十条主动公开数量", ["机关", *(label for label, _ in ARTICLE20)],
                  [[n, *info.summary["article20"]] for n, info, _ in entries], links=[u for _, _, u in entries],
                  note="规范性文件：2019年版为本年新公开数量，2021年版为本年制发件数。")


def outcome_shares_chart(entries: list[Entry]) -> dict[str, Any]:
    """Share of each outcome of the applications each agency processed (100% stacked). A group
    with a blank row has no share (its sum is not known), nor has any group where the total
    processed is not known: such a bar stops short of 100%, and its table shows "—"."""
    shown = [(name, info.head, url) for name, info, url in entries if info.head.processed]
    rows = [[name, *(round(100 * head.outcomes[key] / head.processed, 1)  # type: ignore[operator]
                     if head.outcomes[key] is not None and head.complete.get(key) else None
                     for key, _, _ in OUTCOME_GROUPS)]
            for name, head, _ in shown]
    return _chart("outcome-shares", "shares", "申请办理结果构成", ["机关", *(label for _, label, _ in OUTCOME_GROUPS)],
                  rows, suffix="%", links=[u for _, _, u in shown],
                  note="各项办理结果占本年办理申请总数的比例；未办理申请或办理总数不详的机关不列入；"
                       "某项有空白的行时，该项比例不详（“—”），不按0计。")
