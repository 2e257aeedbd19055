"""Reader for published web pages (``.html``, ``.htm``): the report is the article body.

A government site wraps the report in navigation, breadcrumbs, share buttons and a
footer, and older sites lay the whole page out with tables. The reader:

1. decodes with the charset the page declares (GB2312/GBK pages are common; they are
   read as GB18030, their superset), or detects it;
2. walks the markup once with the standard library's tolerant parser, skipping scripts,
   styles, hidden elements and elements whose tag, class or id says navigation;
3. turns ``<table>`` into rows of cells the way the text reader sees them: a ``colspan``
   cell appears once, a ``rowspan`` cell is followed by an empty placeholder in each row
   it covers, ``<p>``/``<br>`` inside a cell become lines of the cell's text; a table
   holding another table is layout, and its cells' content becomes ordinary blocks;
4. keeps only the blocks inside the smallest element that holds every part of the report
   (its title, section headings and form tables), without link-only lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from giro_site.document import Block, Document, Paragraph
from giro_site.errors import ReportError
from giro_site.readers.encoding import decode_text
from giro_site.readers.html_blocks import (
    Line,
    Node,
    PageTable,
    TableCell,
    container,
    flatten,
    is_anchor,
    link_only,
)
from giro_site.readers.limits import MAX_BLOCKS, MAX_LINES
from giro_site.readers.visibility import NO_RULES, PAGE, StyleRules, element_look, style_rules

_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
})
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "nav", "aside", "iframe", "object", "svg",
    "select", "button", "textarea", "form", "canvas", "audio", "video", "map",
})
# Tags that end a line of text: a paragraph outside tables, a line inside a cell.
_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
    "main", "blockquote", "pre", "center", "address", "figure", "figcaption", "caption", "header", "footer",
    "hr", "table", "br", "tr",
})
# Words in a class or id that mark page furniture around the article.
_FURNITURE = frozenset({
    "nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "position", "location", "share",
    "sharing", "print", "footer", "foot", "sidebar", "side", "copyright", "toolbar", "pager", "pagination",
    "related", "comment", "comments", "qrcode", "ewm", "bdshare", "jiathis", "fontsize", "skip",
})
_SPACES = re.compile(r"[ \t\n\r\f]+")
# Elements whose end is a line even when empty (an empty <p></p> in a cell is a blank line).
_LINE_TAGS = frozenset(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd"])
_MAX_SPAN = 1000  # a rowspan or colspan larger than any form table: refuse to allocate for it
# Tags (``<``) in a page: a report saved from Word as a web page has tens of thousands. The
# standard library's parser spends some microseconds on each, so this bounds a page to a
# second or two; counting them first costs milliseconds.
MAX_TAGS = 300_000

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset a page names in its first bytes (``<meta charset>``, http-equiv or XML)."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _is_wide(char: str) -> bool:
    return char > "\u2e7f"  # CJK characters and full-width punctuation ("" is not)


def collapse_spaces(text: str) -> str:
    """HTML white space as a reader of Chinese expects it: a run of spaces is one space, but
    a line break next to a Chinese character (the page's source was wrapped there) is
    nothing, as CSS's segment-break rules have it for East Asian text."""
    if not _SPACES.search(text):
        return text

    def join(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if ("\n" in match.group() or "\r" in match.group()) and (_is_wide(before) or _is_wide(after)):
            return ""
        return " "

    return _SPACES.sub(join, text)


def _span(value: str | None, *, zero_means: int) -> int:
    """A span as written, at most ``_MAX_SPAN``; a rowspan of 0 (to the end of the table)
    is read as the cap and cut to the rows left when the grid is built."""
    try:
        number = int((value or "1").strip().rstrip(";")[:8])
    except ValueError:
        return 1
    return max(1, min(number or zero_means, _MAX_SPAN))


class _PageParser(HTMLParser):
    """One pass over the markup, building paragraphs and tables with their place in the
    element tree. Every step costs the same at any depth: open tags are found by tag name
    (``positions``), not by walking the stack."""

    def __init__(self, rules: StyleRules = NO_RULES) -> None:
        super().__init__(convert_charrefs=True)
        self.rules = rules  # the page's <style> rules that may hide text
        self.stack: list[Node] = []  # open elements, innermost last
        self.positions: dict[str, list[int]] = {}  # tag -> stack indexes of its open elements
        self.clock = 0
        self.skipping = 0  # depth inside skipped elements
        self.skip_nodes: list[Node] = []  # skipped elements still open
        self.in_link = 0
        self.link_nodes: list[Node] = []
        self.blocks: list[Line | PageTable] = []
        self.tables: list[PageTable] = []  # open tables, innermost last
        self.cell: TableCell | None = None
        self.buffer: list[str] = []
        self.link_chars = 0
        self.line = 0
        self.emitted = 0  # lines made
        self.outside = 0  # lines made outside tables
        self.article_depth = 0

    # --- where text goes ------------------------------------------------------------

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def _innermost(self) -> Node | None:
        return self.stack[-1] if self.stack else None

    def _target(self) -> list[Line | PageTable]:
        return self.cell.items if self.cell is not None else self.blocks

    def _flush(self, *, empty_line: bool = False) -> None:
        """End the current line of text (at a block boundary). Inside a cell an element that
        ends without text (``<p></p>``, a second ``<br>``) is a blank line of the cell."""
        raw = "".join(self.buffer)
        self.buffer = []
        text = collapse_spaces(raw).strip(" ")
        if text or (empty_line and self.cell is not None):
            self._target().append(Line(text, self.line, self._innermost(), self._tick(), self.link_chars))
            self.emitted += 1
            self.outside += self.cell is None
            if self.emitted > MAX_LINES or self.outside > MAX_BLOCKS:  # stop early: the same limits as after reading
                raise ReportError(f"网页中的文字超过 {MAX_BLOCKS} 段或 {MAX_LINES} 行，不像是一份年度报告",
                                  line=self.line)
        self.link_chars = 0

    # --- markup events --------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag not in _VOID:
                self._open(tag)
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag in _BLOCK_TAGS:
            self._flush(empty_line=tag == "br")
        self._close_implied(tag)
        if tag in _VOID:
            return
        if self._is_furniture(tag, attributes):
            self._open(tag, skipped=True)
            return
        look = element_look(self.stack[-1].look if self.stack else PAGE, tag, attributes, self.rules)
        if look is None:  # hidden, with all inside it: its text is no data
            self._open(tag, skipped=True).hides = True
            return
        element = self._open(tag)
        element.look = look
        line = self.getpos()[0]
        if tag in ("article", "main"):
            self.article_depth += 1
        if tag == "a":
            self.in_link += 1
            self.link_nodes.append(element)
        elif tag == "table":
            table = PageTable(line, element, self._tick())
            if self.cell is not None and self.tables:
                self.tables[-1].nested = True
            self._target().append(table)
            self.tables.append(table)
            self.cell = None
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append((line, []))
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if not table.rows:
                table.rows.append((line, []))
            self.cell = TableCell(line, _span(attributes.get("colspan"), zero_means=1),
                              _span(attributes.get("rowspan"), zero_means=_MAX_SPAN))
            table.rows[-1][1].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if not self.positions.get(tag):
            if tag in ("br", "p") and not self.skipping:  # </br> and a stray </p> act as line breaks
                self._flush(empty_line=True)
            return
        self._close_to(self.positions[tag][-1])

    def handle_data(self, data: str) -> None:
        if self.skipping:
            if self.skip_nodes[0].hides:
                self._hidden(data)
            return
        if self.stack and self.stack[-1].look.invisible():
            self._hidden(data)
            return
        if not self.buffer:
            self.line = self.getpos()[0]
        self.buffer.append(data)
        if self.in_link:
            self.link_chars += len(data.strip())

    def _hidden(self, data: str) -> None:
        """Text no reader can see is dropped; the cell it stood in says so."""
        if self.cell is not None and data.strip():
            self.cell.hidden = True

    # --- the element stack ----------------------------------------------------------

    def _open(self, tag: str, *, skipped: bool = False) -> Node:
        node = Node(tag, self._innermost(), self._tick(), self.emitted)
        self.positions.setdefault(tag, []).append(len(self.stack))
        self.stack.append(node)
        if skipped:
            self.skipping += 1
            self.skip_nodes.append(node)
        return node

    def _close_to(self, index: int) -> None:
        """Close the element at ``index`` of the stack and every element opened inside it."""
        while len(self.stack) > index:
            self._close_top()

    def _close_top(self) -> None:
        node = self.stack.pop()
        self.positions[node.tag].pop()
        node.closed = self._tick()
        tag = node.tag
        if self.skip_nodes and self.skip_nodes[-1] is node:
            self.skip_nodes.pop()
            self.skipping -= 1
            return
        if self.skipping:
            return
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            self._flush(empty_line=tag in _LINE_TAGS and self.emitted == node.emitted)
        if tag in ("article", "main"):
            self.article_depth -= 1
        if tag == "a" and self.link_nodes and self.link_nodes[-1] is node:
            self.link_nodes.pop()
            self.in_link -= 1
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "table" and self.tables:
            self.tables.pop()
            self.cell = self._enclosing_cell()

    def _enclosing_cell(self) -> TableCell | None:
        """After a nested table closes, text belongs to the outer table's open cell again."""
        if not self.tables:
            return None
        rows = self.tables[-1].rows
        if rows and rows[-1][1] and (self.positions.get("td") or self.positions.get("th")):
            return rows[-1][1][-1]
        return None

    def _close_implied(self, tag: str) -> None:
        """HTML lets authors omit ``</p>``, ``</td>``, ``</tr>``, ``</li>``: close them here."""
        if tag in ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6") and self._top() == "p":
            self._close_top()
        if tag == "li":
            self._close_until(("li",), stop=("ul", "ol", "table"))
        if tag in ("td", "th"):
            self._close_until(("td", "th"), stop=("tr", "table"))
        if tag == "tr":
            self._close_until(("tr",), stop=("table",))
        if tag in ("thead", "tbody", "tfoot"):
            self._close_until(("thead", "tbody", "tfoot"), stop=("table",))

    def _top(self) -> str | None:
        return self.stack[-1].tag if self.stack else None

    def _nearest(self, tags: tuple[str, ...]) -> int:
        """The stack index of the innermost open element with one of these tags, or -1."""
        nearest = -1
        for tag in tags:
            found = self.positions.get(tag)
            if found and found[-1] > nearest:
                nearest = found[-1]
        return nearest

    def _close_until(self, targets: tuple[str, ...], *, stop: tuple[str, ...]) -> None:
        """Close the innermost open ``targets`` element, unless a ``stop`` element is inside it."""
        target = self._nearest(targets)
        if target >= 0 and target > self._nearest(stop):
            self._close_to(target)

    def _is_furniture(self, tag: str, attributes: dict[str, str]) -> bool:
        if tag in _SKIP_TAGS:
            return True
        if tag in ("header", "footer") and not self.article_depth:
            return True
        if not attributes:
            return False
        if attributes.get("aria-hidden") == "true":
            return True
        words = " ".join((attributes.get("class", ""), attributes.get("id", ""))).lower()
        return bool(words) and not _FURNITURE.isdisjoint(re.split(r"[^a-z0-9]+", words))

    def close(self) -> None:
        super().close()
        self._flush()
        self._close_to(0)


def parse_html(text: str) -> Document:
    """The article's paragraphs and tables, in reading order."""
    parser = _PageParser(style_rules(text))
    parser.feed(text)
    parser.close()
    placed = flatten(parser.blocks)
    anchors = [(node, time) for block, node, time, links in placed if is_anchor(block, links)]
    article = container(anchors) if anchors else None
    blocks: list[Block] = []
    for block, _, time, links in placed:
        if article is not None and not article.holds(time):
            continue
        if isinstance(block, Paragraph) and link_only(block, links):
            continue
        blocks.append(block)
    return Document(blocks=blocks, source_format="html")


class HtmlReader:
    """Reads ``.html``/``.htm`` pages saved from a government website."""

    extensions = (".html", ".htm", ".shtml")
    format_name = "html"
    max_bytes = 16 * 1024 * 1024

    def read(self, data: bytes) -> Document:
        text = decode_text(data, declared=declared_charset(data))
        tags = text.count("<")
        if tags > MAX_TAGS:
            raise ReportError(f"网页有 {tags} 个标记，超过上限 {MAX_TAGS}，不像是一份年度报告"
                              "（一份报告的网页通常不到五万个）：请检查文件，或换用 .docx 版本")
        return parse_html(text)
