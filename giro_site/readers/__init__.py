"""One reader per input format behind one dispatch by file extension.

Every reader turns bytes into the same ``Document``; nothing after this point knows
which format a report came in. Whatever the reader, a document holding more than a report
could is refused here (``limits``), before the parser spends time on it. Add a format by
adding a class with ``extensions``, ``format_name``, ``max_bytes`` and
``read(data) -> Document`` to ``READERS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.readers.docx import DocxReader
from giro_site.readers.html import HtmlReader
from giro_site.readers.limits import check_document
from giro_site.readers.pdf import PdfReader
from giro_site.readers.text import TextReader


class Reader(Protocol):
    extensions: tuple[str, ...]
    format_name: str
    max_bytes: int  # a larger file is refused before it is read: memory stays bounded

    def read(self, data: bytes) -> Document: ...


READERS: list[Reader] = [TextReader(), HtmlReader(), DocxReader(), PdfReader()]

# Formats maintainers receive that no reader understands, with what to do instead.
UNSUPPORTED: dict[str, str] = {
    ".doc": "旧版 Word（.doc）文件无法读取：请用 Word 或 LibreOffice 另存为 .docx 后再放入",
    ".wps": "WPS 文件无法读取：请另存为 .docx 后再放入",
    ".jpg": "图片无法读取：请找到报告的 .docx 或网页版本",
    ".jpeg": "图片无法读取：请找到报告的 .docx 或网页版本",
    ".png": "图片无法读取：请找到报告的 .docx 或网页版本",
    ".xls": "Excel 文件不是年度报告格式：请放入报告全文（.docx、网页或文本）",
    ".xlsx": "Excel 文件不是年度报告格式：请放入报告全文（.docx、网页或文本）",
    ".odt": "OpenDocument 文本无法读取：请另存为 .docx 后再放入",
    ".rtf": "RTF 文件无法读取：请用 Word 另存为 .docx 后再放入",
    ".mht": "单文件网页（.mht）无法读取：请在浏览器中另存为“网页，仅 HTML”（.html）",
    ".mhtml": "单文件网页（.mhtml）无法读取：请在浏览器中另存为“网页，仅 HTML”（.html）",
}


def reader_for(path: Path) -> Reader:
    """The reader for this file's extension, or a ReportError saying what to do."""
    suffix = path.suffix.lower()
    for reader in READERS:
        if suffix in reader.extensions:
            return reader
    if suffix in UNSUPPORTED:
        raise ReportError(UNSUPPORTED[suffix], path=str(path))
    known = "、".join(sorted({ext for r in READERS for ext in r.extensions}))
    raise ReportError(f"不支持的文件类型“{suffix or '无扩展名'}”（可读取：{known}）：请转换成其中一种，"
                      "或移出 reports 文件夹", path=str(path))


def candidate_suffixes() -> set[str]:
    """Extensions a content folder scan should try: readable ones and the ones worth a message."""
    return set(UNSUPPORTED) | {ext for reader in READERS for ext in reader.extensions}


def read_bytes(path: Path, *, shown: str | None = None) -> bytes:
    """The file's bytes, unless its format is unsupported or it is too large to be a report."""
    reader = reader_for(path)
    shown = shown or str(path)
    try:
        size = path.stat().st_size
        if size > reader.max_bytes:
            raise ReportError(f"文件有 {size // (1024 * 1024)} MB，超出{reader.format_name}文件的上限"
                              f"（{reader.max_bytes // (1024 * 1024)} MB），不像是一份年度报告", path=shown)
        return path.read_bytes()
    except OSError as exc:
        raise ReportError(f"无法读取文件：{exc.strerror}（请检查文件是否还在、是否有读取权限）", path=shown) from exc


def read_document(path: Path, data: bytes | None = None) -> Document:
    """Read one file into a Document; every failure is a ReportError naming the file."""
    reader = reader_for(path)
    if data is None:
        data = read_bytes(path)
    try:
        return check_document(reader.read(data))
    except ReportError as exc:
        raise exc.with_path(str(path)) from exc
