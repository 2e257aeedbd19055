"""Text a reader of the original cannot see is not a figure: the readers drop it, and the
forms stage says which cell held it (HIDDEN_TEXT), so a report hiding figures is visible."""

from __future__ import annotations

from typing import Any

from giro_site.document import Document, Row, Table
from giro_site.readers.text import parse_text
from giro_site.report import normalise
from tests.conftest import seed_text


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
