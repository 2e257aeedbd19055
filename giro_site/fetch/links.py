"""The links of a web page that may lead to its report: attachments and report pages.

Government CMS pages link their attachments in many ways: a plain relative address
(``../../attach/0/abc.pdf``), a ``javascript:`` wrapper (``javascript:openFile('/u/x.pdf')``,
or ``href="javascript:void(0)"`` with the address in ``onclick``), a download script that
only an id names (``download.jsp?id=123``) whose link text gives the file
(``附件：2023年度报告.pdf``), or a PDF viewer in an ``<iframe>`` (``viewer.html?file=…``). Each
becomes a ``Link`` with an absolute, ASCII address, the file name the page gives it, and
whether its words name a report. The page's scripts are read as text, never run.
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser

# Files a report comes as, and the ones worth a message (.doc, .wps).
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".wps", ".txt", ".rtf", ".odt"})
PAGE_SUFFIXES = frozenset({"", ".html", ".htm", ".shtml", ".jhtml", ".xhtml", ".jsp", ".php", ".asp", ".aspx",
                           ".do", ".action"})
MAX_LINKS = 5000  # a page with more is a portal, not an article; the rest are not looked at
_MAX_TEXT = 300

_FILE_NAME = re.compile(r"([^\s/\\:：、，,;；\"'<>|*?（）()]{1,120}\.(pdf|docx|doc|wps|txt|rtf|odt))(?![a-z])",
                        re.IGNORECASE)
_QUOTED = re.compile(r"""(['"])([^'"\s]{1,2000})\1""")
_DOWNLOADISH = re.compile(r"download|attach|getfile|fileid|downfile|file\.(?:do|jsp|aspx?)|/file/", re.IGNORECASE)
_REPORT = re.compile(r"报告|年报")
_DISCLOSURE_REPORT = re.compile(r"信息公开.{0,30}(?:报告|年报)|(?:报告|年报).{0,30}信息公开")
_NOT_THE_REPORT = re.compile(r"图解|解读|图示|一图读懂|问答|申请表|目录|指南")
_SPACE = re.compile(r"\s+")
_REFRESH = re.compile(r"url\s*=\s*(.+)$", re.IGNORECASE)
_MAX_SCRIPT = 200_000  # characters of a page's scripts looked into


@dataclass(frozen=True)
class Link:
    url: str  # absolute, ASCII, without fragment
    text: str  # the link's words (text, title), collapsed
    name: str | None  # a file name the page gives (link text, title, download attribute, URL)
    suffix: str  # the document suffix the URL or the name shows, or ""
    is_file: bool  # an attachment (a document suffix, or a download script with a named file)
    names_report: bool  # its words or file name say 报告 / 年报, and not 图解, 解读…
    names_disclosure_report: bool  # … and 信息公开: a link to a disclosure report's own page


def ascii_url(url: str, encoding: str = "utf-8") -> str:
    """An address urllib can send: the host in IDNA, other non-ASCII percent-encoded (the path
    in UTF-8 as browsers do, the query in the page's encoding), the fragment dropped."""
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii") if any(ord(ch) > 0x7F for ch in host) else host
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    try:
        query = urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=-._~?", encoding=encoding)
    except LookupError:
        query = urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path or "/", query, ""))


_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9])?\.?|\[[0-9a-f:.]+\]", re.IGNORECASE)
_UNSENDABLE = re.compile(r"[\x00-\x20\x7f-\uffff<>\"\\^`{|}]")


def usable(url: str) -> bool:
    """Whether an address (from ``ascii_url``) can be requested: http(s), a host name or IP
    address, nothing a request line cannot carry."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    host = parts.netloc.rsplit("@", 1)[-1]
    host = host if host.endswith("]") else host.rsplit(":", 1)[0]
    return parts.scheme in {"http", "https"} and bool(_HOST.fullmatch(host)) and not _UNSENDABLE.search(url)


def suffix_of(url: str) -> str:
    """The extension of the address's last path segment (``.pdf``), lower case, or "".
    Script text and hrefs hold addresses urllib refuses to split (``//附件：.pdf``, a host of
    characters NFKC turns into separators): their text before any query is the path."""
    try:
        path = urllib.parse.urlsplit(url).path
    except ValueError:
        path = url.split("#", 1)[0].split("?", 1)[0]
    path = urllib.parse.unquote(path)
    last = path.rsplit("/", 1)[-1]
    return ("." + last.rsplit(".", 1)[-1].lower()) if "." in last else ""


def file_name_in(*texts: str | None) -> str | None:
    """The first file name with a document extension in the texts (``附件：x年度报告.pdf`` → x年度报告.pdf)."""
    for text in texts:
        if text:
            match = _FILE_NAME.search(text)
            if match:
                return match.group(1)
    return None


class _Collector(HTMLParser):
    def __init__(self, *, scripts: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.read_scripts = scripts  # look into scripts (once: the markup they write has none)
        self.script_text: list[str] = []
        self._in_script = False
        self.refresh: str | None = None  # <meta http-equiv="refresh" content="0;url=…">
        self.base: str | None = None
        self.title_parts: list[str] = []
        self.found: list[tuple[str, str, str]] = []  # (raw address, words, file name hint)
        self._anchor: dict[str, str] | None = None
        self._anchor_text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.found) >= MAX_LINKS:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "title":
            self._in_title = True
        elif tag == "script":
            self._in_script = True
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh" and self.refresh is None:
            match = _REFRESH.search(values.get("content", ""))
            if match:
                self.refresh = match.group(1).strip("'\" ")
        elif tag == "a":
            self._finish_anchor()
            self._anchor, self._anchor_text = values, []
        elif tag in {"iframe", "embed", "frame"} and values.get("src"):
            self.found.append((values["src"], values.get("title", ""), ""))
        elif tag == "object" and values.get("data"):
            self.found.append((values["data"], values.get("title", ""), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish_anchor()
        elif tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            if self.read_scripts and sum(map(len, self.script_text)) < _MAX_SCRIPT:
                self.script_text.append(data)
            return
        if self._in_title and sum(map(len, self.title_parts)) < _MAX_TEXT:
            self.title_parts.append(data)
        if self._anchor is not None and sum(map(len, self._anchor_text)) < _MAX_TEXT:
            self._anchor_text.append(data)

    def _finish_anchor(self) -> None:
        if self._anchor is None:
            return
        anchor, self._anchor = self._anchor, None
        words = _SPACE.sub(" ", " ".join(["".join(self._anchor_text), anchor.get("title", "")])).strip()[:_MAX_TEXT]
        hint = anchor.get("download", "")
        for address in _addresses(anchor.get("href", ""), anchor.get("onclick", "")):
            self.found.append((address, words, hint))

    def close(self) -> None:
        super().close()
        self._finish_anchor()
        if self.script_text:
            self._read_scripts("\n".join(self.script_text)[:_MAX_SCRIPT])

    def _read_scripts(self, text: str) -> None:
        """Attachments a CMS writes with a script (TRS's ``document.write('<a href="./P02….pdf">…')``):
        the links in the markup the scripts hold, then any quoted address of a document."""
        inner = _Collector(scripts=False)
        inner.feed(text.replace("\\/", "/").replace('\\"', '"').replace("\\'", "'"))
        inner.close()
        self.found.extend(inner.found)
        named = {address for address, _, _ in inner.found}
        for _, quoted in _QUOTED.findall(text):
            if suffix_of(quoted) in DOCUMENT_SUFFIXES and quoted not in named and len(self.found) < MAX_LINKS:
                self.found.append((quoted, "", ""))


def _addresses(href: str, onclick: str) -> list[str]:
    """The addresses a link leads to: its href, or the quoted addresses in a script wrapper."""
    href = href.strip()
    lowered = href.lower()
    if href and not lowered.startswith(("javascript:", "#", "mailto:", "tel:", "data:")):
        return [href]
    scripts = (href[len("javascript:"):] if lowered.startswith("javascript:") else "") + " " + onclick
    found = []
    for _, quoted in _QUOTED.findall(scripts):
        if ("/" in quoted or "." in quoted or "?" in quoted) and not quoted.lower().startswith("javascript:") \
                and (suffix_of(quoted) in DOCUMENT_SUFFIXES | PAGE_SUFFIXES or "?" in quoted):
            found.append(quoted)
    return found[:3]


def _viewer_target(url: str) -> str:
    """A PDF viewer's document (``/pdfjs/web/viewer.html?file=/attach/x.pdf``), else the address."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    for key in ("file", "url", "src"):
        for value in query.get(key, []):
            if suffix_of(value) in DOCUMENT_SUFFIXES:
                return urllib.parse.urljoin(url, value)
    return url


@dataclass
class PageLinks:
    links: list[Link]
    title: str
    refresh: str | None  # where a ``<meta http-equiv="refresh">`` sends the reader, if anywhere


def page_links(html: str, page_url: str, encoding: str = "utf-8") -> PageLinks:
    """Every link of the page that could lead to a document or page (deduplicated, in page
    order), its ``<title>`` and its refresh target."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    base = urllib.parse.urljoin(page_url, collector.base) if collector.base else page_url
    refresh = None
    if collector.refresh:
        with contextlib.suppress(ValueError):
            refresh = ascii_url(urllib.parse.urljoin(base, collector.refresh), encoding)
        refresh = refresh if refresh and usable(refresh) else None
    links: list[Link] = []
    seen: set[str] = set()
    for raw, words, hint in collector.found:
        try:
            url = ascii_url(_viewer_target(urllib.parse.urljoin(base, raw.strip())), encoding)
        except ValueError:  # an address urllib cannot even split (a netloc of bad characters)
            continue
        if not usable(url):
            continue
        if url in seen or url == ascii_url(page_url):
            continue
        seen.add(url)
        links.append(describe(url, words, hint))
    title = _SPACE.sub(" ", "".join(collector.title_parts)).strip()
    return PageLinks(links, title, refresh if refresh != ascii_url(page_url) else None)


def names_report(text: str) -> bool:
    """Whether a title or a link's words name a disclosure report (not its 图解 or 解读)."""
    return bool(_DISCLOSURE_REPORT.search(text)) and not _NOT_THE_REPORT.search(text)


def _query_name(url: str) -> str | None:
    """A file name a download script's query gives (``downfile.jsp?filename=2101251530.pdf``)."""
    for values in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).values():
        for value in values:
            if suffix_of(value) in DOCUMENT_SUFFIXES:
                return value.rsplit("/", 1)[-1]
    return None


def describe(url: str, words: str, hint: str = "") -> Link:
    """What a link's address and words say about where it leads."""
    url_suffix = suffix_of(url)
    name = file_name_in(hint, words) or (urllib.parse.unquote(url.rsplit("/", 1)[-1].split("?")[0])
                                         if url_suffix in DOCUMENT_SUFFIXES else _query_name(url))
    suffix = url_suffix if url_suffix in DOCUMENT_SUFFIXES else suffix_of(name or "")
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    said = f"{words} {name or ''} {path.rsplit('/', 1)[-1]}"
    names_report = bool(_REPORT.search(said)) and not _NOT_THE_REPORT.search(said)
    is_file = suffix in DOCUMENT_SUFFIXES or bool(_DOWNLOADISH.search(url) and url_suffix not in {".html", ".htm"}
                                                  and (name or names_report))
    return Link(url=url, text=words, name=name, suffix=suffix if suffix in DOCUMENT_SUFFIXES else "",
                is_file=is_file, names_report=names_report,
                names_disclosure_report=names_report and bool(_DISCLOSURE_REPORT.search(said)))
