"""What a fetched file is: its type, and what the project's own readers make of it.

The type comes from the bytes first (``%PDF``, a zip holding ``word/``, an OLE2 file), then
the server's Content-Type, then the names the server, the link or the address give: CMS
download scripts send ``application/octet-stream`` for everything. The report is then read
exactly as the build reads it (``readers`` → ``report.normalise``), so the year that picks
the folder is the one the site will show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from giro_site.document import Document, Table
from giro_site.errors import ReportError
from giro_site.forms.locate import locate_tables
from giro_site.readers import READERS, UNSUPPORTED, read_document
from giro_site.readers.encoding import decode_text
from giro_site.readers.html import declared_charset
from giro_site.report import normalise

FIRST_YEAR = 2008  # the disclosure regulation took effect in May 2008
_OTHER_CAP = 64 * 1024 * 1024  # formats without a reader (.doc, .wps): saved to be converted by hand
_READERS = {ext: reader for reader in READERS for ext in reader.extensions}
_CONTENT_TYPES = {
    "application/pdf": ".pdf", "application/x-pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc", "application/vnd.ms-word": ".doc", "application/kswps": ".wps",
    "application/vnd.ms-works": ".wps", "text/html": ".html", "application/xhtml+xml": ".html",
    "text/plain": ".txt", "application/rtf": ".rtf", "text/rtf": ".rtf",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/jpeg": ".jpg", "image/png": ".png", "application/zip": ".zip",
}
_OLE_NAMES = (".doc", ".wps", ".xls", ".et")
CHUNK_HEAD = 64 * 1024  # how much of a file the type is told from
# Suffixes a name may tell a type by: what the readers read, what they name with advice, pages.
_KNOWN = frozenset({*_READERS, *UNSUPPORTED, ".wps", ".html", ".htm"})
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table)\b",
                         re.IGNORECASE | re.DOTALL)
_SCRIPT = re.compile(r"<script", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>|&[a-z#0-9]+;", re.IGNORECASE)
_STYLE_OR_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def sniff_suffix(head: bytes, content_type: str, *names: str | None) -> str | None:
    """The file's type as a suffix (``.pdf``), from its first bytes, else its Content-Type,
    else a name with an extension; None if nothing tells."""
    from giro_site.fetch.links import suffix_of

    named = next((suffix_of(n) for n in names if n and suffix_of(n) in _KNOWN), "")
    if head[:1024].find(b"%PDF-") >= 0:
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head[:CHUNK_HEAD]:
            return ".docx"
        if b"xl/" in head[:CHUNK_HEAD]:
            return ".xlsx"
        return named if named in {".docx", ".odt", ".xlsx"} else ".zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return named if named in _OLE_NAMES else ".doc"
    if head.startswith(b"{\\rtf"):
        return ".rtf"
    if head.startswith(b"\x89PNG"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    mime = _mime(content_type)
    if head and _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")[:4096]):
        return ".html"
    if mime in _CONTENT_TYPES and mime not in {"application/zip"}:
        return _CONTENT_TYPES[mime]
    if named:
        return named
    return None



def size_limit(head: bytes, content_type: str, url: str) -> tuple[int, str]:
    """The most bytes a file of this kind may have (its reader's cap), and what to call it."""
    suffix = sniff_suffix(head, content_type, url) if head or content_type else None
    reader = _READERS.get(suffix or "")
    if reader is not None:
        return reader.max_bytes, f"{reader.format_name.upper()} 文件"
    if suffix in UNSUPPORTED or suffix in {".doc", ".wps"}:
        return _OTHER_CAP, "文件"
    return max(r.max_bytes for r in READERS), "文件"


def plausible_year(year: int | None, today: dt.date | None = None) -> bool:
    """A year a report can be about: from the regulation's first year to this one."""
    today = today or dt.date.today()
    return year is not None and FIRST_YEAR <= year <= today.year


@dataclass
class Reading:
    """What the readers made of one file."""

    suffix: str
    report: dict[str, Any] | None = None  # the report, as the build would read it
    unreadable: str | None = None  # why the readers cannot read it (scanned PDF, .doc…)
    not_report: str | None = None  # read, but no report: the words and tables missing
    has_tables: bool = False  # at least one of the form's three tables is in it

    @property
    def year(self) -> int | None:
        return self.report.get("year") if self.report else None


_BROWSER = "请在浏览器中打开，把报告另存为文件放入 content/reports/<年度>/"


def read_file(data: bytes, suffix: str) -> Reading:
    """Read the file as the build would; never raises for what the file holds."""
    reading = Reading(suffix)
    if suffix not in _READERS:
        reading.unreadable = UNSUPPORTED.get(suffix) or f"本站无法读取“{suffix or '未知类型'}”文件"
        return reading
    try:
        document = read_document(Path(f"fetched{suffix}"), data)
    except ReportError as exc:
        reading.unreadable = exc.reason
        return reading
    try:
        report = normalise(document, {"file": f"fetched{suffix}", "format": suffix.lstrip("."),
                                      "sha256": hashlib.sha256(data).hexdigest()})
    except ReportError:
        reading.not_report = missing_words(document, data if suffix in {".html", ".htm", ".shtml"} else None)
        return reading
    reading.report = report
    reading.has_tables = bool(locate_tables(document).tables)
    return reading


def _document_text(document: Document) -> str:
    parts = []
    for block in document.blocks:
        if isinstance(block, Table):
            parts.extend(cell.text for row in block.rows for cell in row.cells)
        else:
            parts.append(block.text)
    return "".join("".join(parts).split())


def missing_words(document: Document, page: bytes | None = None) -> str:
    """Why a readable file is no report, naming the words and tables it lacks; for a page whose
    words are written by its scripts, that this tool runs none."""
    text = _document_text(document)
    if page is not None and len(text) < 200 and _scripted(page):
        return f"网页的内容由脚本生成（或要求先运行脚本做验证），本工具不运行网页脚本：{_BROWSER}"
    missing = [f"“{word}”" for word, found in (("政府信息公开", "信息公开" in text),
                                              ("年度报告", "报告" in text or "年报" in text)) if not found]
    tables = "" if locate_tables(document).tables else (
        "国家表格（“主动公开政府信息情况”“收到和处理政府信息公开申请情况”“政府信息公开行政复议、行政诉讼情况”）")
    said = []
    if missing:
        said.append(f"没有{'、'.join(missing)}字样")
    if tables:
        said.append(f"也没有{tables}" if said else f"没有{tables}")
    if not said:
        said.append("找不到年度报告的章节（一、总体情况……）和国家表格")
    return f"不像是政府信息公开工作年度报告：其中{'，'.join(said)}。请核对地址，或给出报告页面、报告文件本身的地址"


def _scripted(page: bytes) -> bool:
    """A page whose visible words are few and whose scripts are many: written by scripts."""
    try:
        text = decode_text(page, declared=declared_charset(page))
    except ReportError:
        return False
    visible = _TAGS.sub("", _STYLE_OR_SCRIPT.sub("", text))
    return bool(_SCRIPT.search(text)) and len("".join(visible.split())) < 200


def page_text(data: bytes, content_type: str) -> tuple[str, str] | None:
    """A page's markup as text and the encoding it was read in, for its links; None if binary."""
    declared = declared_charset(data) or _charset(content_type)
    try:
        text = decode_text(data, declared=declared)
    except ReportError:
        return None
    if declared:
        encoding = declared.lower()
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "gb18030"
    return text, "gb18030" if encoding in {"gb2312", "gbk", "x-gbk", "cp936", "euc-cn"} else encoding


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None
