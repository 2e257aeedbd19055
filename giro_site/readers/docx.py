"""Reader for Word documents (``.docx``): paragraphs and tables of ``word/document.xml``.

The XML is read straight from the zip with the standard library, one top-level block at
a time, so memory stays bounded by the largest paragraph or table, not the document.
Tables come out as the text reader sees them (the same ``Document`` for the same report):

* a cell merged across columns (``w:gridSpan``) is one cell, with its colspan;
* a cell merged across rows (``w:vMerge``) keeps its text in the first row, and each row
  below holds an empty placeholder for it. (python-docx would instead repeat the merged
  cell at every grid position it covers, which double-counts figures.)
* a cell's paragraphs are the lines of its text; a table nested in a cell adds its cells'
  text as further lines, and a one-cell table framing the report is unwrapped;
* text boxes keep their paragraphs (once: Word stores a modern and a fallback copy);
* deleted tracked changes and field instructions are not text.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from xml.etree import ElementTree

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.errors import ReportError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_BODY, _P, _TBL, _TR, _TC = f"{_W}body", f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_T, _TAB, _PTAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}ptab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN, _TEXTBOX = f"{_W}noBreakHyphen", f"{_W}txbxContent"
_TC_PR, _GRID_SPAN, _V_MERGE, _H_MERGE, _VAL = f"{_W}tcPr", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge", f"{_W}val"
# Subtrees that hold no reading text: deletions, field codes, properties, and Word's
# fallback copy of a drawing (its text box is read from the preferred copy).
_NOT_TEXT = frozenset({f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}rPr", f"{_W}pPr", f"{_W}tblPr",
                       f"{_W}trPr", f"{_W}tcPr", f"{_W}sectPr", f"{_MC}Fallback"})
_CONTAINERS = frozenset({_SDT, _SDT_CONTENT, _CUSTOM_XML, f"{_W}smartTag", f"{_W}ins"})

_MAX_XML_BYTES = 64 * 1024 * 1024  # far above any report; refuses a zip bomb
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _text_parts(element: ElementTree.Element, parts: list[str], boxes: list[ElementTree.Element]) -> None:
    """The reading text under a paragraph, in order; text boxes are set aside in ``boxes``."""
    for child in element:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag in (_TAB, _PTAB):
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _TEXTBOX:
            boxes.append(child)
        elif tag not in _NOT_TEXT:
            _text_parts(child, parts, boxes)


def _paragraph_lines(paragraph: ElementTree.Element) -> tuple[list[str], list[ElementTree.Element]]:
    parts: list[str] = []
    boxes: list[ElementTree.Element] = []
    _text_parts(paragraph, parts, boxes)
    return "".join(parts).split("\n"), boxes


def _children(element: ElementTree.Element, wanted: str) -> Iterator[ElementTree.Element]:
    """Children with this tag, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag == wanted:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, wanted)


def _content(element: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """Paragraphs and tables in document order, through wrappers."""
    for child in element:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _CONTAINERS:
            yield from _content(child)


def _cell_lines(cell: ElementTree.Element) -> list[str]:
    """A cell's text as lines: its paragraphs, text boxes and nested tables' cells."""
    lines: list[str] = []
    for item in _content(cell):
        if item.tag == _P:
            paragraph, boxes = _paragraph_lines(item)
            lines.extend(paragraph)
            for box in boxes:
                lines.extend(_box_lines(box))
        else:
            for row in _children(item, _TR):
                for nested in _children(row, _TC):
                    lines.extend(line for line in _cell_lines(nested) if line.strip())
    return lines


def _box_lines(box: ElementTree.Element) -> list[str]:
    lines: list[str] = []
    for item in _content(box):
        if item.tag == _P:
            lines.extend(_paragraph_lines(item)[0])
        else:
            lines.extend(_cell_lines(item))
    return [line for line in lines if line.strip()]


def _span(properties: ElementTree.Element | None) -> int:
    if properties is None:
        return 1
    grid_span = properties.find(_GRID_SPAN)
    try:
        return max(1, int(grid_span.get(_VAL, "1"))) if grid_span is not None else 1
    except ValueError:
        return 1


def _merge_state(properties: ElementTree.Element | None, tag: str) -> str | None:
    """``restart``, ``continue`` or None for a cell's vertical or (old-style) horizontal merge."""
    if properties is None:
        return None
    merge = properties.find(tag)
    if merge is None:
        return None
    return merge.get(_VAL) or "continue"


def _table(table: ElementTree.Element) -> Table:
    rows: list[Row] = []
    for row in _children(table, _TR):
        cells: list[Cell] = []
        for cell in _children(row, _TC):
            properties = cell.find(_TC_PR)
            if _merge_state(properties, _H_MERGE) == "continue" and cells:
                previous = cells[-1]
                cells[-1] = previous._replace(colspan=previous.colspan + _span(properties))
                continue
            span = _span(properties)
            if _merge_state(properties, _V_MERGE) == "continue":
                cells.append(Cell("", None, span, True))
            else:
                cells.append(Cell("\n".join(_cell_lines(cell)).strip("\n"), None, span, False))
        if cells:
            rows.append(Row(tuple(cells)))
    return Table(tuple(rows))


def _frame(table: ElementTree.Element) -> ElementTree.Element | None:
    """The cell of a one-cell table that frames body content (a report pasted into a box)."""
    rows = list(_children(table, _TR))
    if len(rows) != 1:
        return None
    cells = list(_children(rows[0], _TC))
    return cells[0] if len(cells) == 1 else None


def _blocks(element: ElementTree.Element) -> Iterator[Block]:
    """The blocks one top-level paragraph or table gives."""
    if element.tag == _P:
        lines, boxes = _paragraph_lines(element)
        for line in lines:
            if line.strip():
                yield Paragraph(line.strip())
        for box in boxes:
            for item in _content(box):
                yield from _blocks(item)
    elif element.tag == _TBL:
        frame = _frame(element)
        if frame is not None:
            for item in _content(frame):
                yield from _blocks(item)
        else:
            table = _table(element)
            if table.rows:
                yield table
    elif element.tag in _CONTAINERS:
        for item in _content(element):
            yield from _blocks(item)


def _document_xml(data: bytes) -> zipfile.ZipExtFile:
    if data.startswith(_OLE_SIGNATURE):
        raise ReportError("这是旧版 Word（.doc）文件或加密的文档，只是扩展名为 .docx：请用 Word 或 WPS 打开，"
                          "另存为不加密的 .docx 后再放入")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        info = archive.getinfo("word/document.xml")
    except zipfile.BadZipFile as exc:
        raise ReportError("DOCX 文件已损坏或不完整（无法作为 zip 压缩包打开）：请重新下载原文件，"
                          "或用 Word 打开后另存为 .docx") from exc
    except KeyError as exc:
        raise ReportError("这个 zip 文件里没有 Word 正文（word/document.xml），不是 .docx 文档") from exc
    if info.file_size > _MAX_XML_BYTES:
        raise ReportError(f"Word 正文解压后有 {info.file_size // (1024 * 1024)} MB，超出上限"
                          f"（{_MAX_XML_BYTES // (1024 * 1024)} MB），不像是年度报告")
    try:
        return archive.open(info)
    except (RuntimeError, NotImplementedError) as exc:  # encrypted or unknown compression
        raise ReportError(f"无法解压 Word 正文（{exc}）：请另存为普通 .docx") from exc
    except (ValueError, zipfile.BadZipFile) as exc:  # a damaged local header (offset, name)
        raise ReportError("DOCX 文件已损坏或不完整（Word 正文的位置信息有误）：请重新下载原文件，"
                          "或用 Word 打开后另存为 .docx") from exc


def parse_docx(data: bytes) -> Document:
    """Stream ``word/document.xml`` and turn each body child into blocks as it ends."""
    blocks: list[Block] = []
    body: ElementTree.Element | None = None
    depth = 0
    try:
        with _document_xml(data) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if element.tag == _BODY:
                        body = element
                    continue
                depth -= 1
                if body is not None and depth == 2:  # a child of w:body (document > body > child)
                    blocks.extend(_blocks(element))
                    body.clear()  # done with it: keep memory to one block
    except ElementTree.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ReportError(f"Word 正文的 XML 已损坏（第 {line} 行附近）：请用 Word 打开后另存为 .docx") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ReportError("DOCX 文件不完整（解压时出错）：请重新下载原文件，或用 Word 打开后另存为 .docx") from exc
    if body is None:
        raise ReportError("Word 文档中没有正文（w:body）")
    return Document(blocks=blocks, source_format="docx")


class DocxReader:
    """Reads ``.docx`` files (Word 2007 and later, and WPS saving as .docx)."""

    extensions = (".docx",)
    format_name = "docx"
    max_bytes = 200 * 1024 * 1024  # images make a DOCX large; only its text is read

    def read(self, data: bytes) -> Document:
        return parse_docx(data)
