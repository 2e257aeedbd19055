"""Text a reader of the original cannot see is not a figure: the readers drop it, and the
forms stage says which cell held it (HIDDEN_TEXT), so a report hiding figures is visible."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from giro_site.document import Document, Row, Table
from giro_site.readers.docx import parse_docx
from giro_site.readers.html import parse_html
from giro_site.readers.text import parse_text
from giro_site.report import normalise
from tests.conftest import seed_text
from tests.writers import document_to_docx, document_to_html


def _normalise(document: Document) -> dict[str, Any]:
    return normalise(document, {"file": "t", "format": document.source_format, "sha256": ""})


def _mark_hidden(document: Document, wanted: str) -> Document:
    """The seed's document with the cells whose text is ``wanted`` in the first row whose
    label starts with ``wanted``'s row marked hidden (as a reader would after dropping)."""
    blocks = []
    for block in document.blocks:
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                texts = row.texts()
                if texts and texts[0].startswith(wanted):
                    cells = tuple(cell._replace(hidden=True) if index in (0, 1) else cell
                                  for index, cell in enumerate(row.cells))
                    row = Row(cells, row.line)
                rows.append(row)
            block = Table(tuple(rows), block.line)
        blocks.append(block)
    return Document(blocks=blocks, source_format=document.source_format)


def test_a_hidden_figure_and_a_hidden_label_are_each_a_warning_naming_the_cell() -> None:
    document = _mark_hidden(parse_text(seed_text("000")), "一、本年新收")
    report = _normalise(document)
    hidden = [f for f in report["findings"] if f["code"] == "HIDDEN_TEXT"]
    assert {f["severity"] for f in hidden} == {"warning"}
    # The label cell (no figure read from it) and the natural-person cell, named by path.
    assert sorted(f["where"] for f in hidden) == ["applications", "applications.new_received.natural_person"]
    by_where = {f["where"]: f["message"] for f in hidden}
    assert "“一、本年新收政府信息公开申请数量”一行“自然人”列" in by_where["applications.new_received.natural_person"]
    assert "一、本年新收" in by_where["applications"]
    # The figure is still the visible text's: the finding warns, it does not blank.
    plain = _normalise(parse_text(seed_text("000")))
    assert report["applications"] == plain["applications"]
    assert not [f for f in plain["findings"] if f["code"] == "HIDDEN_TEXT"]


def test_the_pdf_readers_child_process_passes_the_hidden_mark_on() -> None:
    from giro_site.document import Cell
    from giro_site.readers.pdf.isolate import decode, encode

    table = Table((Row((Cell("自然人", 3), Cell("0", 3, 1, False, True)), 3),), 3)
    back = decode(encode(Document(blocks=[table], source_format="pdf")))
    assert [c.hidden for c in back.tables[0].rows[0].cells] == [False, True]


# --- web pages -----------------------------------------------------------------------------

def _marked_document(mark: str = "§") -> Document:
    """Seed 001 with a mark before the figure of 一、本年新收 › 自然人 (a printed 0)."""
    document = parse_text(seed_text("001"))
    blocks = []
    for block in document.blocks:
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                if row.texts() and "本年新收" in row.texts()[0]:
                    cells = list(row.cells)
                    cells[1] = cells[1]._replace(text=mark + cells[1].text)
                    row = Row(tuple(cells), row.line)
                rows.append(row)
            block = Table(tuple(rows), block.line)
        blocks.append(block)
    return Document(blocks=blocks, source_format="txt")


def _page_with(hidden: str, cell_style: str = "", head: str = "") -> dict[str, Any]:
    page = document_to_html(_marked_document()).decode("utf-8").replace("§", hidden, 1)
    if cell_style:
        at = page.index(hidden)
        start = page.rindex("<td", 0, at)
        page = page[:start] + f"<td style=\"{cell_style}\"" + page[start + 3:]
    if head:
        page = page.replace("</head>", f"<style>{head}</style></head>", 1)
    return _normalise(parse_html(page))


HIDDEN_IN_HTML = {
    "transparent": ('<span style="color:transparent">1</span>', "", ""),
    "rgba-alpha-0": ('<span style="color: rgba(0, 0, 0, 0)">1</span>', "", ""),
    "white-on-page": ('<span style="color:#FFFFFF">1</span>', "", ""),
    "font-white": ('<font color="white">1</font>', "", ""),
    "background-colour": ('<span style="color:#eeeeee">1</span>', "background-color:#EEEEEE", ""),
    "font-size-0": ('<span style="font-size:0">1</span>', "", ""),
    "font-size-half-px": ('<span style="font-size:0.5px">1</span>', "", ""),
    "opacity-0": ('<span style="opacity:0">1</span>', "", ""),
    "off-page": ('<span style="position:absolute;left:-9999px">1</span>', "", ""),
    "clipped": ('<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)">1</span>',
                "", ""),
    "clip-path": ('<span style="clip-path: inset(50%)">1</span>', "", ""),
    "text-indent": ('<div style="text-indent:-9999px">1</div>', "", ""),
    "display-none": ('<span style="display:none">1</span>', "", ""),
    "visibility-hidden": ('<span style="visibility:hidden">1</span>', "", ""),
    "hidden-attribute": ("<span hidden>1</span>", "", ""),
    "class-rule": ('<span class="sr-only">1</span>', "", ".sr-only { color: transparent; }"),
    "id-rule": ('<span id="x1">1</span>', "", "span#x1{font-size:0px}"),
}


@pytest.mark.parametrize("way", list(HIDDEN_IN_HTML))
def test_hidden_text_in_a_web_page_is_no_figure_and_is_said(way: str) -> None:
    hidden, cell_style, head = HIDDEN_IN_HTML[way]
    report = _page_with(hidden, cell_style, head)
    assert report["applications"]["new_received"]["natural_person"] == 0  # not 10
    [said] = [f for f in report["findings"] if f["code"] == "HIDDEN_TEXT"]
    assert said["where"] == "applications.new_received.natural_person" and said["severity"] == "warning"
    assert "自然人" in said["message"] and "一、本年新收" in said["message"]


VISIBLE_IN_HTML = {
    "dark-grey": ('<span style="color:#333">1</span>', "", ""),
    "white-on-black": ('<font color="#fff">1</font>', "background:#000", ""),
    "white-on-a-picture": ('<span style="color:white">1</span>', "background:url(bg.png)", ""),
    "size-set-back": ('<span style="font-size:0"><span style="font-size:14px">1</span></span>', "", ""),
    "colour-set-back": ('<span style="color:transparent"><span style="color:#000">1</span></span>', "", ""),
    "rule-with-a-combinator": ('<span class="x">1</span>', "", ".nav .x { display:none }"),
    "small-but-readable": ('<span style="font-size:9pt">1</span>', "", ""),
}


@pytest.mark.parametrize("way", list(VISIBLE_IN_HTML))
def test_text_a_reader_sees_is_read(way: str) -> None:
    hidden, cell_style, head = VISIBLE_IN_HTML[way]
    report = _page_with(hidden, cell_style, head)
    assert report["applications"]["new_received"]["natural_person"] == 10
    assert not [f for f in report["findings"] if f["code"] == "HIDDEN_TEXT"]


def test_hidden_text_in_a_paragraph_is_dropped_without_a_finding() -> None:
    document = parse_text(seed_text("001"))
    page = document_to_html(document).decode("utf-8")
    assert "主动公开政府信息309条" in page
    page = page.replace("主动公开政府信息309条", '主动公开政府信息<span style="color:#fff">1</span>309条', 1)
    report = _normalise(parse_html(page))
    assert report["metrics"]["proactive_items"]["value"] == 309


# --- Word documents ------------------------------------------------------------------------

_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="24"/></w:rPr></w:rPrDefault></w:docDefaults>'
           '<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr>'
           '</w:style>'
           '<w:style w:type="character" w:styleId="Ghost"><w:name w:val="Ghost"/><w:basedOn w:val="Secret"/>'
           '</w:style>'
           '<w:style w:type="character" w:styleId="Paper"><w:name w:val="Paper"/><w:rPr>'
           '<w:color w:val="FFFFFF"/></w:rPr></w:style>'
           '</w:styles>')


def _docx_with(run_properties: str, cell_fill: str = "") -> dict[str, Any]:
    package = document_to_docx(_marked_document())
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    hidden_run = f'</w:t></w:r><w:r><w:rPr>{run_properties}</w:rPr><w:t>1</w:t></w:r><w:r><w:t xml:space="preserve">'
    at = xml.index("§")
    if cell_fill:
        cell = xml.rindex("<w:tcPr>", 0, at) + len("<w:tcPr>")
        xml = xml[:cell] + f'<w:shd w:val="clear" w:color="auto" w:fill="{cell_fill}"/>' + xml[cell:]
    parts["word/document.xml"] = xml.replace("§", hidden_run, 1).encode("utf-8")
    parts["word/styles.xml"] = _STYLES.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return _normalise(parse_docx(buffer.getvalue()))


HIDDEN_IN_DOCX = {
    "vanish": ("<w:vanish/>", ""),
    "spec-vanish": ("<w:specVanish/>", ""),
    "white-on-white": ('<w:color w:val="FFFFFF"/>', ""),
    "shaded-cell-colour": ('<w:color w:val="D9D9D9"/>', "D9D9D9"),
    "highlight-colour": ('<w:highlight w:val="yellow"/><w:color w:val="FFFF00"/>', ""),
    "half-a-point": ('<w:sz w:val="1"/>', ""),
    "hidden-style": ('<w:rStyle w:val="Secret"/>', ""),
    "style-based-on-hidden": ('<w:rStyle w:val="Ghost"/>', ""),
    "white-style": ('<w:rStyle w:val="Paper"/>', ""),
}


@pytest.mark.parametrize("way", list(HIDDEN_IN_DOCX))
def test_hidden_text_in_a_word_document_is_no_figure_and_is_said(way: str) -> None:
    properties, fill = HIDDEN_IN_DOCX[way]
    report = _docx_with(properties, fill)
    assert report["applications"]["new_received"]["natural_person"] == 0
    [said] = [f for f in report["findings"] if f["code"] == "HIDDEN_TEXT"]
    assert said["where"] == "applications.new_received.natural_person"


VISIBLE_IN_DOCX = {
    "vanish-off": ('<w:vanish w:val="0"/>', ""),
    "automatic-colour": ('<w:color w:val="auto"/>', ""),
    "white-on-black-cell": ('<w:color w:val="FFFFFF"/>', "000000"),
    "white-on-its-highlight": ('<w:highlight w:val="black"/><w:color w:val="FFFFFF"/>', ""),
    "small-print": ('<w:sz w:val="10"/>', ""),
}


@pytest.mark.parametrize("way", list(VISIBLE_IN_DOCX))
def test_text_a_reader_of_the_document_sees_is_read(way: str) -> None:
    properties, fill = VISIBLE_IN_DOCX[way]
    report = _docx_with(properties, fill)
    assert report["applications"]["new_received"]["natural_person"] == 10
    assert not [f for f in report["findings"] if f["code"] == "HIDDEN_TEXT"]
