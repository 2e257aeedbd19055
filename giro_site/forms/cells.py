"""What every table mapper shares: reading a value cell, matching a row label, and the
record of where each figure came from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from giro_site.document import Cell, Row
from giro_site.findings import finding
from giro_site.forms.grid import ColumnMap, DataRow, resolve_columns
from giro_site.forms.spec import ColumnGroup, ColumnSpec, RowSpec
from giro_site.labels import core, matches
from giro_site.numbers import Amount, Number, UnreadableNumber, excerpt, parse_amount, parse_count


@dataclass
class Mapped:
    """A table's figures keyed as the JSON contract keys them, with their provenance."""

    values: dict[str, dict[str, Number | None]]
    extra_rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    rows_stated: set[str] = field(default_factory=set)  # keys of the rows the report has
    hidden: set[int] = field(default_factory=set)  # id() of the cells a HIDDEN_TEXT finding names

    @property
    def clean(self) -> bool:
        """Nothing said beyond the figures: no finding, no extra row, no hidden text."""
        return not (self.findings or self.extra_rows or self.hidden)


def note_hidden(cell: Cell, where: str, out: Mapped, *, row: str = "", column: str = "") -> None:
    """A warning that the reader dropped text nobody could see from this cell: a report that
    hides figures (a transparent ``1`` before a printed ``0``) shows on the 数据问题 page."""
    if id(cell) in out.hidden:
        return
    out.hidden.add(id(cell))
    shown = excerpt(cell.text.strip())
    place = "".join((f"“{row.strip()}”一行" if row.strip() else "", f"“{column.strip()}”列" if column.strip() else ""))
    read = f"按看得见的“{shown}”读取" if shown else "按看得见的内容（空白）读取"
    out.findings.append(finding(
        "HIDDEN_TEXT", f"表格中{place or '一个'}单元格含有读者看不见的文字，已删去，{read}；请核对原文。",
        where, line=cell.line))


def read_value(cell: Cell, column: ColumnSpec | None, header: str, where: str, out: Mapped,
               row: str = "") -> Number | None:
    """The figure in a cell, recording a finding for unreadable text, an assumed unit or text
    the reader dropped as hidden (``row``: the row's label, to name the cell)."""
    if cell.hidden:
        note_hidden(cell, where, out, row=row, column=header or (column.label if column else ""))
    try:
        if column is not None and column.money:
            amount: Amount | None = parse_amount(cell.text, header)
            if amount is None:
                return None
            if amount.unit_source == "assumed" and amount.wan_yuan != 0:
                out.findings.append(finding(
                    "UNIT_ASSUMED",
                    f"金额“{cell.text.strip()}”未注明单位，按“万元”读取。",
                    where, line=cell.line))
            return amount.wan_yuan
        return parse_count(cell.text)
    except UnreadableNumber:
        out.findings.append(finding(
            "VALUE_UNREADABLE",
            f"单元格内容“{excerpt(cell.text.strip())}”不是数字，按空白处理。",
            where, line=cell.line))
        return None


@lru_cache(maxsize=1 << 14)
def find_row(path: tuple[str, ...], specs: tuple[RowSpec, ...]) -> tuple[RowSpec | None, RowSpec | None]:
    """(the row this label path names, or None; else the row it is a sub-row of, or None).

    The most specific label decides; a parent constraint disambiguates a short label
    such as ``3.其他`` under ``（六）其他处理``.
    """
    if not path:
        return None, None
    last, ancestors = path[-1], path[:-1]
    for spec in specs:
        if matches(last, spec.phrases, exact=spec.exact) and (
            not spec.parent or any(matches(a, spec.parent, exact=True) for a in ancestors)
        ):
            return spec, None
    for ancestor in reversed(ancestors):
        for spec in specs:
            if not spec.parent and matches(ancestor, spec.phrases, exact=spec.exact):
                return None, spec
    return None, None


def names_a_row(specs: tuple[RowSpec, ...]) -> Callable[[str], bool]:
    """Whether a label alone names one of these rows (a sub-row label does not)."""
    def named(label: str) -> bool:
        return find_row((label,), specs)[0] is not None
    return named


_TRAILING_FIGURE = re.compile(r"^(?P<label>.*?[:：])\s*(?P<value>[^:：]*)$", re.S)


def extra_row(table: str, path: tuple[str, ...], values: list[Number | None], raw: list[str], row: Row,
              parent: str | None = None, columns: list[str] | None = None) -> dict[str, Any]:
    """A row the form lacks or a sub-row, kept whole: nothing in a table is dropped."""
    record: dict[str, Any] = {
        "table": table,
        "parent": parent,
        "label": path[-1].strip() if path else "",
        "path": [p.strip() for p in path],
        "values": values,
        "raw": raw,
    }
    if columns is not None:
        record["columns"] = columns
    if row.line is not None:
        record["line"] = row.line
    return record


def label_with_figure(label: str) -> tuple[str, str] | None:
    """``…发布总数量：125`` → (``…发布总数量：``, ``125``): a figure written after a colon."""
    match = _TRAILING_FIGURE.match(label.strip())
    if not match:
        return None
    return match.group("label"), match.group("value")


def is_header_like(texts: list[str], phrases: set[str]) -> bool:
    """A row of column names (a header, or a header repeated after a page break)."""
    cores = [core(t) for t in texts if core(t)]
    return bool(cores) and sum(c in phrases for c in cores) >= max(1, len(cores) // 2)


_PLACEHOLDER = re.compile(r"(?:数据|列|字段|第|col(?:umn)?|unnamed:?)\s*\d{1,2}列?", re.IGNORECASE)


def is_placeholder_header(texts: list[str]) -> bool:
    """A header a converter made up for a piece of a table it could not name: ``数据1 数据2
    …``, ``列1``, ``Column 3``. It names no column, so the rows under it are read by the
    form's columns."""
    words = [t.strip() for t in texts if t.strip()]
    return len(words) >= 2 and all(_PLACEHOLDER.fullmatch(w) for w in words)


def misaligned(out: Mapped, table: str, data: DataRow, key: str | None, names: dict[str, str], *,
               orphan: bool = False) -> None:
    """A row whose figures cannot be placed in columns (or rows) for certain: kept whole in
    ``extra_rows``, its form row left blank, and a warning that says why."""
    raw = [cell.text for cell in data.row.cells]
    out.extra_rows.append(extra_row(table, data.path, [], raw, data.row))
    shown = " ".join(excerpt(t.strip(), 12) or "（空）" for t in raw)
    if orphan:
        reason = f"一行数字（{shown}）没有行名称，而行名称单独成行，无法确定它们的对应关系"
    elif key is not None:
        reason = f"“{names[key]}”一行的单元格（{shown}）与表格的列数对不上"
    else:
        label = f"“{data.path[-1].strip()}”一行" if data.path else "一行"
        reason = f"表格中{label}的单元格（{shown}）与表格的列数对不上"
    out.findings.append(finding(
        "ROW_MISALIGNED", f"{reason}，无法确定每个数字属于哪一列或哪一行，不予采用，原样列入附加行。",
        f"{table}.{key}" if key else table, line=data.row.line))


def map_columns(tree: ColumnGroup, header: list[list[str]], table: str, line: int | None, out: Mapped) -> ColumnMap:
    """The value columns by the header, with a warning when the header does not confirm them."""
    column_map = resolve_columns(tree, header)
    if not column_map.confirmed:
        out.findings.append(finding("HEADER_ASSUMED", "表头与国家表格的列名对不上，按国家表格的列顺序读取。",
                                    table, line=line))
    return column_map
