"""PDFs whose tables have no ruling lines, or only some (only the rules between rows, only
the outer frame): a Word file whose table has no borders exported by LibreOffice, a web page
whose table has none printed by Chromium.

Precision first: every figure the PDF gives is the text version's figure in the same cell,
for every print; a table whose rows or columns cannot be told with certainty is reported
missing (``TABLE_MISSING``) or its row left blank with a finding, never guessed. Where the
reader can tell (the Word prints below), the JSON is the text version's, except ``source``
and positions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from giro_site.readers.text import parse_text
from giro_site.report import parse_report
from tests.pdfs import Printer
from tests.test_pdf import SHORT, SYNTH, TEXTS, comparable, text_report
from tests.writers import document_to_docx, document_to_html

TABLES = ("proactive", "applications", "review_litigation")
# Browser prints of both forms on pages of these heights (mm, A4 wide): each cuts table 三 (or
# table 二 beside a sub-row) somewhere else; "hf" adds the browser's own header and footer.
CUTS = {"2019": ["140", "160", "200hf"], "2021": ["120", "140", "180hf"]}
# Prints read whole: the same JSON as the text. Not (yet): seed 004 (its table 二's figure 61
# printed left of its header), the layouts with an empty label or a single （六） row (a label
# merged over rows of two groups), narrow Word pages and browser prints of seed 001 (a label
# cell cut in two beside its figures): a table in doubt is reported missing instead.
READ_WHOLE = ["seed000-none-word", "seed001-none-word", "seed002-none-word", "form2019-none-word", "form2021-none-word",
              "form2021b-none-word", "form2019-horizontal-word", "form2021-frame-word", "form2019-short-none-word",
              "form2021-short-none-word", "broken-none-word", "layout-typo-none-word",
              "layout-enumerated-none-word", "layout-review-header-none-word",
              "seed000-none-web", "seed002-none-web", "form2019-none-web", "form2021-none-web", "form2021b-none-web",
              "broken-none-web", "layout-enumerated-none-web", "layout-review-header-none-web",
              "form2019-horizontal-web", "form2019-narrow-none-web", "form2019-short-none-web",
              "form2021-short-none-web", *(f"form{k}-cut{h}-none-web" for k, hs in CUTS.items() for h in hs),
              *(f"form{k}-repeat{h}-none-web" for k, hs in {"2019": ["105", "140", "200"],
                                                             "2021": ["105", "140"]}.items() for h in hs),
              "seed000-cut120-none-web"]
# Header rows repeated on every page (<thead>, w:tblHeader): the browser prints are read whole,
# also where a block's title of table 二 ends a page and the repeated header of the first
# block stands before that block's header on the next (2019: 105 and 140 mm). Word's narrow
# label column here cuts labels in two beside their figures: refused.
REPEATS = {"2019": ["105", "140", "200"], "2021": ["105", "140"]}
BASES = ["seed000", "seed001", "seed002", "seed003", "seed004", "form2019", "form2021", "form2021b", "broken",
         "layout-typo", "layout-enumerated", "layout-single-other", "layout-empty-label", "layout-review-header"]


def word(text: str, rules: str, page: tuple[int, int] = (11906, 16838), repeat: bool = False) -> bytes:
    return document_to_docx(parse_text(text), borders=rules, indent=True, column_twips=None, page_twips=page,
                            header="某某区人民政府办公室文件", page_numbers="- {} -", repeat_header=repeat)


def web(text: str, rules: str, repeat: bool = False) -> bytes:
    return document_to_html(parse_text(text), chrome=False, source_wraps=False, borders=rules, repeat_header=repeat)


@pytest.fixture(scope="session")
def unruled(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    made = Printer(tmp_path_factory.mktemp("unruled"))
    for name in BASES:
        made.add_word(f"{name}-none-word", word(TEXTS[name], "none"))
        made.add_web(f"{name}-none-web", web(TEXTS[name], "none"))
    made.add_word("form2019-horizontal-word", word(SYNTH["2019"], "horizontal"))
    made.add_word("form2021-frame-word", word(SYNTH["2021"], "frame"))
    made.add_web("form2021-horizontal-web", web(SYNTH["2021"], "horizontal"))
    made.add_web("form2019-horizontal-web", web(SYNTH["2019"], "horizontal"))
    made.add_web("form2019-narrow-none-web", web(SYNTH["2019"], "none"), width="110mm", height="297mm")
    for key in ("2019", "2021"):  # every table crosses a page break; a narrow page wraps the labels
        made.add_word(f"form{key}-short-none-word", word(SYNTH[key], "none", page=SHORT))
        made.add_word(f"form{key}-narrow-none-word", word(SYNTH[key], "none", page=(7000, 16838)))
        made.add_web(f"form{key}-short-none-web", web(SYNTH[key], "none"), width="210mm", height="105mm")
        for height in REPEATS[key]:
            made.add_web(f"form{key}-repeat{height}-none-web", web(SYNTH[key], "none", repeat=True), width="210mm",
                         height=f"{height}mm")
        made.add_word(f"form{key}-repeat-none-word", word(SYNTH[key], "none", page=SHORT, repeat=True))
        for cut in CUTS[key]:
            furniture = {"display_header_footer": True, "margin": {"top": "20mm", "bottom": "20mm"}}
            made.add_web(f"form{key}-cut{cut}-none-web", web(SYNTH[key], "none"), width="210mm",
                         height=f"{cut.removesuffix('hf')}mm", **(furniture if cut.endswith("hf") else {}))
    # Table 二's first header repeated on pages where another block goes on (8000) or where a
    # block's title and header follow it (12000): never read as that block's header.
    for height in (8000, 12000):
        made.add_word(f"form2019-repeat{height}-none-word", word(SYNTH["2019"], "none", page=(11906, height),
                                                                 repeat=True))
    # A row's lone figure (seed 000's totals of 0) at a page's top edge, not its page number.
    made.add_web("seed000-cut120-none-web", web(TEXTS["seed000"], "none"), width="210mm", height="120mm")
    made.print_all()
    return made


def _base(name: str) -> str:
    return next(base for base in sorted(BASES, key=len, reverse=True) if name.startswith(base + "-"))


def _figures(report: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {(key, row, column): value for key in TABLES for row, columns in report[key].items()
            for column, value in columns.items()}


ALL = [*(f"{b}-none-{m}" for b in BASES for m in ("word", "web")), "form2019-horizontal-word",
       "form2021-frame-word", "form2021-horizontal-web", "form2019-horizontal-web", "form2019-narrow-none-web",
       *(f"form{k}-{v}" for k in ("2019", "2021") for v in ("short-none-word", "narrow-none-word", "short-none-web")),
       *(f"form{k}-cut{h}-none-web" for k, hs in CUTS.items() for h in hs),
       *(f"form{k}-repeat{h}-none-web" for k, hs in REPEATS.items() for h in hs),
       *(f"form{k}-repeat-none-word" for k in REPEATS), "seed000-cut120-none-web", "form2019-repeat8000-none-word",
       "form2019-repeat12000-none-word"]


@pytest.mark.parametrize("name", ALL)
def test_no_figure_is_put_in_a_wrong_cell(unruled: Printer, tmp_path: Path, name: str) -> None:
    """Every figure read is the text's figure of that cell; a table not read is named."""
    pdf = parse_report(unruled.pdf(name))
    text = text_report(tmp_path, _base(name))
    read, stated = _figures(pdf), _figures(text)
    wrong = {place: (value, stated.get(place)) for place, value in read.items()
             if value is not None and value != stated.get(place)}
    assert not wrong
    # A figure not read is told: its table missing, its row's figures not placed, its row not found.
    told = {f["where"] for f in pdf["findings"] if f["code"] in ("TABLE_MISSING", "VALUES_SHORT")}
    rows = {f["where"] for f in pdf["findings"] if f["code"] in ("ROW_MISSING", "ROW_UNMAPPED")}
    lost = [p for p, v in stated.items() if v is not None and read.get(p) is None
            and p[0] not in told and f"{p[0]}.{p[1]}" not in rows]
    assert not lost


@pytest.mark.parametrize("name", READ_WHOLE)
def test_unruled_tables_give_the_same_json_as_the_text(unruled: Printer, tmp_path: Path, name: str) -> None:
    pdf = parse_report(unruled.pdf(name))
    text = text_report(tmp_path, _base(name))
    printed = name.endswith("-web")  # a browser's print: spaces beside Chinese in the prose do not count
    assert comparable(pdf, printed=printed) == comparable(text, printed=printed)
    assert not any(f["code"] == "TABLE_MISSING" for f in pdf["findings"])


def test_a_table_row_without_figures_may_stay_text(unruled: Printer, tmp_path: Path) -> None:
    """Seed 003's table 二 ends with a row of words and no figure (a sentence the agency put
    in the table). Without lines nothing shows it is in the table, so it is prose: the same
    tables, without that row's ``ROW_EXTRA`` (an info finding) and extra row."""
    pdf = parse_report(unruled.pdf("seed003-none-word"))
    text = text_report(tmp_path, "seed003")
    for report in (pdf, text):
        report["findings"] = [f for f in report["findings"] if f["code"] != "ROW_EXTRA"]
        report["extra_rows"] = [row for row in report["extra_rows"] if any(v is not None for v in row["values"])]
    assert comparable(pdf) == comparable(text)


def test_the_short_pages_cut_the_unruled_tables(unruled: Printer) -> None:
    """The page-break case tests something: tables cross pages, read as one each."""
    from giro_site.readers.pdf import PdfReader

    document = PdfReader().read(unruled.pdf("form2019-short-none-word").read_bytes())
    pages_of_tables = []
    for table in document.tables:
        lines = [cell.line for row in table.rows for cell in row.cells if cell.line is not None]
        pages_of_tables.append({document.place(line)[0] for line in lines})  # type: ignore[index]
    assert len(document.tables) == 3 and sum(len(pages) > 1 for pages in pages_of_tables) >= 2, pages_of_tables


@pytest.mark.parametrize("name", ["form2019-short-none-web", "form2021-short-none-web",
                                  *(f"form{k}-cut{h}-none-web" for k, hs in CUTS.items() for h in hs)])
def test_the_browser_prints_cut_table_three(unruled: Printer, name: str) -> None:
    """The page-break cases test something: table 三 (or table 二, for 2019 at 160 mm: the
    break falls between its sub-rows 行政检查 and 行政确认) is read from two pages or more."""
    from giro_site.readers.pdf import PdfReader

    document = PdfReader().read(unruled.pdf(name).read_bytes())

    def pages(word: str) -> set[int]:
        table = next(t for t in document.tables if any(word in c.text for r in t.rows for c in r.cells))
        lines = [cell.line for row in table.rows for cell in row.cells if cell.line is not None]
        return {document.place(line)[0] for line in lines}  # type: ignore[index]

    if name == "form2019-cut160-none-web":
        assert len(pages("行政检查") | pages("行政确认")) > 1
    else:
        assert len(pages("予以公开")) > 1


@pytest.mark.parametrize("name", [f"form{k}-repeat{h}-none-web" for k, hs in REPEATS.items() for h in hs])
def test_a_repeated_header_continues_table_three(unruled: Printer, tmp_path: Path, name: str) -> None:
    """Table 三's header printed again at the top of each page it runs on is not a new table
    (nor a running header to drop): the table is read whole, with the text's figures."""
    pdf = parse_report(unruled.pdf(name))
    text = text_report(tmp_path, _base(name))
    assert pdf["applications"] == text["applications"]
    assert not any(f["code"] == "TABLE_MISSING" and f["where"] == "applications" for f in pdf["findings"])
