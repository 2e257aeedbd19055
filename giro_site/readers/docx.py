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
* deleted tracked changes and field instructions are not text;
* text a reader cannot see is not text either: hidden runs (``w:vanish``, ``w:specVanish``),
  runs under one point, and runs in the colour of what is behind them (white on a white
  page, cell or shading), set on the run, its character style or its paragraph's style.
  A cell that lost such text says so (``Cell.hidden``).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from xml.etree import ElementTree

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.errors import ReportError
from giro_site.readers.docx_look import PLAIN, Ink, hex_colour, read_styles

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_BODY, _P, _TBL, _TR, _TC = f"{_W}body", f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_T, _TAB, _PTAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}ptab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN, _TEXTBOX = f"{_W}noBreakHyphen", f"{_W}txbxContent"
_R, _SHD, _FILL = f"{_W}r", f"{_W}shd", f"{_W}fill"
_TC_PR, _GRID_SPAN, _V_MERGE, _H_MERGE, _VAL = f"{_W}tcPr", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge", f"{_W}val"
# Subtrees that hold no reading text: deletions, field codes, properties, and Word's
# fallback copy of a drawing (its text box is read from the preferred copy).
_NOT_TEXT = frozenset({f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}rPr", f"{_W}pPr", f"{_W}tblPr",
                       f"{_W}trPr", f"{_W}tcPr", f"{_W}sectPr", f"{_MC}Fallback"})
_CONTAINERS = frozenset({_SDT, _SDT_CONTENT, _CUSTOM_XML, f"{_W}smartTag", f"{_W}ins"})

_MAX_XML_BYTES = 64 * 1024 * 1024  # far above any report; refuses a zip bomb
# Tags (``<``) in the XML: a long, richly formatted report has a few hundred thousand. Each
# costs the parser about a microsecond, so this bounds a file of empty paragraphs to a second.
MAX_TAGS = 1_000_000
_MAX_SPAN = 1000  # a gridSpan wider than any form table
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- text ------------------------------------------------------------------------------


def _text_parts(paragraph: ElementTree.Element, parts: list[str], boxes: list[ElementTree.Element],
                ink: Ink = PLAIN) -> bool:
    """The reading text under a paragraph, in order; text boxes are set aside in ``boxes``.
    Walked with a stack, not recursion: hyperlinks, fields and smart tags nest as deep as
    a file says (a 27 KB file held a thousand nested hyperlinks). Returns whether text a
    reader cannot see was left out."""
    hidden = False
    pending = [iter(paragraph)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            continue
        tag = child.tag
        if tag == _R and ink.hides(child):
            hidden = hidden or any((t.text or "").strip() for t in child.iter(_T))
            continue
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
            pending.append(iter(child))
    return hidden


def _paragraph_lines(paragraph: ElementTree.Element, ink: Ink = PLAIN
                     ) -> tuple[list[str], list[ElementTree.Element], bool]:
    parts: list[str] = []
    boxes: list[ElementTree.Element] = []
    hidden = _text_parts(paragraph, parts, boxes, ink.for_paragraph(paragraph))
    return "".join(parts).split("\n"), boxes, hidden


def _through(element: ElementTree.Element, wanted: tuple[str, ...]) -> Iterator[ElementTree.Element]:
    """Children with these tags, in order, looking through content controls, custom XML and
    other wrappers however deep they nest."""
    pending = [iter(element)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
        elif child.tag in wanted:
            yield child
        elif child.tag in _CONTAINERS:
            pending.append(iter(child))


def _children(element: ElementTree.Element, wanted: str) -> Iterator[ElementTree.Element]:
    """Children with this tag, looking through wrappers."""
    return _through(element, (wanted,))


def _content(element: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """Paragraphs and tables in document order, through wrappers."""
    return _through(element, (_P, _TBL))


def _cells_content(table: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """The paragraphs and tables of every cell of a table, row by row."""
    return (item for row in _children(table, _TR) for cell in _children(row, _TC) for item in _content(cell))


def _boxes_content(boxes: list[ElementTree.Element]) -> Iterator[ElementTree.Element]:
    return (item for box in boxes for item in _content(box))


def _cell_lines(cell: ElementTree.Element, ink: Ink = PLAIN, *, keep_blank: bool = True) -> tuple[list[str], bool]:
    """A cell's text as lines: its paragraphs (blank ones kept: they are the cell's layout),
    then its text boxes' and nested tables' lines without blank ones, at any depth; and
    whether text a reader cannot see was left out."""
    lines: list[str] = []
    hidden = False
    pending: list[tuple[Iterator[ElementTree.Element], bool]] = [(_content(cell), keep_blank)]
    while pending:
        items, keep = pending[-1]
        item = next(items, None)
        if item is None:
            pending.pop()
        elif item.tag == _P:
            paragraph, boxes, dropped = _paragraph_lines(item, ink)
            hidden = hidden or dropped
            lines.extend(paragraph if keep else (line for line in paragraph if line.strip()))
            if boxes:
                pending.append((_boxes_content(boxes), False))
        else:
            pending.append((_cells_content(item), False))
    return lines, hidden


def _span(properties: ElementTree.Element | None) -> int:
    if properties is None:
        return 1
    grid_span = properties.find(_GRID_SPAN)
    try:
        return max(1, min(int(grid_span.get(_VAL, "1")[:8]), _MAX_SPAN)) if grid_span is not None else 1
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


def _table(table: ElementTree.Element, ink: Ink = PLAIN) -> Table:
    rows: list[Row] = []
    for row in _children(table, _TR):
        cells: list[Cell] = []
        for cell in _children(row, _TC):
            properties = cell.find(_TC_PR)
            shading = properties.find(_SHD) if properties is not None else None
            fill = hex_colour(shading.get(_FILL)) if shading is not None else None
            if _merge_state(properties, _H_MERGE) == "continue" and cells:
                previous = cells[-1]
                cells[-1] = previous._replace(colspan=previous.colspan + _span(properties))
                continue
            span = _span(properties)
            if _merge_state(properties, _V_MERGE) == "continue":
                cells.append(Cell("", None, span, True))
            else:
                lines, hidden = _cell_lines(cell, ink.behind(fill))
                cells.append(Cell("\n".join(lines).strip("\n"), None, span, False, hidden))
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


def _blocks(element: ElementTree.Element, ink: Ink = PLAIN) -> Iterator[Block]:
    """The blocks one top-level paragraph or table gives: text boxes and one-cell frames
    give up their content as blocks, however deep they nest."""
    pending: list[Iterator[ElementTree.Element]] = [iter((element,))]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
        elif item.tag == _P:
            lines, boxes, _ = _paragraph_lines(item, ink)  # hidden words of a paragraph are simply left out
            for line in lines:
                if line.strip():
                    yield Paragraph(line.strip())
            if boxes:
                pending.append(_boxes_content(boxes))
        elif item.tag == _TBL:
            frame = _frame(item)
            if frame is not None:
                pending.append(_content(frame))
            else:
                table = _table(item, ink)
                if table.rows:
                    yield table
        elif item.tag in _CONTAINERS:
            pending.append(_content(item))


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


def _xml(data: bytes) -> bytes:
    """``word/document.xml``, unpacked (at most ``_MAX_XML_BYTES``, whatever its header
    claims) and refused if it has more tags than a report could: counting them costs
    milliseconds, parsing them seconds."""
    with _document_xml(data) as stream:
        xml = stream.read(_MAX_XML_BYTES + 1)
    if len(xml) > _MAX_XML_BYTES:
        raise ReportError(f"Word 正文解压后超过 {_MAX_XML_BYTES // (1024 * 1024)} MB，不像是年度报告")
    tags = xml.count(b"<")
    if tags > MAX_TAGS:
        raise ReportError(f"Word 正文有 {tags} 个 XML 标记，超过上限 {MAX_TAGS}（如大量空段落），"
                          "不像是一份年度报告：请用 Word 打开，删去多余内容后另存为 .docx")
    return xml


def parse_docx(data: bytes) -> Document:
    """Parse ``word/document.xml`` as a stream and turn each body child into blocks as it
    ends, so the tree never holds more than one block."""
    blocks: list[Block] = []
    body: ElementTree.Element | None = None
    depth = 0
    ink = read_styles(data)
    try:
        for event, element in ElementTree.iterparse(BytesIO(_xml(data)), events=("start", "end")):
            if event == "start":
                depth += 1
                if body is None and element.tag == _BODY:
                    body = element
                continue
            depth -= 1
            if body is not None and depth == 2:  # a child of w:body (document > body > child)
                blocks.extend(_blocks(element, ink))
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
