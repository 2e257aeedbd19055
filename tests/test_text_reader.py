"""The text reader: layout rules, encodings and line ends."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from giro_site.document import Paragraph, Table
from giro_site.errors import ReportError
from giro_site.readers.encoding import decode_text
from giro_site.readers.text import parse_text
from giro_site.report import parse_report
from tests.conftest import seed_path, seed_text


def test_cell_continues_across_a_blank_line() -> None:
    document = parse_text(seed_text("001"))
    table = document.tables[1]
    labels = [row.cells[1].text for row in table.rows if len(row.cells) > 1]
    assert "（三）不予\n\n公开" in labels


def test_vertical_merge_is_an_empty_placeholder_cell() -> None:
    document = parse_text(seed_text("001"))
    row = next(r for r in document.tables[1].rows if "2.其他法律行政法规禁止公开" in r.texts())
    assert [c.text for c in row.cells[:2]] == ["", ""]
    assert row.cells[0].merged


def test_two_blank_lines_end_a_table() -> None:
    document = parse_text("一、总体情况\n\ta\n\tb\n\n\tc\n\n\n后文\n")
    assert isinstance(document.blocks[1], Table)
    assert [r.texts() for r in document.blocks[1].rows] == [["a", "b"], ["c"]]
    assert isinstance(document.blocks[2], Paragraph) and document.blocks[2].text == "后文"


def test_bookmarks_are_dropped_and_lines_counted() -> None:
    document = parse_text(seed_text("003"))
    first = document.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text == "鹿乡镇2020年政府信息公开工作年度报告" and first.line == 1


def _without_hash(report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "source": {**report["source"], "sha256": None, "file": None}}


ENCODINGS = {
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.replace("\u00a0", " ").encode("gbk"),
    "utf-16-bom": lambda t: t.encode("utf-16"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
    "crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda t: t.replace("\n", "\r").encode("utf-8"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("prefix", ["001", "004"])
def test_encodings_and_line_ends_give_the_same_report(tmp_path: Path, encoding: str, prefix: str) -> None:
    text = seed_text(prefix)
    expected = parse_report(seed_path(prefix))
    if encoding == "gbk":  # GBK has no no-break space: compare with the same text in UTF-8
        plain = tmp_path / "plain.txt"
        plain.write_bytes(text.replace("\u00a0", " ").encode("utf-8"))
        expected = parse_report(plain)
    path = tmp_path / f"{prefix}.txt"
    path.write_bytes(ENCODINGS[encoding](text))
    assert _without_hash(parse_report(path)) == _without_hash(expected)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "文件为空"),
    (b"\x00\x01\x02\x03binary\x00\xff", "二进制"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
])
def test_undecodable_bytes_are_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(ReportError) as caught:
        decode_text(data)
    assert reason in caught.value.reason


def test_text_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n今天讨论了食堂菜单。\n", encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        parse_report(path)
    assert "notes.txt" in str(caught.value) and "年度报告" in caught.value.reason
