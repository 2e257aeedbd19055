"""The same report gives the same JSON whatever its format: text, web page or Word file.

HTML and DOCX versions are written here from the text version (``tests/writers.py``), with
what publishers do to them: navigation around the article, GBK pages, rowspans and
colspans, ``<p>`` and ``<br>`` in cells, tables split at page breaks, pages laid out with
tables, Word's runs split mid-word. Only ``source`` (which file) and line numbers (which
point into each file) may differ.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from giro_site.bench.synth import expected_model, random_report, render_text
from giro_site.document import Table
from giro_site.errors import ReportError
from giro_site.readers import READERS, read_document
from giro_site.readers.docx import parse_docx
from giro_site.readers.html import HtmlReader, collapse_spaces, parse_html
from giro_site.readers.text import parse_text
from giro_site.report import parse_report
from giro_site.site.urls import source_name
from tests.conftest import ROOT, SEED_IDS, SEEDS, seed_text
from tests.writers import document_to_docx, document_to_html, docx_package, docx_paragraph

HTML_VARIANTS: dict[str, dict[str, Any]] = {
    "utf8": {},
    "gbk-declared-gb2312": {"encoding": "gbk", "declare": "gb2312"},
    "gbk-undeclared": {"encoding": "gbk", "declare": None},
    "utf8-declared-gb2312": {"declare": "gb2312"},  # a page whose meta tag is wrong
    "split-tables": {"split_tables": True},
    "layout-table": {"layout_table": True},
}


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what names the file: its source and line numbers."""
    out = {key: value for key, value in report.items() if key != "source"}
    for key in ("findings", "extra_rows"):
        out[key] = [{k: v for k, v in item.items() if k != "line"} for item in report[key]]
    return out


def parse_file(tmp: Path, name: str, data: bytes) -> dict[str, Any]:
    path = tmp / name
    path.write_bytes(data)
    return parse_report(path)


def versions(tmp: Path, text: str, html_options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report parsed from its text, HTML and DOCX files."""
    document = parse_text(text)
    return {
        "txt": parse_file(tmp, "report.txt", text.encode("utf-8")),
        "html": parse_file(tmp, "report.html", document_to_html(document, **html_options)),
        "docx": parse_file(tmp, "report.docx", document_to_docx(document)),
    }


@pytest.mark.parametrize("variant", list(HTML_VARIANTS))
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_seed_gives_the_same_json_as_html_and_docx(tmp_path: Path, seed: Path, variant: str) -> None:
    parsed = versions(tmp_path, seed.read_text(encoding="utf-8"), HTML_VARIANTS[variant])
    assert parsed["html"]["source"]["format"] == "html" and parsed["docx"]["source"]["format"] == "docx"
    assert comparable(parsed["html"]) == comparable(parsed["txt"])
    assert comparable(parsed["docx"]) == comparable(parsed["txt"])


@pytest.mark.parametrize(("form", "seed_number"), [("2021", 11), ("2021", 12), ("2019", 13)])
def test_report_built_from_the_form_gives_the_same_json_in_every_format(
        tmp_path: Path, form: str, seed_number: int) -> None:
    rng = random.Random(seed_number)
    report = random_report(rng, "青石镇人民政府", "某省某市某区", 2021 if form == "2021" else 2020, form=form,
                           blanks=True, subrows=True)
    parsed = versions(tmp_path, render_text(report), {"encoding": "gbk", "declare": "gbk", "split_tables": True})
    expected = expected_model(report)
    for version in parsed.values():
        assert version["form"] == form
        for key in ("proactive", "applications", "review_litigation"):
            stated = version[key if key != "review_litigation" else "review_litigation"]
            wanted = expected[key]
            for row, columns in wanted.items():
                assert {c: stated[row][c] for c in columns} == columns, (key, row)
    assert comparable(parsed["html"]) == comparable(parsed["txt"])
    assert comparable(parsed["docx"]) == comparable(parsed["txt"])


def test_cli_parse_prints_the_same_tables_for_every_format(tmp_path: Path) -> None:
    document = parse_text(seed_text("001"))
    (tmp_path / "r.html").write_bytes(document_to_html(document, encoding="gbk", declare="gb2312"))
    (tmp_path / "r.docx").write_bytes(document_to_docx(document))
    outputs = {}
    for name in ("r.html", "r.docx"):
        run = subprocess.run([sys.executable, str(ROOT / "build.py"), "parse", str(tmp_path / name)],
                             capture_output=True, check=True, cwd=ROOT)
        outputs[name] = json.loads(run.stdout.decode("utf-8"))
    text = parse_report(SEEDS[1])
    for output in outputs.values():
        for key in ("proactive", "applications", "review_litigation", "metrics", "agency", "year"):
            assert output[key] == text[key]


# --- HTML specifics --------------------------------------------------------------------


def only_table(document: Any) -> Table:
    tables = [b for b in document.blocks if isinstance(b, Table)]
    assert len(tables) == 1
    return tables[0]


def test_rowspan_and_colspan_give_the_text_formats_placeholders() -> None:
    page = """<table>
      <tr><th rowspan="2" colspan="2">指标</th><th colspan="2">申请人<br>情况</th><th rowspan=2>总计</th></tr>
      <tr><th>自然人</th><th>法人</th></tr>
      <tr><td rowspan="3">三、结果</td><td>（一）予以公开</td><td>1</td><td>&nbsp;</td><td>1</td></tr>
      <tr><td><p>（三）不予</p><p></p><p>公开</p></td><td>2<td>0<td>2
      <tr><td>（四）其他</td><td>0</td><td>0</td><td>0</td></tr>
    </table>"""
    rows = [[(c.text, c.colspan, c.merged) for c in row.cells] for row in only_table(parse_html(page)).rows]
    assert rows[0] == [("指标", 2, False), ("申请人\n情况", 2, False), ("总计", 1, False)]
    assert rows[1] == [("", 2, True), ("自然人", 1, False), ("法人", 1, False), ("", 1, True)]
    assert rows[2][0] == ("三、结果", 1, False) and rows[2][3] == ("\xa0", 1, False)
    assert rows[3] == [("", 1, True), ("（三）不予\n\n公开", 1, False), ("2", 1, False), ("0", 1, False),
                       ("2", 1, False)]
    assert rows[4][0] == ("", 1, True) and len(rows[4]) == 5


def test_navigation_scripts_and_hidden_text_are_not_the_report() -> None:
    original = parse_text(seed_text("002"))
    document = parse_html(document_to_html(original, chrome=True).decode("utf-8"))
    text = "\n".join(b.text for b in document.blocks if not isinstance(b, Table))
    for furniture in ("当前位置", "首页", "分享到", "打印本页", "主办单位", "ICP", "统计", "隐藏", "相关链接", "搜索"):
        assert furniture not in text, furniture
    assert [b.text for b in document.paragraphs] == [b.text for b in original.paragraphs]


def test_wrapped_source_lines_do_not_put_spaces_into_chinese() -> None:
    assert collapse_spaces("信息\n    公开2020\n年共54条") == "信息公开2020年共54条"
    assert collapse_spaces("open  data\nportal") == "open data portal"


def test_charset_from_meta_detected_or_wrongly_declared() -> None:
    body = "<p>二〇二〇年度政府信息公开工作年度报告</p>"
    for data in (f'<meta charset="gb2312">{body}'.encode("gbk"), body.encode("gbk"),
                 f'<meta charset="gb2312">{body}'.encode(), body.encode("utf-16")):
        assert parse_html_bytes(data).blocks[0].text == "二〇二〇年度政府信息公开工作年度报告"


def parse_html_bytes(data: bytes) -> Any:
    return HtmlReader().read(data)


def test_a_page_without_a_report_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    page = "<html><body><div class='nav'><a href='/'>首页</a></div><p>您访问的页面不存在或已删除。</p></body></html>"
    with pytest.raises(ReportError, match="找不到年度报告"):
        parse_file(tmp_path, "moved.html", page.encode())
    with pytest.raises(ReportError, match="文件为空"):
        parse_file(tmp_path, "empty.htm", b"")


# --- DOCX specifics ---------------------------------------------------------------------


def test_python_docx_merged_cells_are_counted_once() -> None:
    import docx  # python-docx writes the merges as Word does

    document = docx.Document()
    document.add_paragraph("2020年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "三、本年度办理结果"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "申请人情况"
    for row in (1, 2):
        for col in (1, 2, 3):
            table.cell(row, col).text = str(row * 10 + col)
    buffer = io.BytesIO()
    document.save(buffer)
    read = parse_docx(buffer.getvalue())
    assert read.blocks[0].text == "2020年政府信息公开工作年度报告"
    rows = [[(c.text, c.colspan, c.merged) for c in row.cells] for row in only_table(read).rows]
    assert rows == [
        [("三、本年度办理结果", 1, False), ("申请人情况", 3, False)],
        [("", 1, True), ("11", 1, False), ("12", 1, False), ("13", 1, False)],
        [("", 1, True), ("21", 1, False), ("22", 1, False), ("23", 1, False)],
    ]


def test_text_boxes_nested_tables_and_frames_keep_their_text_once() -> None:
    textbox = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
               + docx_paragraph("文本框中的说明") + '</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>'
               '<v:textbox><w:txbxContent>' + docx_paragraph("文本框中的说明")
               + '</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    nested = ("<w:tbl><w:tr><w:tc>" + docx_paragraph("外层") + "</w:tc><w:tc><w:tbl><w:tr><w:tc>"
              + docx_paragraph("内层甲") + "</w:tc><w:tc>" + docx_paragraph("内层乙")
              + "</w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr><w:tr><w:tc>" + docx_paragraph("1")
              + "</w:tc><w:tc>" + docx_paragraph("2") + "</w:tc></w:tr></w:tbl>")
    frame = "<w:tbl><w:tr><w:tc>" + docx_paragraph("框内正文") + "</w:tc></w:tr></w:tbl>"
    deleted = ('<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>'
               '<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:br/><w:t>第二行</w:t></w:r></w:p>')
    read = parse_docx(docx_package(textbox + nested + frame + deleted))
    paragraphs = [b.text for b in read.blocks if not isinstance(b, Table)]
    assert paragraphs == ["文本框中的说明", "框内正文", "保留", "第二行"]
    assert only_table(read).rows[0].texts() == ["外层", "内层甲\n内层乙"]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "损坏或不完整"),
    (b"PK\x03\x04 not really a zip", "损坏或不完整"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word"),
])
def test_broken_docx_files_get_a_clear_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ReportError, match=reason) as error:
        parse_file(tmp_path, "bad.docx", data)
    assert "bad.docx" in str(error.value)


def test_truncated_docx_and_docx_without_body(tmp_path: Path) -> None:
    whole = document_to_docx(parse_text(seed_text("000")))
    for cut in (len(whole) // 3, len(whole) - 30):
        with pytest.raises(ReportError, match=r"损坏|不完整"):
            parse_file(tmp_path, "cut.docx", whole[:cut])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ReportError, match="没有 Word 正文"):
        parse_file(tmp_path, "nobody.docx", buffer.getvalue())
    with pytest.raises(ReportError, match="XML 已损坏"):
        parse_file(tmp_path, "badxml.docx", docx_package("<w:p><w:r><w:t>未闭合</w:r></w:p>"))


def test_too_large_files_are_refused_before_they_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html_reader = next(r for r in READERS if r.format_name == "html")
    monkeypatch.setattr(html_reader, "max_bytes", 1024)
    path = tmp_path / "huge.html"
    path.write_bytes(b"<p>" + "很长的网页".encode() * 2000 + b"</p>")
    with pytest.raises(ReportError, match="上限"):
        read_document(path)


# --- a content folder with every format -----------------------------------------------


def test_a_build_reads_every_format_and_lists_what_it_cannot(tmp_path: Path) -> None:
    from giro_site.site.build.builder import BuildOptions, build_site

    reports = tmp_path / "content" / "reports"
    (reports / "2020").mkdir(parents=True)
    seeds = [parse_text(path.read_text(encoding="utf-8")) for path in SEEDS]
    (reports / "2020" / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (reports / "2020" / "b.html").write_bytes(document_to_html(seeds[1], encoding="gbk", declare="gbk"))
    (reports / "2020" / "c.docx").write_bytes(document_to_docx(seeds[2]))
    (reports / "2020" / "d.docx").write_bytes(document_to_docx(seeds[3])[:500])
    (reports / "2020" / "e.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (reports / "2020" / "f.pdf").write_bytes(b"%PDF-1.4\n")
    result = build_site(BuildOptions(content=tmp_path / "content", out=tmp_path / "public", build_date="2026-01-02"))
    assert result.reports == 3
    assert sorted(problem.split("：", 1)[0].rsplit("/", 1)[-1] for problem in result.problems) == [
        "d.docx", "e.doc", "f.pdf"]
    page = (tmp_path / "public" / "problems" / "index.html").read_text(encoding="utf-8")
    assert "另存为 .docx" in page and "损坏或不完整" in page
    assert [p.name for p in (tmp_path / "public").rglob("*.docx")] == [source_name("reports/2020/c.docx")]
    # A published web page is kept to download, never served as a page that could run its scripts.
    served = [p.name for p in (tmp_path / "public").rglob("2020_b_html*")]
    assert served == [source_name("reports/2020/b.html")] and served[0].endswith(".txt") and served[0].count(".") == 1
    pages = (tmp_path / "public" / "agency").rglob("*.html")
    assert any('download="b.html"' in page.read_text(encoding="utf-8") for page in pages)
