"""Chart specs as plain data: plotly figure dicts plus a table that says the same thing.

Plotly's graph objects validate every property of every figure, which costs real time
over thousands of pages; these dicts are what ``go.Figure(...).to_plotly_json()`` would
give, and the tests check them against plotly's validators instead of every build.
Every chart carries a table equivalent for screen readers and for readers without
JavaScript.
"""

from __future__ import annotations

from typing import Any

from giro_site.forms.spec import REVIEW_GROUPS
from giro_site.numbers import Number
from giro_site.site.model import OUTCOME_GROUPS, Agency, Headline, ReportInfo, headline

FONT = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
        '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')
# Colour-blind-safe (Okabe–Ito), dark enough for text contrast on white where used as text.
PALETTE = ("#0072B2", "#56B4E9", "#D55E00", "#E69F00", "#CC79A7", "#999999", "#009E73", "#000000")
APPLICANT_LABELS = (("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
                    ("social_org", "社会公益组织"), ("legal_service", "法律服务机构"), ("other_org", "其他组织"))
REVIEW_LABELS = {"review": "行政复议", "litigation_direct": "直接起诉", "litigation_after_review": "复议后起诉"}
OUTCOME_LABELS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))


_TOP_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom", "traceorder": "normal"}


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    top = 40 if extra.get("showlegend") else 10
    layout = {
        "height": height + top - 10,
        "margin": {"l": 10, "r": 10, "t": top, "b": 30},
        "font": {"family": FONT, "size": 13, "color": "#0b0c0c"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": False,
        "separators": ".,",
    }
    layout.update(extra)
    return layout


def _chart(chart_id: str, title: str, data: list[dict[str, Any]], layout: dict[str, Any],
           head: list[str], rows: list[list[Any]], note: str = "", links: list[str] | None = None) -> dict[str, Any]:
    """A chart, or when every figure is 0 or blank, just its table and a sentence saying so:
    an empty plot with a 0–1 axis would only mislead."""
    values = [v for trace in data for axis in ("x", "y") for v in (trace.get(axis) or [])
              if isinstance(v, int | float) and not isinstance(v, bool)]
    empty = not any(values)
    if values and not empty and max(values) <= 5 and all(float(v).is_integer() for v in values):
        for axis in ("xaxis", "yaxis"):
            if layout.get(axis, {}).get("rangemode") == "tozero":
                layout[axis] = {**layout[axis], "dtick": 1}
    if links:  # a bar leads to its body's page (site.js), and so does its row in the table
        for trace in data:
            trace["customdata"] = links
    return {"id": chart_id, "title": title, "figure": {"data": data, "layout": layout},
            "table": {"head": head, "rows": rows, "links": links or []}, "note": note, "empty": empty}


def _hbar(labels: list[str], values: list[Number | None], color: str) -> dict[str, Any]:
    return {"type": "bar", "orientation": "h", "y": labels, "x": [v or 0 for v in values],
            "marker": {"color": color}, "hovertemplate": "%{y}：%{x}<extra></extra>",
            "text": ["—" if v is None else v for v in values], "textposition": "auto", "cliponaxis": False}


def _horizontal_axes(count: int) -> dict[str, Any]:
    return {"yaxis": {"autorange": "reversed", "automargin": True, "fixedrange": True},
            "xaxis": {"fixedrange": True, "rangemode": "tozero", "automargin": True, "tickformat": ",~r"},
            "height": 60 + 28 * count}


# --- one report --------------------------------------------------------------------------


def outcomes_chart(report: dict[str, Any], suffix: str, head: Headline | None = None) -> dict[str, Any]:
    head = head or headline(report)
    labels = [label for _, label, _ in OUTCOME_GROUPS]
    values = [head.outcomes[key] for key, _, _ in OUTCOME_GROUPS]
    axes = _horizontal_axes(len(labels))
    return _chart(f"outcomes-{suffix}", "申请办理结果（件）", [_hbar(labels, values, PALETTE[0])],
                  _layout(axes.pop("height"), **axes), ["办理结果", "件数"],
                  [[label, value] for label, value in zip(labels, values, strict=True)])


def applicants_chart(report: dict[str, Any], suffix: str) -> dict[str, Any]:
    row = report["applications"]["new_received"]
    labels = [label for _, label in APPLICANT_LABELS]
    values = [row[key] for key, _ in APPLICANT_LABELS]
    axes = _horizontal_axes(len(labels))
    return _chart(f"applicants-{suffix}", "本年新收申请的申请人（件）", [_hbar(labels, values, PALETTE[1])],
                  _layout(axes.pop("height"), **axes), ["申请人", "件数"],
                  [[label, value] for label, value in zip(labels, values, strict=True)])


def review_chart(report: dict[str, Any], suffix: str) -> dict[str, Any]:
    review = report["review_litigation"]
    groups = [REVIEW_LABELS[g] for g in REVIEW_GROUPS]
    data = [
        {"type": "bar", "orientation": "h", "name": label, "y": groups,
         "x": [review[g][key] or 0 for g in REVIEW_GROUPS], "marker": {"color": PALETTE[index]},
         "hovertemplate": f"%{{y}} · {label}：%{{x}}<extra></extra>"}
        for index, (key, label) in enumerate(OUTCOME_LABELS)
    ]
    axes = _horizontal_axes(len(groups))
    layout = _layout(axes.pop("height") + 30, barmode="stack", showlegend=True,
                     legend=_TOP_LEGEND, **axes)
    rows = [[REVIEW_LABELS[g], *(review[g][key] for key, _ in OUTCOME_LABELS), review[g]["total"]]
            for g in REVIEW_GROUPS]
    return _chart(f"review-{suffix}", "行政复议和行政诉讼（件）", data, layout,
                  ["类别", *(label for _, label in OUTCOME_LABELS), "总计"], rows)


def trend_chart(agency: Agency) -> dict[str, Any] | None:
    """Items disclosed, applications and cases over the years, when there are several."""
    infos = sorted((r for r in agency.reports if r.year), key=lambda r: r.year or 0)
    if len(infos) < 2:
        return None
    years = [str(r.year) for r in infos]
    heads = [r.head for r in infos]
    series = (("主动公开信息（条）", [h.items for h in heads]),
              ("新收申请（件）", [h.applications for h in heads]),
              ("复议和诉讼（件）", [None if h.reviews is None and h.lawsuits is None
                               else (h.reviews or 0) + (h.lawsuits or 0) for h in heads]))
    data = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": years, "y": values,
             "line": {"color": PALETTE[index]}, "connectgaps": False,
             "hovertemplate": f"%{{x}}年 · {name}：%{{y}}<extra></extra>"}
            for index, (name, values) in enumerate(series)]
    layout = _layout(280, showlegend=True, legend=_TOP_LEGEND,
                     xaxis={"type": "category", "fixedrange": True},
                     yaxis={"rangemode": "tozero", "fixedrange": True, "automargin": True, "tickformat": ",~r"})
    rows = [[year, *(values[i] for _, values in series)] for i, year in enumerate(years)]
    return _chart("trend", "历年变化", data, layout, ["年度", *(name for name, _ in series)], rows)


def report_charts(report: dict[str, Any], suffix: str, head: Headline | None = None) -> list[dict[str, Any]]:
    return [outcomes_chart(report, suffix, head), applicants_chart(report, suffix), review_chart(report, suffix)]


# --- across agencies -----------------------------------------------------------------------


Entry = tuple[str, ReportInfo, str]  # (agency's display name, one of its reports, that report's page)


def volumes_chart(entries: list[Entry], chart_id: str = "volumes") -> dict[str, Any]:
    """Items proactively disclosed, the agencies that disclosed most."""
    ranked = sorted(((name, info.head.items, url) for name, info, url in entries), key=lambda e: -(e[1] or 0))
    ranked = [e for e in ranked if e[1] is not None]
    labels, values = [n for n, _, _ in ranked], [v for _, v, _ in ranked]
    axes = _horizontal_axes(max(1, len(labels)))
    return _chart(chart_id, "主动公开政府信息条数", [_hbar(labels, values, PALETTE[0])],
                  _layout(axes.pop("height"), **axes), ["机关", "条数"],
                  [[n, v] for n, v, _ in ranked], note="按报告正文所述条数排列；未说明条数的机关不列入。",
                  links=[u for _, _, u in ranked])


def children_chart(children: list[tuple[str, Number, str]], year: int | None, chart_id: str) -> dict[str, Any]:
    """New applications received in each part of a region, in the gazetteer's order."""
    labels, values = [n for n, _, _ in children], [v for _, v, _ in children]
    axes = _horizontal_axes(max(1, len(labels)))
    return _chart(chart_id, f"各下级地区{year or ''}年度新收申请（件）", [_hbar(labels, values, PALETTE[1])],
                  _layout(axes.pop("height"), **axes), ["地区", "件数"], [[n, v] for n, v, _ in children],
                  note="各地区内全部机关该年度报告的新收申请之和；空白不计入。", links=[u for _, _, u in children])


ARTICLE20 = (("规范性文件", ("normative_documents", ("new_published", "issued"))),
             ("行政许可决定", ("licensing", ("decisions",))),
             ("行政处罚决定", ("penalty", ("decisions",))),
             ("行政强制决定", ("coercion", ("decisions",))))


def article20_value(report: dict[str, Any], row: str, columns: tuple[str, ...]) -> Number | None:
    cells = report["proactive"].get(row, {})
    return next((cells[c] for c in columns if c in cells), None)


def article20_chart(entries: list[Entry]) -> dict[str, Any]:
    """第二十条 counts: documents published and decisions disclosed, stacked per agency."""
    names = [n for n, _, _ in entries]
    data = [{"type": "bar", "orientation": "h", "name": label, "y": names,
             "x": [info.summary["article20"][index] or 0 for _, info, _ in entries],
             "marker": {"color": PALETTE[index]},
             "hovertemplate": f"%{{y}} · {label}：%{{x}}<extra></extra>"}
            for index, (label, _) in enumerate(ARTICLE20)]
    axes = _horizontal_axes(max(1, len(names)))
    layout = _layout(axes.pop("height") + 40, barmode="stack", showlegend=True,
                     legend=_TOP_LEGEND, **axes)
    rows = [[n, *info.summary["article20"]] for n, info, _ in entries]
    return _chart("article20", "第二十条主动公开数量", data, layout, ["机关", *(label for label, _ in ARTICLE20)], rows,
                  note="规范性文件：2019年版为本年新公开数量，2021年版为本年制发件数。",
                  links=[u for _, _, u in entries])


def outcome_shares_chart(entries: list[Entry]) -> dict[str, Any]:
    """Share of each outcome of the applications each agency processed (100% stacked)."""
    rows: list[list[Any]] = []
    shares: dict[str, list[float]] = {key: [] for key, _, _ in OUTCOME_GROUPS}
    names: list[str] = []
    links: list[str] = []
    for name, info, url in entries:
        head = info.head
        if not head.processed:
            continue
        names.append(name)
        links.append(url)
        row: list[Any] = [name]
        for key, _, _ in OUTCOME_GROUPS:
            share = round(100 * (head.outcomes[key] or 0) / head.processed, 1)
            shares[key].append(share)
            row.append(f"{share}%")
        rows.append(row)
    data = [{"type": "bar", "orientation": "h", "name": label, "y": names, "x": shares[key],
             "marker": {"color": PALETTE[index]}, "hovertemplate": f"%{{y}} · {label}：%{{x}}%<extra></extra>"}
            for index, (key, label, _) in enumerate(OUTCOME_GROUPS)]
    axes = _horizontal_axes(max(1, len(names)))
    axes["xaxis"] = {**axes["xaxis"], "range": [0, 100], "ticksuffix": "%"}
    layout = _layout(axes.pop("height") + 40, barmode="stack", showlegend=True,
                     legend=_TOP_LEGEND, **axes)
    return _chart("outcome-shares", "申请办理结果构成", data, layout,
                  ["机关", *(label for _, label, _ in OUTCOME_GROUPS)], rows,
                  note="各项办理结果占本年办理申请总数的比例；未办理申请的机关不列入。", links=links)
