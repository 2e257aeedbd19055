"""PDFs give the same JSON as the text, web and Word versions of the same report.

The PDFs are made here as agencies make them (``tests/pdfs.py``): Word files with ruled
tables, indented paragraphs, a running header and page numbers exported by LibreOffice;
web pages printed by Chromium. Beside the seeds, reports built from both forms' facts
(blank cells, sub-rows), on a short page that cuts every table several times and on a
narrow page that wraps the labels. Only ``source`` and positions may differ.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import expected_model, random_report, render_text
from giro_site.document import Table
from giro_site.readers.pdf.join import starts_new
from giro_site.readers.text import parse_text
from giro_site.report import parse_report
from tests.conftest import SEED_IDS, SEEDS
from tests.pdfs import Printer
from tests.writers import document_to_docx, document_to_html

A4 = (11906, 16838)
SHORT = (11906, 7600)  # about half an A4 page: every table crosses a page break
NARROW = (7000, 16838)  # a page so narrow that the labels wrap over several lines


def word(text: str, *, page: tuple[int, int] = A4, numbers: str = "- {} -", repeat: bool = False) -> bytes:
    return document_to_docx(parse_text(text), borders=True, indent=True, column_twips=None, page_twips=page,
                            header="某某区人民政府办公室文件", page_numbers=numbers, repeat_header=repeat)


def web(text: str, repeat: bool = False) -> bytes:
    return document_to_html(parse_text(text), chrome=False, source_wraps=False, repeat_header=repeat)


def synth(form: str, seed: int, **options: Any) -> str:
    rng = random.Random(seed)
    return render_text(random_report(rng, "青石镇人民政府", "某省某市某区", 2021 if form == "2021" else 2020, form=form,
                                     blanks=True, subrows=True, **options))


SYNTH = {"2019": synth("2019", 13), "2021": synth("2021", 11), "2021b": synth("2021", 12)}
BROKEN = synth("2021", 14, broken=True)


def seed_layout(rows_of: dict[int, list[list[str]]], text: str) -> str:
    """``text`` (the seeds' layout) with some of its tables' rows replaced (by table index)."""
    document = parse_text(text)
    lines: list[str] = []
    tables = 0
    for block in document.blocks:
        if isinstance(block, Table):
            rows = rows_of.get(tables, [row.texts() for row in block.rows])
            tables += 1
            for row in rows:
                lines.extend("\t" + cell for cell in row)
                lines.append("")
            lines.append("")
        else:
            lines.append(block.text)
    return "\n".join(lines) + "\n"


def _rows(text: str, index: int) -> list[list[str]]:
    return [row.texts() for row in parse_text(text).tables[index].rows]


def _single_other_row(text: str) -> str:
    """A 2021-form table 三 that keeps the 2019 form's single （六） row, printed in the 2021
    grid: its sub-row label cell is empty."""
    rows = _rows(text, 1)
    first = next(i for i, row in enumerate(rows) if "（六）其他处理" in row)
    sums = [str(sum(int(rows[first + k][-7 + c].strip() or 0) for k in range(3))) for c in range(7)]
    return seed_layout({1: [*rows[:first], ["", "（六）其他处理", "", *sums], *rows[first + 3:]]}, text)


def _empty_label(text: str, label: str) -> str:
    """A row whose own label cell is empty: its place between two named rows tells which it is."""
    rows = _rows(text, 1)
    return seed_layout({1: [["" if cell == label else cell for cell in row] for row in rows]}, text)


def _review_header_extra_cell(text: str) -> str:
    rows = _rows(text, 2)
    return seed_layout({2: [["", *rows[0]], *rows[1:]]}, text)


# Layouts real reports show; the forms map their labels (forms/align.py), the PDF must give
# the same cells as the text does. The rows each one is about, and the key they map to.
LAYOUT_ROWS = {"typo": "denied_prohibited", "enumerated": "denied_state_secret", "single-other": "other",
               "empty-label": "denied_prohibited"}
LAYOUTS = {
    "typo": SYNTH["2019"].replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开"),
    "enumerated": re.sub(r"(?m)^\t(\d)\.", r"\t\1、", SYNTH["2019"]),
    "single-other": _single_other_row(SYNTH["2021"]),
    "empty-label": _empty_label(SYNTH["2019"], "2.其他法律行政法规禁止公开"),
    "review-header": _review_header_extra_cell(SYNTH["2021"]),
}


def _texts() -> dict[str, str]:
    texts = {f"seed{seed.name[:3]}": seed.read_text(encoding="utf-8") for seed in SEEDS}
    texts.update({f"form{key}": text for key, text in SYNTH.items()})
    texts["broken"] = BROKEN
    texts.update({f"layout-{key}": text for key, text in LAYOUTS.items()})
    return texts


TEXTS = _texts()


@pytest.fixture(scope="session")
def printer(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    """Every PDF this module reads, printed once per session."""
    made = Printer(tmp_path_factory.mktemp("pdfs"))
    for name, text in TEXTS.items():
        made.add_word(f"{name}-word", word(text, numbers="第 {} 页" if name.endswith("2") else "- {} -"))
        made.add_web(f"{name}-web", web(text))
    for key in ("2019", "2021"):
        made.add_word(f"form{key}-short-word", word(SYNTH[key], page=SHORT))
        made.add_word(f"form{key}-narrow-word", word(SYNTH[key], page=NARROW))
        made.add_web(f"form{key}-short-web", web(SYNTH[key]), width="210mm", height="105mm")
        made.add_web(f"form{key}-narrow-web", web(SYNTH[key]), width="110mm", height="297mm")
        # Short pages with the tables' header rows repeated on every page they run on.
        made.add_word(f"form{key}-repeat-word", word(SYNTH[key], page=SHORT, repeat=True))
        made.add_web(f"form{key}-repeat-web", web(SYNTH[key], repeat=True), width="210mm", height="105mm")
    # A page printed with the browser's own header (date, title) and footer (address, "1/3").
    made.add_web("seed002-browser-furniture", web(TEXTS["seed002"]), display_header_footer=True,
                 margin={"top": "20mm", "bottom": "20mm"})
    # A plain Word file: tables without ruling lines, paragraphs without indent.
    made.add_word("seed001-unruled-word", document_to_docx(parse_text(TEXTS["seed001"])))
    made.add_web("not-a-report-web", "<html><body><h1>页面不存在</h1><p>您访问的页面不存在或已被删除，"
                 "请返回首页。</p><p>某某区人民政府门户网站</p></body></html>".encode())
    made.print_all()
    return made


_WIDE_SPACE = re.compile(r" (?=[\u2e80-\uffff])|(?<=[\u2e80-\uffff]) ")


def comparable(report: dict[str, Any], *, printed: bool = False) -> dict[str, Any]:
    """The report without what names the file (``source``) or a place in it (``line``,
    ``page``, and so the order of findings). For a browser's print (``printed``), a space beside a Chinese character in
    the prose does not count: a browser breaks lines at spaces, and a space at a line end
    is not printed, so no reader can see it."""
    out = {key: value for key, value in report.items() if key != "source"}
    for key in ("findings", "extra_rows"):
        out[key] = [{k: v for k, v in item.items() if k not in ("line", "page")} for item in report[key]]
    # Findings are listed by their place in the file; the cells of a printed row share a line.
    out["findings"].sort(key=lambda f: (f["severity"], f["code"], f["where"], f["message"]))
    if printed:
        out["narrative"] = {k: _WIDE_SPACE.sub("", v) for k, v in report["narrative"].items()}
    return out


def text_report(tmp_path: Path, name: str) -> dict[str, Any]:
    path = tmp_path / f"{name}.txt"
    path.write_text(TEXTS[name], encoding="utf-8")
    return parse_report(path)


@pytest.mark.parametrize("maker", ["word", "web"])
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_seed_pdf_gives_the_same_json_as_its_text(printer: Printer, seed: Path, maker: str) -> None:
    pdf = parse_report(printer.pdf(f"seed{seed.name[:3]}-{maker}"))
    assert pdf["source"]["format"] == "pdf"
    assert comparable(pdf, printed=maker == "web") == comparable(parse_report(seed), printed=maker == "web")


@pytest.mark.parametrize("layout", ["", "-short", "-narrow", "-repeat"])
@pytest.mark.parametrize("maker", ["word", "web"])
@pytest.mark.parametrize("form", ["2019", "2021"])
def test_report_from_the_forms_gives_the_same_json_as_its_text(
        printer: Printer, tmp_path: Path, form: str, maker: str, layout: str) -> None:
    pdf = parse_report(printer.pdf(f"form{form}{layout}-{maker}"))
    text = text_report(tmp_path, f"form{form}")
    assert comparable(pdf, printed=maker == "web") == comparable(text, printed=maker == "web")
    expected = expected_model(random_report(random.Random(13 if form == "2019" else 11), "青石镇人民政府",
                                            "某省某市某区", 2021 if form == "2021" else 2020, form=form,
                                            blanks=True, subrows=True))
    for key in ("proactive", "applications", "review_litigation"):
        for row, columns in expected[key].items():
            assert {c: pdf[key][row][c] for c in columns} == columns, (key, row)


@pytest.mark.parametrize("maker", ["word", "web"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts_of_real_reports_give_the_same_json_as_their_text(
        printer: Printer, tmp_path: Path, layout: str, maker: str) -> None:
    pdf = parse_report(printer.pdf(f"layout-{layout}-{maker}"))
    text = text_report(tmp_path, f"layout-{layout}")
    assert comparable(pdf, printed=maker == "web") == comparable(text, printed=maker == "web")
    if layout in LAYOUT_ROWS:  # the row was placed, not lost
        assert any(value is not None for value in pdf["applications"][LAYOUT_ROWS[layout]].values())
    else:  # table 四 read whole under its odd header
        assert all(value is not None for value in pdf["review_litigation"]["review"].values())


def test_tables_without_ruling_lines_are_read_or_reported_never_guessed(printer: Printer) -> None:
    """A plain Word table (no borders, the header not laid out as the form draws it): a
    figure is read into its own cell or not at all, and a table not read is reported
    (``tests/test_pdf_unruled.py`` has the borderless prints of every seed and form)."""
    pdf = parse_report(printer.pdf("seed001-unruled-word"))
    text = parse_report(SEEDS[1])
    missing = {f["where"] for f in pdf["findings"] if f["code"] in ("TABLE_MISSING", "VALUES_SHORT")}
    for key in ("proactive", "applications", "review_litigation"):
        for row, columns in pdf[key].items():
            for column, value in columns.items():
                assert value is None or value == text[key][row][column], (key, row, column)
                assert value is not None or text[key][row][column] is None or key in missing, (key, row, column)
    for key in ("agency", "region", "year", "title", "signature", "metrics"):
        assert pdf[key] == text[key], key
    # Without indents a paragraph whose last line is exactly full cannot be told from a wrap
    # (seed 001 has one such line here): the words are the same, one break is not.
    assert pdf["narrative"]["overview"].replace("\n", "") == text["narrative"]["overview"].replace("\n", "")
    assert pdf["narrative"]["overview"].count("\n") >= text["narrative"]["overview"].count("\n") - 1


def test_short_pages_really_cut_the_tables(printer: Printer) -> None:
    """The page-break tests test something: tables 二 and 三 each cross pages."""
    from giro_site.readers.pdf import PdfReader

    for maker in ("short-word", "short-web", "repeat-word"):
        document = PdfReader().read(printer.pdf(f"form2019-{maker}").read_bytes())
        pages_of_tables = []
        for table in document.tables:
            lines = [cell.line for row in table.rows for cell in row.cells if cell.line is not None]
            pages_of_tables.append({document.place(line)[0] for line in lines})  # type: ignore[index]
        assert sum(len(pages) > 1 for pages in pages_of_tables) >= 2, (maker, pages_of_tables)


def test_browser_headers_and_footers_are_dropped(printer: Printer) -> None:
    pdf = parse_report(printer.pdf("seed002-browser-furniture"))
    assert comparable(pdf, printed=True) == comparable(parse_report(SEEDS[2]), printed=True)


@pytest.mark.parametrize("maker", ["word", "web"])
def test_findings_point_to_a_page_and_a_line_on_it(printer: Printer, maker: str) -> None:
    pdf = parse_report(printer.pdf(f"broken-{maker}"))
    placed = [f for f in pdf["findings"] if f["code"] in ("ROW_TOTAL", "BALANCE", "RESULTS_TOTAL")]
    assert placed and all(f["page"] >= 1 and f["line"] >= 1 for f in placed)
    row_total = next(f for f in placed if f["code"] == "ROW_TOTAL")
    # The line on the page is the line of the figure the finding is about: （一）予以公开's row.
    from giro_site.readers.pdf import PdfReader

    document = PdfReader().read(printer.pdf(f"broken-{maker}").read_bytes())
    table = next(t for t in document.tables if any("予以公开" in c.text for r in t.rows for c in r.cells))
    row = next(r for r in table.rows if any("予以公开" in c.text for c in r.cells))
    assert document.place(row.cells[-1].line) == (row_total["page"], row_total["line"])  # type: ignore[arg-type]


def test_a_label_cut_by_a_page_break_is_told_from_a_new_one() -> None:
    assert not starts_new("重新出具已获取信息", "5．要求行政机关确认或")
    assert not starts_new("项之和，等于第三项加第四项之和）", "（本列数据的勾稽关系为：第一项加第二")
    assert starts_new("商业企业", "法人或其他组织")
    assert starts_new("（四）无法提供", "8.属于行政查询事项")
    assert starts_new("3.危及“三安全一稳定”", "2.其他法律行政法规禁止公开")


def test_a_folder_of_pdfs_builds_into_the_site(printer: Printer, tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from giro_site.site.build.builder import BuildOptions, build_site
    from tests.conftest import ROOT

    reports = tmp_path / "content" / "reports"
    (reports / "2020").mkdir(parents=True)
    (reports / "2021").mkdir()
    for index, seed in enumerate(SEEDS):
        maker = "word" if index % 2 else "web"
        shutil.copy(printer.pdf(f"seed{seed.name[:3]}-{maker}"), reports / "2020" / f"{seed.name[:3]}.pdf")
    shutil.copy(printer.pdf("broken-word"), reports / "2021" / "broken.pdf")
    whole = printer.pdf("seed001-word").read_bytes()
    (reports / "2021" / "cut.pdf").write_bytes(whole[: len(whole) // 5])
    result = build_site(BuildOptions(content=tmp_path / "content", out=tmp_path / "public", build_date="2026-01-02"))
    assert result.reports == 6
    assert [problem.split("：", 1)[0].rsplit("/", 1)[-1] for problem in result.problems] == ["cut.pdf"]
    problems = (tmp_path / "public" / "problems" / "index.html").read_text(encoding="utf-8")
    assert "cut.pdf" in problems and "损坏或不完整" in problems
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "public").rglob("*.html")]
    assert any(re.search(r"（原文第\d+页第\d+行）", page) for page in pages)  # the broken report's findings
    assert not any("（原文第" in page and "行）" in page and re.search(r"（原文第\d+行）", page) for page in pages)
    check = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(tmp_path / "content")],
                           capture_output=True, text=True, cwd=ROOT)
    assert re.search(r"ROW_TOTAL applications\.granted\.total 第\d+页第\d+行", check.stdout), check.stdout
    assert "无法读取 content/reports/2021/cut.pdf" in check.stdout
