"""Reader for PDFs with a text layer (exported from Word or WPS, printed from a browser).

PDFium (``pypdfium2``) gives every character with its box and the page's drawn lines
(``extract``); tables are rebuilt from their ruling lines (``frame``), characters become
lines and paragraphs (``text``), and pages are put back together with running headers,
footers and page numbers dropped and tables continued across page breaks (``layout``).
All of it runs in a child process with a time and memory limit (``isolate``).

Refused with a reason: a scanned PDF (no text layer, or only an invisible OCR layer; there is
no OCR here), one that needs a password to open (one encrypted only against printing or
copying opens without and is read), a damaged one, one over the caps of ``extract`` (pages,
objects, characters).
"""

from __future__ import annotations

from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.readers.pdf import isolate

_MIN_CHARACTERS = 20  # fewer visible characters than a report's title: no text layer to speak of


def parse_pdf(data: bytes) -> Document:
    """The Document of a PDF, in this process (``PdfReader.read`` isolates it)."""
    from giro_site.readers.pdf.extract import read_pages
    from giro_site.readers.pdf.layout import to_document

    content = read_pages(data)
    visible = sum(1 for page in content.pages for glyph in page.glyphs if not glyph.char.isspace())
    if visible < _MIN_CHARACTERS:
        hidden = sum(len(page.hidden) for page in content.pages)
        if hidden >= _MIN_CHARACTERS and any(page.image_area > 0.2 for page in content.pages):
            raise ReportError("PDF 是扫描件，其中的文字是文字识别得到的不可见文字层（读者看不到，可能有识别错误），"
                              "本工具不读取不可见的文字：请找到报告的 .docx、网页版本，或由 Word/WPS 直接导出的 PDF")
        if any(page.image_area > 0.2 for page in content.pages):
            raise ReportError("PDF 是扫描件或图片，没有文字层，无法读取其中的文字和表格（本工具不做文字识别）："
                              "请找到报告的 .docx、网页版本，或由 Word/WPS 直接导出的 PDF")
        raise ReportError("PDF 中没有可读取的文字：请找到报告的 .docx、网页版本，或由 Word/WPS 直接导出的 PDF")
    return to_document(content.pages)


class PdfReader:
    """Reads ``.pdf`` files that have a text layer."""

    extensions = (".pdf",)
    format_name = "pdf"
    max_bytes = 64 * 1024 * 1024  # a report with embedded fonts and a few images is a few MB

    def read(self, data: bytes) -> Document:
        import pypdfium2  # noqa: F401 - loaded before the fork, so the child never imports under a lock

        return isolate.run_isolated(parse_pdf, data)
