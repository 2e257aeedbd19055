"""A report as third-party PDF-to-Markdown and OCR tools write it, built from the form's facts.

Converters write every table as a Markdown (pipe) table whose rule declares its columns,
but they are untidy at the edges of rows, and with tall label cells:

* ``edge``: data rows gain an empty cell at their end (``| 32 | … | 34 | |``) or their
  start, or lose their empty label cells (a label merged across columns);
* ``floating``: table 三's labels stand on a line of their own above a row of figures with
  no label cell (``labels_below``: under it instead, which no reader can join for certain);
* ``style``: any of these, and label variants and spaces, chosen row by row;
* ``split_review``: table 四 as three tables of five columns, one per group, the group
  named in each table's first row;
* ``split_applications``: table 三 cut into blocks after the given rows, each later block
  headed by a converter's placeholder row (``数据1 … 数据10``) or by a repeat of the first
  block's column header.

``expected_cells`` is what a reader must give for every cell: the report's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from giro_site.bench.synth import SynthReport
from giro_site.forms.spec import (
    APPLICANT_KEYS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
)
from giro_site.numbers import Number

LABEL_COLUMNS = 3  # table 三: 三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密
VALUE_COLUMNS = len(APPLICANT_KEYS)
WIDE = LABEL_COLUMNS + VALUE_COLUMNS
_GROUPS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理",
           "other": "（六）其他处理"}
_BLOCKS = {"2019": ("（一）", "（五）", "（六）", "（八）", "（九）"), "2021": ("（一）", "（五）", "（六）", "（八）")}


def fmt(value: Number | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def rule(count: int) -> str:
    return "|" + "---|" * count


def _proactive(report: SynthReport) -> list[str]:
    columns = {c.key: c for c in PROACTIVE_COLUMNS[report.form]}
    lines = [pipe(["第二十条第（一）项", "", "", ""]), rule(4)]
    for number, (spec, keys) in enumerate(PROACTIVE_ROWS[report.form]):
        block = _block_of(report.form, spec.key)
        if number and block != _block_of(report.form, PROACTIVE_ROWS[report.form][number - 1][0].key):
            lines.append(pipe([f"第二十条第{_BLOCKS[report.form][block]}项", "", "", ""]))
        if number == 0 or block != _block_of(report.form, PROACTIVE_ROWS[report.form][number - 1][0].key):
            names = [columns[k].label for k in keys]
            lines.append(pipe(["信息内容", *names, *[""] * (3 - len(keys))]))
        values = [fmt(report.proactive[spec.key][k]) for k in keys]
        lines.append(pipe([spec.label, *values, *[""] * (3 - len(keys))]))
    return lines


def _block_of(form: str, key: str) -> int:
    blocks = {"2019": (("regulations", "normative_documents"), ("licensing", "other_services"),
                       ("penalty", "coercion"), ("fees",), ("procurement",)),
              "2021": (("regulations", "normative_documents"), ("licensing",), ("penalty", "coercion"),
                       ("fees",))}[form]
    return next(i for i, keys in enumerate(blocks) if key in keys)


def _application_rows(report: SynthReport) -> list[tuple[list[str], str]]:
    """(label cells, row key) of table 三 in order: the form's rows of this report's form."""
    left_out = set(OTHER_SUBROWS) if report.form == "2019" else {"other"}
    rows: list[tuple[list[str], str]] = []
    seen: set[str] = set()
    for spec in APPLICATION_ROWS:
        if spec.key in left_out:
            continue
        prefix = next((g for g in _GROUPS if spec.key.startswith(g + "_")), None)
        if prefix is None:
            first = "三、本年度办理结果" if spec.key == "granted" else ""
            alone = spec.key in ("new_received", "carried_over", "carried_forward")
            labels = [spec.label] if alone else [first, spec.label]
        else:
            labels = ["", "" if prefix in seen else _GROUPS[prefix], spec.label]
            seen.add(prefix)
        rows.append((labels, spec.key))
    return rows


_RULE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICATION_HEADER = [
    [_RULE_NOTE, "", "", "申请人情况", "", "", "", "", "", ""],
    ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
]


@dataclass(frozen=True)
class RowStyle:
    """How a converter writes one row of table 三: empty cells added at its start and end,
    its label cells (``inline`` padded to the label columns, ``merged`` without the empty
    ones, ``floating`` on a line of its own above the figures, ``below`` under them), and
    the label as written (``label``: a variant of the form's, or None for the form's own)."""

    lead: int = 0
    trail: int = 0
    labels: str = "inline"
    label: Callable[[str], str] | None = None
    pad: str = ""  # spaces around each cell's text
    trim: bool = False  # empty cells at the row's end left out, as Markdown allows


def _applications(report: SynthReport, style: Callable[[int], RowStyle], split_after: tuple[int, ...],
                  split_header: str) -> list[str]:
    lines = [pipe(_APPLICATION_HEADER[0]), rule(WIDE), *(pipe(r) for r in _APPLICATION_HEADER[1:])]
    for number, (labels, key) in enumerate(_application_rows(report)):
        if number in split_after:
            lines.append("")
            lines.append("")
            if split_header == "placeholder":
                lines += [pipe([f"数据{i}" for i in range(1, WIDE + 1)]), rule(WIDE)]
            else:
                lines += [pipe(_APPLICATION_HEADER[2]), rule(WIDE)]
        way = style(number)
        written = [way.label(text) if way.label and text else text for text in labels]
        values = [way.pad + fmt(report.applications[key][c]) + way.pad for c in APPLICANT_KEYS]
        edges = ([""] * way.lead, [""] * way.trail)
        if way.labels in ("floating", "below"):
            label_line = next(text for text in reversed(written) if text)
            group = written[1] if len(written) == 3 and written[1] else None
            if group:
                lines.append(group)
            cells = edges[0] + values + edges[1]
            while way.trim and cells and not cells[-1].strip():
                cells.pop()
            figures = pipe(cells)
            lines += [figures, label_line] if way.labels == "below" else [label_line, figures]
            continue
        if way.labels == "merged":
            cells = [text for text in written if text]
        else:
            cells = written + [""] * (LABEL_COLUMNS - len(written))
        row = edges[0] + cells + values + edges[1]
        while way.trim and row and not row[-1].strip():
            row.pop()
        lines.append(pipe(row))
    return lines


def _review(report: SynthReport, split: bool) -> list[str]:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    if not split:
        return [pipe(["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]), rule(15),
                pipe(["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""]),
                pipe(outcomes * 3),
                pipe([fmt(report.review[g][o]) for g in REVIEW_GROUPS for o in REVIEW_OUTCOMES])]
    titles = {"review": "行政复议", "litigation_direct": "行政诉讼：未经复议直接起诉",
              "litigation_after_review": "行政诉讼：复议后起诉"}
    lines: list[str] = []
    for group in REVIEW_GROUPS:
        lines += [pipe([titles[group], "", "", "", ""]), rule(5), pipe(outcomes),
                  pipe([fmt(report.review[group][o]) for o in REVIEW_OUTCOMES]), "", ""]
    return lines


def to_markdown(report: SynthReport, *, edge: str = "none", floating: bool = False, labels_below: bool = False,
                split_review: bool = False, split_after: tuple[int, ...] = (),
                split_header: str = "placeholder", style: Callable[[int], RowStyle] | None = None) -> str:
    """The report as a converter's Markdown (see the module's docstring); ``style`` sets
    each row of table 三's way (by its number), else ``edge`` and the label flags all rows'."""
    if style is None:
        same = RowStyle(lead=int(edge == "lead"), trail=int(edge == "trail"),
                        labels="below" if labels_below else "floating" if floating
                        else "merged" if edge == "merged" else "inline")
        style = lambda number: same  # noqa: E731
    name = f"{report.region or ''}{report.agency}"
    lines = [f"# {name}{report.year}年政府信息公开工作年度报告", "", "## 一、总体情况", "",
             f"{report.year}年，本机关全年主动公开政府信息{report.proactive_items or 0}条。", "",
             "## 二、主动公开政府信息情况", "", *_proactive(report), "",
             "## 三、收到和处理政府信息公开申请情况", "",
             *_applications(report, style, split_after, split_header), "",
             "## 四、政府信息公开行政复议、行政诉讼情况", "", *_review(report, split_review), "",
             "## 五、存在的主要问题及改进情况", "", "下一步将加强培训，完善制度。", "",
             "## 六、其他需要报告的事项", "", "无。", ""]
    return "\n".join(lines)


def expected_cells(report: SynthReport) -> dict[str, dict[str, dict[str, Any]]]:
    """Every cell of the three tables as a right reading gives it (the 2021 form's （六） is
    the sum of its three rows, which the form derives)."""
    out = {"proactive": {k: dict(v) for k, v in report.proactive.items()},
           "applications": {k: dict(v) for k, v in report.applications.items()},
           "review_litigation": {k: dict(v) for k, v in report.review.items()}}
    return out


def compare(report: dict[str, Any], expected: dict[str, dict[str, dict[str, Any]]]
            ) -> tuple[list[str], list[str]]:
    """(cells with another figure than the report's, cells left blank) as ``table.row.column``."""
    wrong: list[str] = []
    blank: list[str] = []
    for table, rows in expected.items():
        for row, columns in rows.items():
            for column, value in columns.items():
                got = report[table].get(row, {}).get(column)
                path = f"{table}.{row}.{column}"
                if got is None and value is not None:
                    blank.append(path)
                elif got != value:
                    wrong.append(f"{path}: {got!r} for {value!r}")
    return wrong, blank


# --- the same converter output as a web page or a Word document -----------------------------

def _blocks(markdown: str) -> list[tuple[str, list[list[str]] | str]]:
    """The Markdown as ("p", text) and ("table", rows) blocks: a label line between a
    table's rows is a row of its own, as a converter writing a table would make it."""
    blocks: list[tuple[str, list[list[str]] | str]] = []
    rows: list[list[str]] | None = None
    for line in markdown.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|"):
            if set(stripped) <= set("|-: "):
                continue
            rows = rows if rows is not None else []
            rows.append([cell.strip() for cell in stripped.strip("|").split("|")])
            continue
        if stripped and rows is not None and not stripped.startswith("#"):
            rows.append([stripped])
            continue
        if rows is not None:
            blocks.append(("table", rows))
            rows = None
        if stripped:
            blocks.append(("p", stripped.lstrip("# ")))
    if rows is not None:
        blocks.append(("table", rows))
    return blocks


def markdown_to_html(markdown: str) -> bytes:
    """The converter's tables as ``<table>``s, cell for cell (a label line a row with one
    cell across the table)."""
    import html

    out = ['<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div class="article">']
    for kind, content in _blocks(markdown):
        if kind == "p":
            out.append(f"<p>{html.escape(str(content))}</p>")
            continue
        width = max(len(row) for row in content)  # type: ignore[union-attr]
        out.append('<table border="1">')
        for row in content:  # type: ignore[union-attr]
            span = f' colspan="{width}"' if len(row) == 1 and width > 1 else ""
            out.append("<tr>" + "".join(f"<td{span}>{html.escape(cell)}</td>" for cell in row) + "</tr>")
        out.append("</table>")
    out.append("</div></body></html>")
    return "\n".join(out).encode("utf-8")


def markdown_to_docx(markdown: str) -> bytes:
    """The converter's tables as Word tables, cell for cell."""
    from xml.sax.saxutils import escape

    from tests.writers import docx_package, docx_paragraph

    body: list[str] = []
    for kind, content in _blocks(markdown):
        if kind == "p":
            body.append(docx_paragraph(str(content)))
            continue
        width = max(len(row) for row in content)  # type: ignore[union-attr]
        body.append("<w:tbl><w:tblPr/><w:tblGrid>" + '<w:gridCol w:w="900"/>' * width + "</w:tblGrid>")
        for row in content:  # type: ignore[union-attr]
            span = f'<w:gridSpan w:val="{width}"/>' if len(row) == 1 and width > 1 else ""
            cells = (f"<w:tc><w:tcPr>{span}</w:tcPr><w:p><w:r><w:t>{escape(cell)}</w:t></w:r></w:p></w:tc>"
                     for cell in row)
            body.append("<w:tr>" + "".join(cells) + "</w:tr>")
        body.append("</w:tbl><w:p/>")
    return docx_package("".join(body))
