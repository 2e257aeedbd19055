"""Write a report read from text as a web page or a Word document, the way publishers do.

The tests read these files back with the HTML and DOCX readers and compare the JSON with
the text version's. The writers lay tables out as the national form does: a row with
fewer cells than the table is wide gets a ``colspan`` on its deepest label, and an empty
cell under a label becomes part of a ``rowspan`` (HTML) or ``w:vMerge`` (DOCX) of that
label, so the readers must rebuild the placeholders the text format has.
"""

from __future__ import annotations

import html
import io
import itertools
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape

from giro_site.document import Cell, Document, Paragraph, Table
from giro_site.forms.spec import APPLICANT_COLUMNS, PROACTIVE_COLUMNS, REVIEW_COLUMNS, ColumnGroup, ColumnSpec
from giro_site.labels import core


@dataclass
class Placed:
    """A physical cell on the grid: an origin (with its spans) or a continuation of one."""

    text: str
    column: int
    colspan: int
    rowspan: int = 1
    continues: Placed | None = None  # the origin this empty cell continues downwards


def _is_label(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.replace(",", "").replace(".", "").lstrip("-").isdigit()


@lru_cache(maxsize=1)
def _column_words() -> tuple[frozenset[str], dict[str, int]]:
    """The form's column headers (``core`` words, with ``信息内容``), and for each header
    that spans several columns (``法人或其他组织``, ``行政诉讼``) how many."""
    words = {"信息内容"}
    groups: dict[str, int] = {}
    pending: list[ColumnSpec | ColumnGroup] = [APPLICANT_COLUMNS, REVIEW_COLUMNS,
                                               *(c for cs in PROACTIVE_COLUMNS.values() for c in cs)]
    while pending:
        node = pending.pop()
        words.update(node.phrases)
        if isinstance(node, ColumnGroup):
            groups.update(dict.fromkeys(node.phrases, len(node.leaves())))
            pending.extend(node.children)
    return frozenset(words), groups


def _header_spans(texts: list[str], width: int) -> list[int] | None:
    """A header row's spans as the national form draws them: a group header over its
    columns, the corner cell over the label columns; None if the row is no header."""
    words, groups = _column_words()
    if any(not _is_label(t) and t.strip() for t in texts) or not any(core(t) in words for t in texts):
        return None
    spans = [groups.get(core(t), 1) for t in texts]
    spans[0] += width - sum(spans)
    return spans if spans[0] >= 1 else None


def layout(table: Table, form_spans: bool = False) -> list[list[Placed]]:
    """Spans for each cell of the text table, as an office suite would have stored them.
    By default a row with fewer cells than the table is wide spans its last label; with
    ``form_spans`` a header row is laid out as the form draws it, so that every column's
    header stands over its figures (what a table without ruling lines is read by)."""
    width = max(len(row.cells) for row in table.rows)
    grid: list[list[Placed]] = []
    for row in table.rows:
        texts = row.texts()
        spans = [1] * len(texts)
        header = _header_spans(texts, width) if form_spans else None
        if header is not None:
            spans = header
        elif len(texts) < width:
            labels = [i for i, t in enumerate(texts) if _is_label(t)]
            spans[labels[-1] if labels else len(texts) - 1] += width - len(texts)
        placed: list[Placed] = []
        column = 0
        for text, span in zip(texts, spans, strict=True):
            placed.append(Placed(text, column, span))
            column += span
        grid.append(placed)
    for above, below in itertools.pairwise(grid):
        starts = {(cell.column, cell.colspan): cell for cell in above}
        for cell in below:
            upper = starts.get((cell.column, cell.colspan))
            if cell.text or upper is None:
                continue
            origin = upper.continues or upper
            if _is_label(origin.text):
                origin.rowspan += 1
                cell.continues = origin
    return grid


# --- HTML ---------------------------------------------------------------------------------

_CHROME_TOP = """<div class="header"><div class="logo">{agency}门户网站</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li></ul>
<form action="/search"><input name="q"><button>搜索</button></form></div>
<div class="main-wrap"><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a>
&gt; <a href="/ndbg/">政府信息公开年报</a></div>
<div class="article">
"""
_CHROME_BOTTOM = """</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<p><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></p>
</div>
<div class="side"><h3>相关链接</h3><ul>
<li><a href="/ndbg/2019.html">上一年度政府信息公开工作年度报告</a></li></ul></div>
<div class="footer"><p>主办单位：{agency}　网站标识码：1100000001</p><p>京ICP备00000000号</p></div>
"""


def _html_cell_content(text: str, header: bool) -> str:
    lines = [html.escape(line, quote=False) for line in text.split("\n")]
    if len(lines) == 1:
        return lines[0] or "&nbsp;"
    if header:
        return "<br>".join(lines)
    return "".join(f"<p>{line}</p>" for line in lines)


# How a table's lines are drawn (``borders``): every cell edge ("all"), none, only the
# horizontal rules between rows ("horizontal"), or only the outer frame ("frame").
RULES = ("all", "none", "horizontal", "frame")
_HTML_RULES = {
    "all": ('border="1" cellspacing="0" style="border-collapse:collapse"', ""),
    "none": ('cellspacing="0" style="border-collapse:collapse;border:none"', "td { border: none }"),
    "horizontal": ('cellspacing="0" style="border-collapse:collapse;border:none"',
                   "td { border: none; border-top: 1px solid #000; border-bottom: 1px solid #000 }"),
    "frame": ('cellspacing="0" style="border-collapse:collapse;border:1px solid #000"', "td { border: none }"),
}


def header_rows(table: Table) -> int:
    """How many rows the table's header takes: those before the first row with a figure
    (at most four: table 三's corner, groups and columns; table 二's first block)."""
    for index, row in enumerate(table.rows[:4]):
        if any(text.strip() and not _is_label(text) for text in row.texts()):
            return index
    return 0


def _html_table(table: Table, split_after: int | None, borders: str = "all", repeat_header: bool = False) -> list[str]:
    attributes = _HTML_RULES[borders][0]
    out = [f"<table {attributes}>"]
    head = header_rows(table) if repeat_header else 0
    if head:
        out.append("<thead>")
    for index, row in enumerate(layout(table, form_spans=borders != "all")):
        if head and index == head:
            out.append("</thead><tbody>")
        if split_after and index == split_after:  # a table broken at a page break
            out.append(f'</table>\n<p style="page-break-before:always">&nbsp;</p>\n<table {attributes}>')
        cells = []
        for cell in row:
            if cell.continues is not None:
                continue
            attrs = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + \
                    (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
            cells.append(f"<td{attrs}>{_html_cell_content(cell.text, index < 3)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>" if head else "</table>")
    return out


def html_table(table: Table, borders: str = "all") -> str:
    """One table as a web page writes it, spans as the national form has them."""
    return "\n".join(_html_table(table, None, borders))


def _wrapped(text: str, width: int = 30) -> str:
    """Source lines broken inside Chinese text, as CMS editors save them: after about
    ``width`` characters, where a Chinese character allows a break."""
    lines, start = [], 0
    for index in range(1, len(text)):
        if index - start >= width and (text[index - 1] > "\u2e7f" or text[index] > "\u2e7f"):
            lines.append(text[start:index])
            start = index
    lines.append(text[start:])
    return "\n    ".join(html.escape(line, quote=False) for line in lines)


def document_to_html(document: Document, *, encoding: str = "utf-8", declare: str | None = "utf-8",
                     chrome: bool = True, split_tables: bool = False, layout_table: bool = False,
                     source_wraps: bool = True, borders: str = "all", repeat_header: bool = False) -> bytes:
    """A government web page holding the report: navigation, breadcrumb, share links,
    a sidebar and a footer around the article, scripts and styles in the head.
    ``source_wraps=False`` leaves paragraphs on one source line (a browser, unlike the HTML
    reader, shows a space where a CMS wrapped Chinese text). ``borders``: see ``RULES``.
    ``repeat_header``: each table's header rows in a ``<thead>``, which a browser prints
    again at the top of every page the table continues on."""
    agency = "某某区人民政府"
    body: list[str] = []
    for number, block in enumerate(document.blocks):
        if isinstance(block, Paragraph):
            tag = "h1" if number == 0 and "报告" in block.text else "p"
            text = _wrapped(block.text) if source_wraps else html.escape(block.text, quote=False)
            body.append(f"<{tag}>{text}</{tag}>")
        else:
            split_after = len(block.rows) // 2 if split_tables and len(block.rows) > 6 else None
            body.extend(_html_table(block, split_after, borders, repeat_header))
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declare}">' if declare else ""
    article = "\n".join(body)
    if layout_table:  # an old site: the page laid out with a table, the report in one cell
        article = f'<table width="100%"><tr><td class="art">{article}</td></tr></table>'
    page = "\n".join([
        "<!DOCTYPE html>", "<html><head>", meta, f"<title>年度报告_{agency}</title>",
        f"<style>td {{ padding: 2px }} .nav li {{ display: inline }} {_HTML_RULES[borders][1]}</style>",
        "<script>var _hmt = []; if (1 < 2 && 3 > 2) { document.write('<p>统计</p>'); }</script>",
        "</head><body>",
        _CHROME_TOP.format(agency=agency) if chrome else "",
        article,
        _CHROME_BOTTOM.format(agency=agency) if chrome else "",
        '<div style="display:none">隐藏的统计代码 2019年度报告</div>',
        "</body></html>",
    ])
    return page.encode(encoding, errors="xmlcharrefreplace")


# --- DOCX ---------------------------------------------------------------------------------

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/>
</Relationships>"""


def _runs(text: str) -> str:
    """Text in several runs with properties and a proofing mark between them, as Word splits it."""
    if not text:
        return ""
    pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
    runs = []
    for number, piece in enumerate(pieces):
        if number == 1:
            runs.append('<w:proofErr w:type="spellStart"/>')
        runs.append(f'<w:r><w:rPr><w:rFonts w:hint="eastAsia"/><w:sz w:val="24"/></w:rPr>'
                    f'<w:t xml:space="preserve">{xml_escape(piece)}</w:t></w:r>')
    return "".join(runs)


def docx_paragraph(text: str, *, indent: bool = False) -> str:
    """A justified paragraph; ``indent`` gives it the two-character first-line indent of 公文."""
    first_line = '<w:ind w:firstLineChars="200" w:firstLine="480"/>' if indent else ""
    return f'<w:p><w:pPr><w:jc w:val="both"/>{first_line}</w:pPr>{_runs(text)}</w:p>'


_DOCX_SIDES = {"all": ("top", "left", "bottom", "right", "insideH", "insideV"),
               "horizontal": ("top", "bottom", "insideH"), "frame": ("top", "left", "bottom", "right")}


def _docx_borders(borders: bool | str) -> str:
    """The table's borders (``RULES``; ``True`` is "all", ``False`` "none"). Sides not
    listed are set to none: LibreOffice draws no line where Word's table style would."""
    rule = "all" if borders is True else "none" if borders is False else borders
    drawn = _DOCX_SIDES.get(rule, ())
    if rule == "none":  # no tblBorders at all: a plain table, as the reader has always seen it
        return ""
    return "<w:tblBorders>" + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' if side in drawn
        else f'<w:{side} w:val="nil"/>' for side in _DOCX_SIDES["all"]) + "</w:tblBorders>"


def _docx_table(table: Table, *, borders: bool | str = False, column_twips: int | None = 900,
                text_twips: int = 9000, repeat_header: bool = False) -> str:
    """``column_twips=None`` fits the table to the text width, as an author would;
    ``repeat_header`` marks the header rows to be repeated on every page (``w:tblHeader``)."""
    grid = layout(table, form_spans=borders not in (True, False, "all"))
    width = max(cell.column + cell.colspan for row in grid for cell in row)
    column_twips = column_twips or text_twips // width
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/>{_docx_borders(borders)}</w:tblPr><w:tblGrid>',
           f'<w:gridCol w:w="{column_twips}"/>' * width, "</w:tblGrid>"]
    head = header_rows(table) if repeat_header else 0
    for index, row in enumerate(grid):
        out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if index < head else "<w:tr>")
        for cell in row:
            properties = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            if cell.continues is not None:
                properties += "<w:vMerge/>"
            elif cell.rowspan > 1:
                properties += '<w:vMerge w:val="restart"/>'
            lines = [""] if cell.continues is not None else cell.text.split("\n")
            out.append(f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(docx_paragraph(t) for t in lines)}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


_MARGIN_TWIPS = 1440  # 2.54 cm, Word's default page margin
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
_HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def _page_part(tag: str, text: str, page_number: str | None) -> str:
    """A header or footer: centred text, with the page number as a PAGE field in the
    ``page_number`` pattern ("- {} -", "第 {} 页")."""
    field = ""
    if page_number:
        before, after = page_number.split("{}")
        field = (f'<w:r><w:t xml:space="preserve">{xml_escape(before)}</w:t></w:r><w:fldSimple w:instr=" PAGE ">'
                 f'<w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve">{xml_escape(after)}</w:t></w:r>')
    runs = f'<w:r><w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>' if text else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{tag} xmlns:w="{_W_NS}">'
            f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{runs}{field}</w:p></w:{tag}>')


def docx_package(body_xml: str, *, page_twips: tuple[int, int] = (11906, 16838), header: str | None = None,
                 page_numbers: str | None = None) -> bytes:
    """A minimal .docx holding this body markup; optionally a running header and a footer
    with page numbers, as agencies' templates have them (the DOCX reader reads neither)."""
    references, parts, types, relations = "", {}, "", ""
    if header is not None:
        references += '<w:headerReference w:type="default" r:id="rIdHeader"/>'
        parts["word/header1.xml"] = _page_part("hdr", header, None)
        types += f'<Override PartName="/word/header1.xml" ContentType="{_HEADER_TYPE}"/>'
        relations += (f'<Relationship Id="rIdHeader" Type="{_R_NS}/header" Target="header1.xml"/>')
    if page_numbers:
        references += '<w:footerReference w:type="default" r:id="rIdFooter"/>'
        parts["word/footer1.xml"] = _page_part("ftr", "", page_numbers)
        types += f'<Override PartName="/word/footer1.xml" ContentType="{_FOOTER_TYPE}"/>'
        relations += (f'<Relationship Id="rIdFooter" Type="{_R_NS}/footer" Target="footer1.xml"/>')
    width, height = page_twips
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<w:document xmlns:w="{_W_NS}" xmlns:r="{_R_NS}" '
                f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                f'xmlns:v="urn:schemas-microsoft-com:vml">'
                f'<w:body>{body_xml}<w:sectPr>{references}<w:pgSz w:w="{width}" w:h="{height}"/>'
                f'<w:pgMar w:top="{_MARGIN_TWIPS}" w:right="{_MARGIN_TWIPS}" w:bottom="{_MARGIN_TWIPS}" '
                f'w:left="{_MARGIN_TWIPS}" w:header="720" w:footer="720" w:gutter="0"/>'
                f'</w:sectPr></w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("</Types>", types + "</Types>"))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
        if relations:
            archive.writestr("word/_rels/document.xml.rels",
                             '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                             f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relations}'
                             '</Relationships>')
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def document_to_docx(document: Document, *, borders: bool | str = False, indent: bool = False,
                     page_twips: tuple[int, int] = (11906, 16838), column_twips: int | None = 900,
                     header: str | None = None, page_numbers: str | None = None,
                     repeat_header: bool = False) -> bytes:
    """The report as a .docx; the keywords dress it as agencies print it (ruled tables, or
    only some rules: see ``RULES``; indented paragraphs, a running header, page numbers, a
    narrow page, table headers repeated on every page)."""
    body = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            body.append(docx_paragraph(block.text, indent=indent))
        else:
            body.append(_docx_table(block, borders=borders, column_twips=column_twips,
                                    text_twips=page_twips[0] - 2 * _MARGIN_TWIPS, repeat_header=repeat_header))
            body.append("<w:p/>")  # Word always puts a paragraph after a table
    return docx_package("".join(body), page_twips=page_twips, header=header, page_numbers=page_numbers)


# --- text in other layouts ----------------------------------------------------------------
# The same report as other tools write it as text: one blank line (or none) between a table
# and the next heading; one line per row as Markdown or pipe tables, tab-separated rows as a
# copy from a web page gives them, and "label n n n" rows as pdftotext -layout or a hand
# gives them. Paragraphs are written as they are.


def _one_line(text: str) -> str:
    """A cell's paragraphs on one line: a line break inside a label is only where it wrapped."""
    return "".join(part.strip() for part in text.split("\n")) if "\n" in text else text


def _split_values(cells: tuple[Cell, ...]) -> int:
    """How many cells at the end of a row are values: those after its last label, blank
    ones too, if one of them is a figure or a blank value cell (not a merged placeholder);
    none for a header or a label on its own."""
    texts = [cell.text for cell in cells]
    labels = [i for i, text in enumerate(texts) if text.strip() and not _is_figure(text)]
    first = labels[-1] + 1 if labels else 0
    tail = cells[first:]
    if any(_is_figure(c.text) or not c.merged for c in tail):
        return len(tail)
    return 0


def _is_figure(text: str) -> bool:
    stripped = text.strip().replace(",", "").removesuffix("元").removesuffix("万")
    return bool(stripped) and stripped.lstrip("-").replace(".", "", 1).isdigit()


def _table_lines(table: Table, layout_name: str) -> list[str]:
    lines: list[str] = []
    for index, row in enumerate(table.rows):
        cells = row.cells
        if layout_name in {"markdown", "pipes"}:
            lines.append("| " + " | ".join(_one_line(c.text) for c in cells) + " |")
            if layout_name == "markdown" and index == 0:
                lines.append("|" + "---|" * len(cells))
        elif layout_name == "tsv":  # every cell, merged placeholders too (a spreadsheet's copy)
            lines.append("\t".join(_one_line(c.text) for c in cells))
        elif layout_name == "tsv-web":  # a browser's copy: cells merged from above are not repeated
            first = next((i for i, c in enumerate(cells) if not c.merged), len(cells))
            lines.append("\t".join(_one_line(c.text) for c in cells[first:]))
        else:  # "figures" (one space) or "columns" (pdftotext -layout: a wide gap between cells)
            gap = " " if layout_name == "figures" else "    "
            count = _split_values(cells)
            words = [_one_line(c.text) for c in cells[: len(cells) - count] if c.text.strip()]
            values = [c.text.strip() or "—" for c in cells[len(cells) - count:]]
            indent = "  " if layout_name == "columns" else ""
            lines.append(indent + gap.join(words + values))
    return lines


TEXT_LAYOUTS = ("one-blank", "no-blank", "markdown", "pipes", "tsv", "tsv-web", "figures", "columns")


def document_to_text(document: Document, layout_name: str) -> str:
    """The report as text in one of ``TEXT_LAYOUTS``."""
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
            continue
        if layout_name in {"one-blank", "no-blank"}:  # the seeds' layout, fewer blank lines after
            for number, row in enumerate(block.rows):
                if number:
                    out.append("")
                out.extend("\t" + cell.text for cell in row.cells)
            if layout_name == "one-blank":
                out.append("")
            continue
        out.extend(_table_lines(block, layout_name))
        out.append("")
    return "\n".join(out) + "\n"
