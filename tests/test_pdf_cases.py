"""PDFs as real reports come, each read cell for cell as its text, or with a finding:

* text a reader cannot see (render mode 3, a fully transparent fill, a glyph under half a
  point, text outside the page): not read; a cell that held some gets ``HIDDEN_TEXT``. A
  transparent ``1`` before a printed figure must not make it ``1`` and that figure;
* a page whose content sits in a Form XObject (overlay, stamping and n-up tools): read
  like the plain page, ruling lines and all;
* a tall merged label (``三、本年度办理结果``) set a character or two a line, with no line
  drawn between it and the row labels beside it: each cell's text from its own box.

The PDFs are the seed printed by LibreOffice and Chromium (``tests/pdfs.py``), then changed
as those tools and hostile authors change them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from giro_site.readers.pdf import PdfReader
from giro_site.report import parse_report
from tests.pdfs import (
    HIDDEN_KINDS,
    Printer,
    in_form_xobjects,
    tall_merged_label_docx,
    tall_merged_label_html,
    with_hidden_text,
)
from tests.test_pdf import TEXTS, comparable, text_report, web, word
from tests.test_pdf_unruled import web as unruled_web

TABLES = ("proactive", "applications", "review_litigation")
SEED = "seed002"
LABEL = "（一）予"  # the row a hidden "1" is put in (its label may wrap after these), before its first figure
PRINTS = {"word": "LibreOffice, ruled", "web": "Chromium, ruled", "unruled-web": "Chromium, no table lines"}


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    made = Printer(tmp_path_factory.mktemp("cases"))
    text = TEXTS[SEED]
    made.add_word("word", word(text))
    made.add_web("web", web(text))
    made.add_web("unruled-web", unruled_web(text, "none"))
    made.add_word("tall-word", tall_merged_label_docx(word(text)))
    made.add_web("tall-web", tall_merged_label_html(web(text)))
    made.print_all()
    return made


def _tables(report: dict[str, Any]) -> dict[str, Any]:
    return {key: report[key] for key in TABLES}


def _hidden(report: dict[str, Any]) -> list[str]:
    return sorted(f["where"] for f in report["findings"] if f["code"] == "HIDDEN_TEXT")


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
@pytest.mark.parametrize("made", list(PRINTS))
def test_text_a_reader_cannot_see_is_not_read_and_its_cell_is_named(cases: Printer, tmp_path: Path, made: str,
                                                                    kind: str) -> None:
    expected = text_report(tmp_path, SEED)
    plain = parse_report(cases.pdf(made))
    assert _tables(plain) == _tables(expected)  # the print itself is read whole
    changed = with_hidden_text(cases.pdf(made), tmp_path / f"{made}-{kind}.pdf", kind, LABEL)
    report = parse_report(changed)
    assert _tables(report) == _tables(expected)  # every cell, the one beside the hidden "1" too
    if kind == "off-page":  # figures of another year, below the page: in no cell, no paragraph, nowhere
        document = PdfReader().read(changed.read_bytes())
        assert not [b for b in document.paragraphs if "2099" in b.text]
        assert "2099" not in json.dumps(report, ensure_ascii=False)
        assert _hidden(report) == []
    else:
        assert _hidden(report) == ["applications.granted.natural_person"]
    # Nothing else moved: the same report but for that finding.
    report["findings"] = [f for f in report["findings"] if f["code"] != "HIDDEN_TEXT"]
    assert comparable(report, printed=made != "word") == comparable(plain, printed=made != "word")


@pytest.mark.parametrize("made", ["word", "web"])
# As a stamping tool draws the page (1:1), in a form inside another, and shrunk to 90 % and
# moved to leave room for a stamp.
@pytest.mark.parametrize(("scale", "shift", "depth"), [(1.0, (0.0, 0.0), 1), (1.0, (0.0, 0.0), 2),
                                                       (0.9, (20.0, 30.0), 1)])
def test_a_page_inside_a_form_xobject_reads_like_the_plain_page(cases: Printer, tmp_path: Path, made: str,
                                                              scale: float, shift: tuple[float, float],
                                                              depth: int) -> None:
    wrapped = in_form_xobjects(cases.pdf(made), tmp_path / "wrapped.pdf", scale=scale, shift=shift, depth=depth)
    report = parse_report(wrapped)
    assert _tables(report) == _tables(text_report(tmp_path, SEED))
    assert not [f for f in report["findings"] if f["code"] in ("TABLE_MISSING", "VALUES_SHORT", "ROW_MISSING")]
    if scale == 1.0:  # the same page, only wrapped: the same report
        assert comparable(report, printed=made == "web") == comparable(parse_report(cases.pdf(made)),
                                                                       printed=made == "web")


@pytest.mark.parametrize("made", ["tall-word", "tall-web"])
def test_a_tall_merged_label_without_a_line_beside_it_keeps_to_its_cell(cases: Printer, tmp_path: Path,
                                                                      made: str) -> None:
    report = parse_report(cases.pdf(made))
    assert _tables(report) == _tables(text_report(tmp_path, SEED))
    assert not [f for f in report["findings"] if f["code"] in ("ROW_MISSING", "ROW_UNMAPPED", "LABEL_ASSUMED",
                                                                "TABLE_MISSING", "HEADER_ASSUMED")]


def test_a_row_left_out_of_a_table_otherwise_read_never_calls_its_figures_blank(tmp_path: Path) -> None:
    """A row of the form printed as a line of its own after a table without lines that was
    read (a part the reader did not see as the table's): the finding says that part is blank
    and the figures read stay, not that the table is blank."""
    page = unruled_web(TEXTS[SEED], "none").decode("utf-8")
    second = page.index("</table>", page.index("</table>") + 1) + len("</table>")
    row = "&emsp;&emsp;".join(["（六）其他处理", "7", "0", "0", "0", "0", "0", "7"])  # spaced as a table's row
    page = page[:second] + f"<p>{row}</p>" + page[second:]
    made = Printer(tmp_path)
    made.add_web("stray", page.encode("utf-8"))
    report = parse_report(made.pdf("stray"))
    missing = [f for f in report["findings"] if f["code"] == "TABLE_MISSING"]
    assert [f["where"] for f in missing] == ["applications"]
    assert "已读入的数字照常使用" in missing[0]["message"] and "这张表" not in missing[0]["message"]
    assert report["applications"] == text_report(tmp_path, SEED)["applications"]  # the figures read stay
