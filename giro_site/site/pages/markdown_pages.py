"""The maintainers' Markdown pages (``content/pages/*.md``): Markdown to HTML, then through an
allow-list sanitiser (nh3, the Rust ``ammonia`` library), so a page can hold Markdown's own
markup and a little HTML (a table, ``<details>``) but never a script, an event handler, a
style, a frame or a form, and its links and images only ``http:``, ``https:``, ``mailto:`` or
addresses on the site. A page is text anyone with write access to ``content/`` can change,
so it is treated like report text: what is not allowed is removed, and the build says what
(a note naming the file), rather than the page being refused.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import nh3

from giro_site.errors import ReportError

# A page's file name is its address: one path segment of letters, digits, ``_`` and ``-``,
# not the name of a folder the site writes itself.
_PAGE_NAME = re.compile(r"\w[\w-]*")
_RESERVED_PAGES = frozenset({"agencies", "agency", "assets", "data", "dictionary", "downloads", "problems", "source",
                             "404"})

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", *_HEADINGS,
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"}, "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan", "scope"},
    **{h: {"id"} for h in _HEADINGS},  # the table of contents links to them
}
ALLOWED_CLASSES = {"div": {"toc"}}  # the toc extension's [TOC]
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src"})
# An element id the site's scripts would meet as a global (window.giro, window.Plotly).
_RESERVED_IDS = frozenset({"giro", "plotly"})
# A scheme as a browser reads it: ASCII tabs and newlines inside are ignored, leading
# control characters and spaces too, and letters are compared without case.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme of a link as a browser would take it (``JaVa\\tScript:`` is ``javascript``);
    None for an address on the site (relative, or starting with ``/``, ``#`` or ``?``)."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                  "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                  "\x1e\x1f ").lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


class _Removed(HTMLParser):
    """What the sanitiser will take out of a page's HTML, in words for the maintainer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def _note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._note(f"<{tag}>")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"class"} if tag in ALLOWED_CLASSES else set())
        for name, value in attrs:
            if name not in allowed:
                self._note(f"<{tag}> 的 {name} 属性")
            elif name in _URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    self._note(f"{scheme}: 链接")
            elif name == "id" and (value or "").lower() in _RESERVED_IDS:
                self._note(f"id=\"{value}\"")

    def handle_comment(self, data: str) -> None:
        self._note("HTML 注释")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's last word on an allowed attribute: a link or image whose scheme is not allowed
    loses its address (nh3's own url_schemes check stays as the second guard)."""
    if name in _URL_ATTRIBUTES:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in URL_SCHEMES:
            return None
    if name == "id" and value.lower() in _RESERVED_IDS:
        return None
    return value


def sanitise(html: str) -> tuple[str, list[str]]:
    """The HTML with only what the allow-list permits, and what was taken out."""
    finder = _Removed()
    finder.feed(html)
    finder.close()
    clean = nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES, allowed_classes=ALLOWED_CLASSES,
                      url_schemes=set(URL_SCHEMES), attribute_filter=_attribute, link_rel="noopener noreferrer",
                      strip_comments=True)
    return clean, finder.removed


def check_page_name(path: Path) -> None:
    if not _PAGE_NAME.fullmatch(path.stem) or path.stem.lower() in _RESERVED_PAGES:
        raise ReportError(f"页面文件名“{path.stem}”不能用作网址：只能用字母、数字、汉字、“_”和“-”，且不能是 "
                          f"{'、'.join(sorted(_RESERVED_PAGES))}（网站自己的栏目）；请重命名", path=str(path))


def markdown_pages(content: Path) -> list[dict[str, Any]]:
    """The maintainers' Markdown pages, in menu order, each with ``notes``: what the
    sanitiser removed from it, for the build to print."""
    pages = []
    folder = content / "pages"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        check_page_name(path)
        converter = markdown.Markdown(extensions=["meta", "tables", "toc"],
                                      extension_configs={"tables": {"use_align_attribute": True}})
        html, removed = sanitise(converter.convert(path.read_text(encoding="utf-8")))
        meta = getattr(converter, "Meta", {})
        title = meta.get("title", [path.stem])[0]
        notes = [f"页面 {path.name}：已去掉不允许的内容：{'、'.join(removed)}（见 docs/security.md）"
                 for _ in removed[:1]]
        order = meta.get("order", ["50"])[0]
        if not re.fullmatch(r"-?\d{1,6}", order.strip()):
            notes.append(f"页面 {path.name}：order 应为整数，而不是“{order[:40]}”；按 50 排列")
            order = "50"
        pages.append({"name": path.stem, "title": title, "html": html, "order": int(order), "notes": notes})
    return sorted(pages, key=lambda p: (p["order"], p["name"]))
