"""The data dictionary: every column of every download, in one place.

Two kinds of entries, both made from what the code already knows rather than a hand-kept copy:

* the cells of the form's three tables (the wide CSV's ``table.row.column`` columns): their
  labels as the forms print them, from ``forms.spec`` and the page layouts of ``site.tables``;
  their unit; the forms they exist in; and where each is in SQLite (table, ``row_key``, column);
* the fields of the tables (the CSV's report columns, every SQLite table's columns): their
  meaning, type and unit, written here once.

The downloads (``site.downloads.formats``) take their columns from here, the published
``data/dictionary.csv``, the dictionary page, the SQLite ``dictionary`` table and Datasette's
``metadata.json`` are all written from it, and the tests check that nothing in a download is
missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from giro_site.findings import SEVERITY_LABEL
from giro_site.forms.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_KEYS,
    APPLICATION_ROWS,
    FORMS,
    PROACTIVE_COLUMNS,
    PROACTIVE_ROWS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    ColumnGroup,
)
from giro_site.site.tables import TableLayout, applications_layout, proactive_layout

INTEGER, REAL, TEXT = "INTEGER", "REAL", "TEXT"


@dataclass(frozen=True)
class Column:
    field: str  # the stable key: a CSV header (``year``, ``applications.new_received.total``) or ``table.column``
    sqlite_table: str  # the SQLite table holding it ("" for none)
    sqlite_column: str
    sqlite_row_key: str  # for a form cell: the row_key of its row in that table
    form_table: str  # the form's table, row and column as the forms print them (cells only)
    form_row: str
    form_column: str
    unit: str  # 件 · 项 · 条 · 万元 · 个 · "" (text, codes)
    forms: str  # the forms it exists in: "2019", "2021" or "2019、2021"
    type: str  # INTEGER · REAL · TEXT
    description: str  # what it is, in Chinese

    @property
    def in_csv(self) -> bool:
        return "." not in self.field or self.field.count(".") == 2

    def label(self) -> str:
        """A one-line description with the unit, for Datasette and the SQLite table."""
        unit = f"（单位：{self.unit}）" if self.unit else ""
        return f"{self.description}{unit}"


# --- the form's cells ---------------------------------------------------------------------

TABLE_CAPTIONS = {"proactive": "二、主动公开政府信息情况", "applications": "三、收到和处理政府信息公开申请情况",
                  "review_litigation": "四、政府信息公开行政复议、行政诉讼情况"}
PROACTIVE_UNITS = {"new_made": "件", "new_published": "件", "total_published": "件", "issued": "件",
                   "repealed": "件", "in_force": "件", "previous": "项", "change": "项", "decisions": "件",
                   "projects": "项", "amount_wan_yuan": "万元"}


def _joined(labels: list[str]) -> str:
    """Labels that differ between the forms, each with its form (the same label once)."""
    unique = list(dict.fromkeys(labels))
    return unique[0] if len(unique) == 1 else "；".join(f"{form}年版：{label}" for form, label in
                                                        zip(FORMS, labels, strict=True))


def _proactive_cells() -> list[Column]:
    labels: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for form in FORMS:
        columns = {c.key: c.label for c in PROACTIVE_COLUMNS[form]}
        blocks = _block_titles(proactive_layout(form))
        for spec, keys in PROACTIVE_ROWS[form]:
            for column in keys:
                labels.setdefault((spec.key, column), {})[form] = (f"{blocks[spec.key]} {spec.label}", columns[column])
    cells = []
    for (row, column), by_form in labels.items():
        forms = [f for f in FORMS if f in by_form]
        cells.append(_cell("proactive", row, column, [by_form[f][0] for f in forms], [by_form[f][1] for f in forms],
                           PROACTIVE_UNITS[column], forms, REAL if column == "amount_wan_yuan" else INTEGER))
    return cells


def _block_titles(layout: TableLayout) -> dict[str, str]:
    """Row key → the 第二十条 item it is listed under, as the page shows it."""
    titles, current = {}, ""
    for row in layout.rows:
        if row.kind == "block":
            current = row.labels[0].text
        elif row.key:
            titles[row.key.split(".", 1)[1]] = current
    return titles


def _application_rows(form: str) -> dict[str, str]:
    """Row key → its label with the labels of the groups it is in (三、本年度办理结果 （三）不予公开 …)."""
    rows: dict[str, str] = {}
    groups: list[tuple[str, int]] = []  # open row-group labels and the rows they still span
    for row in applications_layout(form).rows:
        groups = [(text, left) for text, left in groups if left > 0]
        own = []
        for head in row.labels:
            if head.scope == "rowgroup":
                groups.append((head.text, head.rowspan))
            else:
                own.append(head.text)
        rows[row.key.split(".", 1)[1]] = " ".join([text for text, _ in groups] + own)
        groups = [(text, left - 1) for text, left in groups]
    return rows


def _group_labels(group: ColumnGroup) -> dict[str, str]:
    """Leaf key → its header with the headers above it (申请人情况 法人或其他组织 商业企业)."""
    return {leaf.key: " ".join([*_phrases(group, path), leaf.label]) for path, leaf in group.leaves()}


def _phrases(group: ColumnGroup, path: tuple[str, ...]) -> list[str]:
    names: dict[str, str] = {}

    def walk(node: ColumnGroup) -> None:
        names[node.key] = node.phrases[0] if node.phrases else ""
        for child in node.children:
            if isinstance(child, ColumnGroup):
                walk(child)

    walk(group)
    return [names[key] for key in path if names.get(key)]


def _application_cells() -> list[Column]:
    per_form = {form: _application_rows(form) for form in FORMS}
    # In the 2021 form （六）其他处理 heads its three sub-rows; the JSON gives it their sum.
    per_form["2021"]["other"] = per_form["2019"]["other"] + "（其下三项之和）"
    columns = _group_labels(APPLICANT_COLUMNS)
    cells = []
    for row in (spec.key for spec in APPLICATION_ROWS):
        forms = [f for f in FORMS if row in per_form[f]]
        for column in APPLICANT_KEYS:
            cells.append(_cell("applications", row, column, [per_form[f][row] for f in forms],
                               [columns[column]] * len(forms), "件", forms, INTEGER))
    return cells


def _review_cells() -> list[Column]:
    groups = {path[-1]: " ".join(_phrases(REVIEW_COLUMNS, path)) for path, _ in REVIEW_COLUMNS.leaves()}
    outcomes = {leaf.key: leaf.label for _, leaf in REVIEW_COLUMNS.leaves()}
    return [_cell("review_litigation", group, outcome, [groups[group]] * 2, [outcomes[outcome]] * 2, "件",
                  list(FORMS), INTEGER) for group in REVIEW_GROUPS for outcome in REVIEW_OUTCOMES]


def _cell(table: str, row: str, column: str, row_labels: list[str], column_labels: list[str], unit: str,
          forms: list[str], kind: str) -> Column:
    row_label, column_label = _joined(row_labels), _joined(column_labels)
    return Column(field=f"{table}.{row}.{column}", sqlite_table=table, sqlite_column=column, sqlite_row_key=row,
                  form_table=TABLE_CAPTIONS[table], form_row=row_label, form_column=column_label, unit=unit,
                  forms="、".join(forms), type=kind,
                  description=f"表{TABLE_CAPTIONS[table][0]} {row_label} · {column_label}")


@cache
def cells() -> tuple[Column, ...]:
    """Every cell of the form's tables, in the forms' order: the wide CSV's figure columns."""
    return tuple(_proactive_cells() + _application_cells() + _review_cells())


# --- the fields of the tables -------------------------------------------------------------

BLANK = "空白单元格为空值（NULL），不等于0。"
_QUALITY = "数据质量：ok（数据自洽）、warning（有提示）、error（有错误）"
_SEVERITY = "、".join(f"{code}（{label}）" for code, label in SEVERITY_LABEL.items())

# (key, type, unit, description): the report-level fields, the wide CSV's first columns and
# the SQLite ``reports`` table's, in this order.
REPORT_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("id", INTEGER, "", "报告编号：由报告文件的路径算出，历次生成不变，各表以 report_id 对应"),
    ("body", TEXT, "", "机关名称（本站所用，全站唯一；同名机关前加地区）"),
    ("agency", TEXT, "", "机关名称（报告自称）"),
    ("province", TEXT, "", "机关所在省级行政区"),
    ("city", TEXT, "", "机关所在地级行政区"),
    ("county", TEXT, "", "机关所在县级行政区"),
    ("township", TEXT, "", "机关所在乡级行政区（乡、镇、街道）"),
    ("level", TEXT, "", "机关层级：省、市、县、乡镇街道或部门"),
    ("region", TEXT, "", "地区（本站显示的地区，或报告所写的地区）"),
    ("region_code", TEXT, "", "机关所在行政区的统计用区划代码"),
    ("year", INTEGER, "年", "报告年度"),
    ("form", TEXT, "", "报告所用国家表格的版本：2019 或 2021"),
    ("quality", TEXT, "", _QUALITY),
    ("errors", INTEGER, "个", "核对发现的错误数"),
    ("warnings", INTEGER, "个", "核对发现的提示数"),
    ("proactive_items", INTEGER, "条", "全年主动公开政府信息条数（出自报告正文；未说明的为空值）"),
    ("proactive_items_approximate", INTEGER, "", "主动公开条数是否为约数：1 是（报告写“约”“余”“超过”等），0 否；"
                                                 "条数为空值时为空值"),
    ("denied_total", INTEGER, "件", "表三（三）不予公开：其下8项“总计”列中已填写的数字之和（国家表格没有这一小计行；"
                                   "8项都空白时为空值）"),
    ("denied_complete", INTEGER, "", "（三）不予公开的8项是否都已填写：1 是（denied_total 即不予公开的总数），"
                                     "0 否（有空白，denied_total 只是已填写的部分，不宜直接相加比较）"),
    ("unable_total", INTEGER, "件", "表三（四）无法提供：其下3项“总计”列中已填写的数字之和（3项都空白时为空值）"),
    ("unable_complete", INTEGER, "", "（四）无法提供的3项是否都已填写：1 是，0 否（unable_total 只是已填写的部分）"),
    ("not_processed_total", INTEGER, "件", "表三（五）不予处理：其下5项“总计”列中已填写的数字之和"
                                          "（5项都空白时为空值）"),
    ("not_processed_complete", INTEGER, "", "（五）不予处理的5项是否都已填写：1 是，0 否"
                                            "（not_processed_total 只是已填写的部分）"),
    ("granted_share", REAL, "", "公开比例（0–1）：（一）予以公开与（二）部分公开之和占（七）总计的比例；"
                                "（七）总计空白时用（一）至（六）各项之和（须各项都已填写）；"
                                "所需数字有空白、或办理总数为0时为空值"),
    ("granted_share_complete", INTEGER, "", "算公开比例所需的数字是否都已填写：1 是，0 否（granted_share 为空值）"),
    ("extra_rows", INTEGER, "个", "国家表格以外的附加行数"),
    ("page_url", TEXT, "", "本站上这份报告的页面"),
    ("source_url", TEXT, "", "原始报告的网址：维护者在 agencies.toml 中填写的机关发布页面，"
                             "否则为下载报告时记下的原文网址，都没有时为本站保存的副本"),
    ("fetched_at", TEXT, "", "报告文件从原文网址下载的时间（UTC，ISO 8601）；"
                             "不是用 fetch 下载的、或下载后改动过的为空值"),
    ("source_file", TEXT, "", "原始报告文件在本站内容中的路径"),
    ("source_format", TEXT, "", "原始报告文件的格式：txt、html、docx"),
    ("sha256", TEXT, "", "原始报告文件的 SHA-256 校验和"),
)

_REPORT_ID = ("report_id", INTEGER, "", "报告编号，对应 reports 表的 id")
_DERIVED = ("derived", TEXT, "", "这一行中由细分行合计得出、报告未直接填写的列（逗号分隔）")
_ROW = "row_key"
_LINE = "原文中的行号（已知时）；PDF 报告为该页中的行号（自页首数起，不计页眉）"
_PAGE = "PDF 报告中的页码（已知时；其他格式为空值）"
# The other SQLite tables: one row per form row, per finding, per extra row, per narrative section.
TABLE_FIELDS: dict[str, tuple[str, tuple[tuple[str, str, str, str], ...]]] = {
    "proactive": ("表二（主动公开政府信息情况）：每份报告每行一条；各列为表格中的数字。" + BLANK, (
        _REPORT_ID,
        (_ROW, TEXT, "", "表二的行：regulations（规章）、normative_documents（规范性文件）、licensing（行政许可）、"
                         "other_services（其他对外管理服务事项）、penalty（行政处罚）、coercion（行政强制）、"
                         "fees（行政事业性收费）、procurement（政府集中采购）"),
        *((c, REAL if c == "amount_wan_yuan" else INTEGER, PROACTIVE_UNITS[c],
           _joined([next((s.label for s in PROACTIVE_COLUMNS[f] if s.key == c), "") for f in FORMS if
                    any(s.key == c for s in PROACTIVE_COLUMNS[f])]))
          for c in dict.fromkeys(s.key for f in FORMS for s in PROACTIVE_COLUMNS[f])),
        _DERIVED)),
    "applications": ("表三（收到和处理政府信息公开申请情况）：每份报告每行一条，七类申请人各一列。" + BLANK, (
        _REPORT_ID,
        (_ROW, TEXT, "", "表三的行，见 dictionary 表中 sqlite_table 为 applications 的各项"),
        *((c, INTEGER, "件", label) for c, label in _group_labels(APPLICANT_COLUMNS).items()),
        _DERIVED)),
    "review_litigation": ("表四（政府信息公开行政复议、行政诉讼情况）：每份报告三条"
                          "（行政复议、直接起诉、复议后起诉）。" + BLANK, (
        _REPORT_ID,
        (_ROW, TEXT, "", "review（行政复议）、litigation_direct（行政诉讼·未经复议直接起诉）、"
                         "litigation_after_review（行政诉讼·复议后起诉）"),
        *((leaf.key, INTEGER, "件", leaf.label) for _, leaf in REVIEW_COLUMNS.leaves()[:len(REVIEW_OUTCOMES)]),
    )),
    "findings": ("核对结果：每条一行，代码的含义见 finding_codes 表。", (
        _REPORT_ID,
        ("number", INTEGER, "", "在报告中的序号（页面上问题的编号）"),
        ("code", TEXT, "", "核对结果代码"),
        ("severity", TEXT, "", f"严重程度：{_SEVERITY}"),
        ("json_path", TEXT, "", "所涉及的数据在报告 JSON 中的位置，如 applications.natural_person"),
        ("line", INTEGER, "", _LINE),
        ("page", INTEGER, "", _PAGE),
        ("message", TEXT, "", "说明"),
    )),
    "extra_rows": ("国家表格以外的行：报告增加或细分的行，数字原样保留。", (
        _REPORT_ID,
        ("number", INTEGER, "", "在报告中的序号"),
        ("form_table", TEXT, "", "所在的表：proactive（表二）、applications（表三）、review_litigation（表四）"),
        ("parent_row", TEXT, "", "细分的是哪一行（row_key），增加的行为空值"),
        ("label", TEXT, "", "行的名称，原文所写"),
        ("figures_json", TEXT, "", "各列数字（JSON 数组，空白为 null）"),
        ("raw_json", TEXT, "", "各单元格原文（JSON 数组）"),
        ("line", INTEGER, "", _LINE),
        ("page", INTEGER, "", _PAGE),
    )),
    "narrative": ("报告正文：每部分一行。", (
        _REPORT_ID,
        ("section", TEXT, "", "preamble（开头）、overview（一、总体情况）、problems（五、存在的主要问题及改进情况）、"
                              "other_matters（六、其他需要报告的事项）"),
        ("content", TEXT, "", "正文"),
    )),
    "finding_codes": ("核对结果代码的含义（与本站“关于”页面相同）。", (
        ("code", TEXT, "", "核对结果代码"),
        ("severity", TEXT, "", f"通常的严重程度：{_SEVERITY}"),
        ("title", TEXT, "", "名称"),
        ("explanation", TEXT, "", "含义"),
    )),
}
REPORTS_DESCRIPTION = "每份报告一行：机关、地区、年度、数据质量和页面地址。各表以 report_id 对应本表的 id。"
DICTIONARY_DESCRIPTION = "数据字典：每个字段的含义、国家表格中的表、行、列名称，单位，以及所在的表格版本。"
# The views: each table of a report's rows with the body, region, level, year and page of the report.
VIEW_COLUMNS = ("body", "province", "city", "county", "level", "year", "page_url")
VIEWS = ("proactive", "applications", "review_litigation", "findings", "extra_rows", "narrative")


def _field(table: str, key: str, kind: str, unit: str, description: str) -> Column:
    return Column(field=key if table == "reports" else f"{table}.{key}", sqlite_table=table, sqlite_column=key,
                  sqlite_row_key="", form_table="", form_row="", form_column="", unit=unit, forms="", type=kind,
                  description=description)


@cache
def fields() -> tuple[Column, ...]:
    """The columns of the report table and of every other SQLite table except the dictionary."""
    out = [_field("reports", *f) for f in REPORT_FIELDS]
    for table, (_, columns) in TABLE_FIELDS.items():
        out += [_field(table, *c) for c in columns]
    return tuple(out)


DICTIONARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("field", "字段：CSV 的列名，或“表.列”"), ("sqlite_table", "所在的 SQLite 表"),
    ("sqlite_column", "SQLite 中的列名"),
    ("sqlite_row_key", "表格中的数字：在 SQLite 表中所在行的 row_key"), ("form_table", "国家表格中的表"),
    ("form_row", "国家表格中的行"), ("form_column", "国家表格中的列"), ("unit", "单位"),
    ("forms", "存在于哪一版国家表格"), ("type", "类型：INTEGER（整数）、REAL（小数）、TEXT（文字）"),
    ("description", "说明"),
)


@cache
def entries() -> tuple[Column, ...]:
    """The whole dictionary: report fields, then the form's cells, then the other tables' fields."""
    report_fields = tuple(c for c in fields() if c.sqlite_table == "reports")
    return report_fields + cells() + tuple(c for c in fields() if c.sqlite_table != "reports")


def row_of(column: Column) -> tuple[str, ...]:
    return tuple(getattr(column, key) for key, _ in DICTIONARY_COLUMNS)


def table_columns(table: str) -> list[Column]:
    """The columns of one SQLite table, in order."""
    return [c for c in fields() if c.sqlite_table == table]


def datasette_metadata(databases: list[str], title: str, source_url: str) -> dict[str, Any]:
    """Datasette's ``metadata.json``: a description of every table, view and column (units in
    the descriptions: Datasette's own unit support only knows SI units)."""
    tables: dict[str, Any] = {"reports": _table_metadata(REPORTS_DESCRIPTION, table_columns("reports"))}
    for table, (description, _) in TABLE_FIELDS.items():
        tables[table] = _table_metadata(description, table_columns(table))
    view_fields = [c for c in table_columns("reports") if c.sqlite_column in VIEW_COLUMNS]
    for table in VIEWS:
        description = f"{table} 表的每一行，加上报告的机关、地区、层级、年度和页面地址（视图）。"
        tables[f"{table}_full"] = _table_metadata(description, view_fields + table_columns(table))
    tables["dictionary"] = {"description": DICTIONARY_DESCRIPTION, "columns": dict(DICTIONARY_COLUMNS)}
    about = "政府信息公开工作年度报告的解析数据。空白单元格为空值（NULL），不等于0。字段说明见 dictionary 表。"
    metadata: dict[str, Any] = {"title": title, "description": about, "source": title}
    if source_url:  # only a full address: Datasette serves the database elsewhere, where a path leads nowhere
        metadata["source_url"] = source_url
    metadata["databases"] = {name: {"tables": tables} for name in databases}
    return metadata


def _table_metadata(description: str, columns: list[Column]) -> dict[str, Any]:
    return {"description": description, "columns": {c.sqlite_column: c.label() for c in columns}}
