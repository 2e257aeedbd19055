"""The three tables laid out as the national form lays them out, as plain data for the
templates: header rows with their spans, body rows with label cells and value cells.

Every value cell says how to show itself: a blank is "—" and never 0, a derived value
is marked, and a cell a finding concerns points to that finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
)
from giro_site.numbers import Number


@dataclass(frozen=True)
class Head:
    text: str
    rowspan: int = 1
    colspan: int = 1
    scope: str = "col"
    path: str = ""  # the column's JSON path prefix, for findings about a whole column


@dataclass(frozen=True)
class RowLayout:
    labels: tuple[Head, ...]
    paths: tuple[str, ...]  # one JSON path per value cell
    key: str = ""  # the row's JSON path, for findings about the row
    kind: str = "row"  # row · block (a 第二十条 heading) · header (a block's column names)

    @property
    def parts(self) -> tuple[tuple[str, str, str], ...]:
        return _split_paths(self.paths)

    @property
    def label_width(self) -> int:
        return sum(h.colspan for h in self.labels)


@cache
def _split_paths(paths: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple(tuple(p.split(".")) for p in paths)  # type: ignore[misc]


@dataclass(frozen=True)
class TableLayout:
    id: str
    caption: str
    head: tuple[tuple[Head, ...], ...]
    rows: tuple[RowLayout, ...]
    width: int  # columns in all, labels included


@dataclass
class Cell:
    text: str
    kind: str = ""  # "b": blank (shown "—", never 0) · "d": derived (computed, not stated) · "": stated
    flags: list[int] = field(default_factory=list)  # numbers of the findings about this cell

    @property
    def css(self) -> str:
        return " ".join(filter(None, (self.kind, "f" if self.flags else "")))


def _fmt(value: Number) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def show(value: Number | None, derived: bool) -> Cell:
    if value is None:
        return Cell("—", "b")
    return Cell(_fmt(value), "d" if derived else "")


# --- table 二 --------------------------------------------------------------------------

_BLOCK_TITLES = {"regulations": "第二十条第（一）项", "licensing": "第二十条第（五）项",
                 "penalty": "第二十条第（六）项", "fees": "第二十条第（八）项", "procurement": "第二十条第（九）项"}


@cache
def proactive_layout(form: str) -> TableLayout:
    columns = {c.key: c for c in PROACTIVE_COLUMNS[form]}
    width = 1 + max(len(cols) for _, cols in PROACTIVE_ROWS[form])
    rows: list[RowLayout] = []
    for spec, cols in PROACTIVE_ROWS[form]:
        if spec.key in _BLOCK_TITLES:
            rows.append(RowLayout((Head(_BLOCK_TITLES[spec.key], colspan=width, scope="colgroup"),), (), kind="block"))
            heads = [Head("信息内容"), *(Head(columns[c].label) for c in cols)]
            if len(heads) < width:
                heads[-1] = Head(heads[-1].text, colspan=width - len(heads) + 1)
            rows.append(RowLayout(tuple(heads), (), kind="header"))
        rows.append(RowLayout((Head(spec.label, scope="row"),), tuple(f"proactive.{spec.key}.{c}" for c in cols),
                              key=f"proactive.{spec.key}"))
    return TableLayout("proactive", "二、主动公开政府信息情况", (), tuple(rows), width)


# --- table 三 --------------------------------------------------------------------------

# Table 三's groups of outcome rows and their headings (the comparison page shows them too).
APPLICATION_GROUP_LABELS = (("denied", "（三）不予公开"), ("unable", "（四）无法提供"),
                            ("not_processed", "（五）不予处理"), ("other", "（六）其他处理"))


@cache
def applications_layout(form: str) -> TableLayout:
    leaves = [leaf for _, leaf in APPLICANT_COLUMNS.leaves()]
    head = (
        (Head("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         Head("申请人情况", colspan=7, scope="colgroup")),
        (Head("自然人", rowspan=2, path="applications.natural_person"),
         Head("法人或其他组织", colspan=5, scope="colgroup"), Head("总计", rowspan=2, path="applications.total")),
        tuple(Head(leaf.label, path=f"applications.{leaf.key}") for leaf in leaves[1:-1]),
    )
    keys = [s.key for s in APPLICATION_ROWS if not (form == "2019" and s.key in OTHER_SUBROWS)
            and not (form == "2021" and s.key == "other")]
    labels = {s.key: s.label for s in APPLICATION_ROWS}
    labels["partially_granted"] = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    results = [k for k in keys if k not in {"new_received", "carried_over", "total_processed", "carried_forward"}]
    results.append("total_processed")
    rows: list[RowLayout] = []

    def paths(key: str) -> tuple[str, ...]:
        return tuple(f"applications.{key}.{leaf.key}" for leaf in leaves)

    for key in ("new_received", "carried_over"):
        rows.append(RowLayout((Head(labels[key], colspan=3, scope="row"),), paths(key), key=f"applications.{key}"))
    for index, key in enumerate(results):
        cells: list[Head] = []
        if index == 0:
            cells.append(Head("三、本年度办理结果", rowspan=len(results), scope="rowgroup"))
        group = next((g for g, _ in APPLICATION_GROUP_LABELS if key.startswith(g + "_")), None)
        if group is None:
            cells.append(Head(labels[key], colspan=2, scope="row"))
        else:
            members = [k for k in results if k.startswith(group + "_")]
            if key == members[0]:
                cells.append(Head(dict(APPLICATION_GROUP_LABELS)[group], rowspan=len(members), scope="rowgroup"))
            cells.append(Head(labels[key], scope="row"))
        rows.append(RowLayout(tuple(cells), paths(key), key=f"applications.{key}"))
    rows.append(RowLayout((Head(labels["carried_forward"], colspan=3, scope="row"),), paths("carried_forward"),
                          key="applications.carried_forward"))
    return TableLayout("applications", "三、收到和处理政府信息公开申请情况", head, tuple(rows), 10)


# --- table 四 --------------------------------------------------------------------------

_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@cache
def review_layout() -> TableLayout:
    head = (
        (Head("行政复议", colspan=5, scope="colgroup"), Head("行政诉讼", colspan=10, scope="colgroup")),
        (*(Head(o, rowspan=2, path=f"review_litigation.review.{k}") for o, k in zip(_OUTCOMES, REVIEW_OUTCOMES,
                                                                                  strict=True)),
         Head("未经复议直接起诉", colspan=5, scope="colgroup"), Head("复议后起诉", colspan=5, scope="colgroup")),
        tuple(Head(o, path=f"review_litigation.{g}.{k}") for g in REVIEW_GROUPS[1:]
              for o, k in zip(_OUTCOMES, REVIEW_OUTCOMES, strict=True)),
    )
    paths = tuple(f"review_litigation.{g}.{o}" for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES)
    return TableLayout("review_litigation", "四、政府信息公开行政复议、行政诉讼情况", head,
                       (RowLayout((), paths, key="review_litigation"),), 15)


def layouts(form: str) -> list[TableLayout]:
    return [proactive_layout(form), applications_layout(form), review_layout()]


