"""Make PDFs the way agencies make them: a Word file exported by LibreOffice
(``soffice --convert-to pdf``) and a web page printed by Chromium (Playwright's
``page.pdf``, with Debian's ``/usr/bin/chromium``).

LibreOffice takes seconds to start, so every Word file a test session needs is converted in
one ``soffice`` call, with a profile of its own (a shared profile would clash with another
``soffice`` on the machine); Chromium is started once. Without either tool the tests skip on
a workstation and fail under CI (``CI`` set), where ``.ci/run`` installs both.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PDF tests cannot run in CI: {reason}")
    pytest.skip(reason)


def soffice_convert(files: dict[str, bytes], suffix: str, target: str, source: Path, out: Path,
                    profile: Path) -> dict[str, Path]:
    """Each file (name → bytes, saved with ``suffix``) converted by LibreOffice to ``target``
    (``pdf``, ``docx:MS Word 2007 XML``) in one ``soffice`` call; the converted files by name."""
    soffice = shutil.which("soffice")
    if soffice is None:
        unavailable("soffice is missing (apt-get install libreoffice-writer-nogui)")
    source.mkdir(exist_ok=True)
    out.mkdir(exist_ok=True)
    paths = []
    for name, data in files.items():
        path = source / f"{name}{suffix}"
        path.write_bytes(data)
        paths.append(str(path))
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out), *paths],
                   check=True, capture_output=True, timeout=600)
    extension = "." + target.split(":", 1)[0]
    converted = {name: out / f"{name}{extension}" for name in files}
    for name, path in converted.items():
        assert path.is_file(), f"LibreOffice did not convert {name}{suffix} to {extension}"
    return converted


@dataclass
class Printer:
    """Collects files to print, prints them all at once, and hands out the PDFs."""

    folder: Path
    word: dict[str, bytes] = field(default_factory=dict)
    web: dict[str, tuple[bytes, dict[str, Any]]] = field(default_factory=dict)
    printed: dict[str, Path] = field(default_factory=dict)

    def add_word(self, name: str, docx: bytes) -> None:
        self.word[name] = docx

    def add_web(self, name: str, page: bytes, **options: Any) -> None:
        """``options`` go to ``page.pdf`` (paper size, margins, header and footer)."""
        self.web[name] = (page, options)

    def pdf(self, name: str) -> Path:
        if name not in self.printed:
            self.print_all()
        return self.printed[name]

    def print_all(self) -> None:
        pending_word = {n: d for n, d in self.word.items() if n not in self.printed}
        pending_web = {n: d for n, d in self.web.items() if n not in self.printed}
        if pending_word:
            self._libreoffice(pending_word)
        if pending_web:
            self._chromium(pending_web)

    def _libreoffice(self, files: dict[str, bytes]) -> None:
        converted = soffice_convert(files, ".docx", "pdf", self.folder / "docx", self.folder / "pdf-word",
                                    self.folder / "soffice-profile")
        self.printed.update(converted)

    def _chromium(self, pages: dict[str, tuple[bytes, dict[str, Any]]]) -> None:
        """Print in a child Python: Playwright's sync API refuses to start inside a test
        session whose browser tests already run it."""
        if not CHROMIUM.exists():
            unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
        if importlib.util.find_spec("playwright") is None:
            unavailable("the playwright package is missing (pip install playwright)")
        out = self.folder / "pdf-web"
        out.mkdir(exist_ok=True)
        jobs = []
        for name, (html, options) in pages.items():
            source = out / f"{name}.html"
            source.write_bytes(html)
            jobs.append([str(source), str(out / f"{name}.pdf"), options])
        (out / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "tests.pdfs", str(out / "jobs.json")], check=True, timeout=600,
                       cwd=Path(__file__).resolve().parent.parent)
        for name in pages:
            self.printed[name] = out / f"{name}.pdf"


def print_pages(jobs: list[list[Any]]) -> None:
    """Print each (html file, pdf file, ``page.pdf`` options) with one Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as api:
        browser = api.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            # A page's scripts would print what they write (statistics counters and the like).
            page = browser.new_context(java_script_enabled=False).new_page()
            for source, target, options in jobs:
                page.goto(Path(source).as_uri())
                page.pdf(path=target, **(options if "width" in options else {"format": "A4", **options}))
        finally:
            browser.close()


if __name__ == "__main__":
    print_pages(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))


# --- PDFs written by hand ------------------------------------------------------------------


def write_pdf(objects: list[bytes | str], trailer: str = "") -> bytes:
    """A PDF of these numbered objects (1 is the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + (body.encode("latin-1") if isinstance(body, str) else body)
        out += b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


def text_pages(streams: list[bytes], pages: int | None = None) -> bytes:
    """A PDF whose pages draw these content streams in Helvetica (compressed); with
    ``pages``, that many pages all drawing the first stream (one object shared by all)."""
    import zlib

    count = pages or len(streams)
    objects: list[bytes | str] = ["<< /Type /Catalog /Pages 2 0 R >>",
                                  "<< /Type /Pages /Kids [" + " ".join(f"{4 + i} 0 R" for i in range(count))
                                  + f"] /Count {count} >>",
                                  "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    first_stream = 4 + count
    for index in range(count):
        stream = first_stream + (0 if pages else index)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       f" /Contents {stream} 0 R >>")
    for stream in streams[:1] if pages else streams:
        packed = zlib.compress(stream, 9)
        objects.append(f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed
                       + b"\nendstream")
    return write_pdf(objects)


def one_character_objects(count: int) -> bytes:
    """A content stream of ``count`` text objects of one figure each (what a hostile file
    repeats to make PDFium's text layout, quadratic in a page's objects, cost minutes)."""
    return "".join(f"BT /F1 6 Tf {20 + (i % 100) * 5.5:.1f} {20 + (i // 100) % 800} Td ({i % 10}) Tj ET\n"
                   for i in range(count)).encode()


def dense_text(glyphs: int, per_line: int = 200) -> bytes:
    """A content stream of one text object with ``glyphs`` figures in lines of ``per_line``."""
    text = ("0123456789" * (per_line // 10 + 1))[:per_line]
    lines = [f"1 0 0 1 20 {20 + (i // per_line) * 1.7:.1f} Tm ({text}) Tj\n" for i in range(0, glyphs, per_line)]
    return ("BT /F1 2 Tf\n" + "".join(lines) + "ET\n").encode()


# --- text a reader cannot see, added to a printed PDF --------------------------------------

HIDDEN_KINDS = ("invisible", "transparent", "tiny", "off-page")


def _figure_box(path: Path, label: str) -> tuple[int, float, float, float, float]:
    """(page index, x0, top, x1, bottom) in PDF space of the first figure printed right of the
    first line holding ``label`` (a row's label in a table)."""
    from giro_site.readers.pdf.extract import read_pages
    from giro_site.readers.pdf.text import make_lines

    content = read_pages(path.read_bytes())
    for page in content.pages:
        lines = make_lines(page.glyphs)
        for line in lines:
            if label in line.text:
                end = next(g.x1 for g in reversed(line.glyphs) if g.char == label[-1])
                beside = [g for g in page.glyphs if g.char.isdigit() and g.x0 > end + 10
                          and abs((g.top + g.bottom) / 2 - (line.top + line.bottom) / 2) < line.height]
                if not beside:
                    continue
                first = min(beside, key=lambda g: g.x0)
                return page.number - 1, first.x0, page.height - first.bottom, first.x1, page.height - first.top
    raise AssertionError(f"{label} not printed in {path}")


def with_hidden_text(path: Path, out: Path, kind: str, label: str, text: str = "1") -> Path:
    """The PDF at ``path`` with ``text`` drawn just left of the first figure beside ``label``,
    in a way no reader of the page sees: render mode 3 (``invisible``), a fully transparent
    fill (``transparent``), a font under half a point (``tiny``), or, for ``off-page``,
    a report title of another body and year drawn below the page's bottom edge."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    index, x0, bottom, _, top = _figure_box(path, label)
    document = pdfium.PdfDocument(path)
    page = document[index]
    font = raw.FPDFText_LoadStandardFont(document.raw, b"Helvetica")
    size = (top - bottom) * 0.9
    if kind == "off-page":
        text, size = "2099 1 1 1", 12.0
    obj = raw.FPDFPageObj_CreateTextObj(document.raw, font, ctypes.c_float(0.3 if kind == "tiny" else size))
    encoded = (text + "\0").encode("utf-16-le")
    raw.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(encoded), ctypes.POINTER(ctypes.c_ushort)))
    if kind == "invisible":
        raw.FPDFTextObj_SetTextRenderMode(obj, 3)
    raw.FPDFPageObj_SetFillColor(obj, 0, 0, 0, 0 if kind == "transparent" else 255)
    width = 0.2 if kind == "tiny" else size * 0.56 * len(text)
    # Its left edge before the figure's, its middle inside the figure's cell (a browser's
    # cell has 1.5 points of padding): the characters of the cell read "1" and the figure.
    x, y = (x0 - 0.4 * width, bottom + 1.0) if kind != "off-page" else (x0, -60.0)
    raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, ctypes.c_double(x), ctypes.c_double(y))
    raw.FPDFPage_InsertObject(page.raw, obj)
    assert raw.FPDFPage_GenerateContent(page.raw)
    document.save(out)
    return out


# --- a tall merged label, set a character or two a line, with no line beside it -----------


def _rewrite_table(docx: bytes, index: int, rewrite: Any) -> bytes:
    """The .docx with the ``index``-th table's XML passed through ``rewrite``."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx))
    parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    table = list(re.finditer(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S))[index]
    xml = xml[:table.start()] + rewrite(table.group(0)) + xml[table.end():]
    parts["word/document.xml"] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def tall_merged_label_docx(docx: bytes, index: int = 1, first_twips: int = 330, label: str = "本年度办理结果") -> bytes:
    """Table ``index`` (table 三 of the seeds' layout) with a first column a character wide,
    so its merged label (``三、本年度办理结果``) is set one or two characters a line, and no
    line drawn between that label and the row labels beside it."""
    import re

    def rewrite(table: str) -> str:
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"/>', table)]
        rest = (sum(widths) - first_twips - 3400) // max(1, len(widths) - 3)
        grid = [first_twips, 1400, 2000] + [rest] * (len(widths) - 3)
        table = re.sub(r"<w:tblGrid>.*?</w:tblGrid>", "<w:tblGrid>" + "".join(
            f'<w:gridCol w:w="{w}"/>' for w in grid) + "</w:tblGrid>", table, flags=re.S)
        table = table.replace("</w:tblPr>", '<w:tblLayout w:type="fixed"/></w:tblPr>', 1)

        merged = False  # in the rows the merged label spans

        def row(match: re.Match[str]) -> str:
            nonlocal merged
            cells = re.findall(r"<w:tc>.*?</w:tc>", match.group(0), flags=re.S)
            starts = len(cells) >= 2 and '<w:vMerge w:val="restart"/>' in cells[0] and label in cells[0]
            merged = starts or (merged and len(cells) >= 2 and "<w:vMerge/>" in cells[0])
            if not merged:
                return match.group(0)
            first = cells[0].replace("</w:tcPr>", '<w:tcBorders><w:right w:val="nil"/></w:tcBorders></w:tcPr>', 1)
            second = cells[1].replace("</w:tcPr>", '<w:tcBorders><w:left w:val="nil"/></w:tcBorders></w:tcPr>', 1)
            return match.group(0).replace(cells[0], first, 1).replace(cells[1], second, 1)

        return re.sub(r"<w:tr>.*?</w:tr>", row, table, flags=re.S)

    return _rewrite_table(docx, index, rewrite)


def tall_merged_label_html(page: bytes, label: str = "三、本年度办理结果") -> bytes:
    """The web page with the cell holding ``label`` a character wide and no line between it
    and the cells beside it."""
    text = page.decode("utf-8")
    cell = text.index(">" + label)
    opening = text.rindex("<td", 0, cell)
    text = text[:opening] + '<td style="width:1.2em;border-right-style:hidden"' + text[opening + 3:]
    return text.encode("utf-8")


def in_form_xobjects(path: Path, out: Path, *, scale: float = 1.0, shift: tuple[float, float] = (0.0, 0.0),
                     depth: int = 1) -> Path:
    """The PDF at ``path`` with each page drawn as a Form XObject on a new page of the same
    size, as overlay, stamping and n-up tools write it (``depth`` 2: that form inside
    another, each placed with the ``scale`` and ``shift``)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(path)
    for _ in range(depth):
        target = pdfium.PdfDocument.new()
        for index in range(len(source)):
            width, height = source[index].get_size()
            form = source.page_as_xobject(index, target).as_pageobject()
            form.transform(pdfium.PdfMatrix().scale(scale, scale).translate(*shift))
            page = target.new_page(width, height)
            page.insert_obj(form)
            page.gen_content()
        buffer = io.BytesIO()
        target.save(buffer)
        source = pdfium.PdfDocument(buffer.getvalue())
    source.save(out)
    return out


def with_ocr_layer(data: bytes, text: str = "Annual report 2020: 12 applications received") -> bytes:
    """The PDF with ``text`` on every page in text render mode 3, as OCR tools lay the words
    they recognised, unseen, over a scanned page."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(data)
    font = raw.FPDFText_LoadStandardFont(document.raw, b"Helvetica")
    encoded = (text + "\0").encode("utf-16-le")
    for index in range(len(document)):
        page = document[index]
        obj = raw.FPDFPageObj_CreateTextObj(document.raw, font, ctypes.c_float(12.0))
        raw.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(encoded), ctypes.POINTER(ctypes.c_ushort)))
        raw.FPDFTextObj_SetTextRenderMode(obj, 3)
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, ctypes.c_double(72.0), ctypes.c_double(700.0))
        raw.FPDFPage_InsertObject(page.raw, obj)
        assert raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
