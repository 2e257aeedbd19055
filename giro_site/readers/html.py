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
from dataclasses import dataclass, field
from html.parser import HTMLParser

from giro_site.document import Block, Cell, Document, Paragraph, Row, Table
from giro_site.readers.encoding import decode_text

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
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f]+")
# Elements whose end is a line even when empty (an empty <p></p> in a cell is a blank line).
_LINE_TAGS = frozenset(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd"])
_HEADING = re.compile(r"^\s*[一二三四五六七八]\s*[、.．]")
_MAX_SPAN = 1000  # a rowspan or colspan larger than any form table: refuse to allocate for it

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


@dataclass
class _Line:
    """A paragraph candidate: its text, where it starts, and how much of it is link text."""

    text: str
    line: int
    ancestors: tuple[int, ...]
    link_chars: int = 0


@dataclass
class _Cell:
    line: int
    colspan: int
    rowspan: int
    items: list[_Line | _Table] = field(default_factory=list)


@dataclass
class _Table:
    line: int
    ancestors: tuple[int, ...]
    rows: list[tuple[int, list[_Cell]]] = field(default_factory=list)

    def has_nested(self) -> bool:
        return any(isinstance(item, _Table) for _, cells in self.rows for cell in cells for item in cell.items)


def _span(value: str | None, *, zero_means: int) -> int:
    try:
        number = int((value or "1").strip().rstrip(";"))
    except ValueError:
        return 1
    if number == 0:
        number = zero_means
    return max(1, min(number, _MAX_SPAN))


class _PageParser(HTMLParser):
    """One pass over the markup, building paragraphs and tables with their ancestry."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # Open elements: (tag, element id, lines emitted before it opened).
        self.stack: list[tuple[str, int, int]] = []
        self.next_id = 0
        self.skipping = 0  # depth inside skipped elements
        self.skip_tags: list[int] = []  # element ids of skipped elements still open
        self.in_link = 0
        self.link_ids: list[int] = []
        self.blocks: list[_Line | _Table] = []
        self.tables: list[_Table] = []  # open tables, innermost last
        self.cell: _Cell | None = None
        self.buffer: list[str] = []
        self.link_chars = 0
        self.line = 0
        self.emitted = 0
        self.article_depth = 0

    # --- where text goes ------------------------------------------------------------

    def _ancestors(self) -> tuple[int, ...]:
        return tuple(element for _, element, _ in self.stack)

    def _target(self) -> list[_Line | _Table]:
        return self.cell.items if self.cell is not None else self.blocks

    def _flush(self, *, empty_line: bool = False) -> None:
        """End the current line of text (at a block boundary). Inside a cell an element that
        ends without text (``<p></p>``, a second ``<br>``) is a blank line of the cell."""
        raw = "".join(self.buffer)
        self.buffer = []
        text = collapse_spaces(raw).strip(" ")
        if text or (empty_line and self.cell is not None):
            self._target().append(_Line(text, self.line, self._ancestors(), self.link_chars))
            self.emitted += 1
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
        element = self._open(tag)
        line = self.getpos()[0]
        if tag in ("article", "main"):
            self.article_depth += 1
        if tag == "a":
            self.in_link += 1
            self.link_ids.append(element)
        elif tag == "table":
            table = _Table(line, self._ancestors())
            self._target().append(table)
            self.tables.append(table)
            self.cell = None
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append((line, []))
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if not table.rows:
                table.rows.append((line, []))
            self.cell = _Cell(line, _span(attributes.get("colspan"), zero_means=1),
                              _span(attributes.get("rowspan"), zero_means=_MAX_SPAN))
            table.rows[-1][1].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            if tag in ("br", "p") and not self.skipping:  # </br> and a stray </p> act as line breaks
                self._flush(empty_line=True)
            return
        while self.stack:
            open_tag = self.stack[-1][0]
            self._close_top()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.buffer:
            self.line = self.getpos()[0]
        self.buffer.append(data)
        if self.in_link:
            self.link_chars += len(data.strip())

    # --- the element stack ----------------------------------------------------------

    def _open(self, tag: str, *, skipped: bool = False) -> int:
        self.next_id += 1
        self.stack.append((tag, self.next_id, self.emitted))
        if skipped:
            self.skipping += 1
            self.skip_tags.append(self.next_id)
        return self.next_id

    def _close_top(self) -> None:
        tag, element, emitted_before = self.stack.pop()
        if self.skip_tags and self.skip_tags[-1] == element:
            self.skip_tags.pop()
            self.skipping -= 1
            return
        if self.skipping:
            return
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            self._flush(empty_line=tag in _LINE_TAGS and self.emitted == emitted_before)
        if tag in ("article", "main"):
            self.article_depth -= 1
        if tag == "a" and self.link_ids and self.link_ids[-1] == element:
            self.link_ids.pop()
            self.in_link -= 1
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "table" and self.tables:
            self.tables.pop()
            self.cell = self._enclosing_cell()

    def _enclosing_cell(self) -> _Cell | None:
        """After a nested table closes, text belongs to the outer table's open cell again."""
        if not self.tables:
            return None
        rows = self.tables[-1].rows
        if rows and rows[-1][1] and any(tag in ("td", "th") for tag, _, _ in self.stack):
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
        return self.stack[-1][0] if self.stack else None

    def _close_until(self, targets: tuple[str, ...], *, stop: tuple[str, ...]) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[index][0]
            if tag in stop:
                return
            if tag in targets:
                while len(self.stack) > index:
                    self._close_top()
                return

    def _is_furniture(self, tag: str, attributes: dict[str, str]) -> bool:
        if tag in _SKIP_TAGS or "hidden" in attributes:
            return True
        if tag in ("header", "footer") and not self.article_depth:
            return True
        if _HIDDEN.search(attributes.get("style", "")) or attributes.get("aria-hidden") == "true":
            return True
        words = " ".join((attributes.get("class", ""), attributes.get("id", ""))).lower()
        return bool(words) and not _FURNITURE.isdisjoint(re.split(r"[^a-z0-9]+", words))

    def close(self) -> None:
        super().close()
        self._flush()
        while self.stack:
            self._close_top()


# --- from the parse to a Document ----------------------------------------------------


def _cell_text(cell: _Cell) -> str:
    """A data cell's lines joined as the text reader joins a cell's paragraphs."""
    lines = [item.text for item in cell.items if isinstance(item, _Line)]
    return "\n".join(lines).strip("\n")


def _grid_rows(table: _Table) -> tuple[Row, ...]:
    """Rows of cells with an empty placeholder wherever a cell from a row above reaches."""
    covering: dict[int, list[int]] = {}  # grid column -> [rows still covered, colspan]
    rows: list[Row] = []
    for line, cells in table.rows:
        out: list[Cell] = []
        column = 0
        queue = list(cells)
        while queue or any(c >= column for c in covering):
            if column in covering:
                remaining, colspan = covering[column]
                out.append(Cell("", line, colspan, True))
                if remaining <= 1:
                    del covering[column]
                else:
                    covering[column][0] = remaining - 1
                column += colspan
            elif queue:
                cell = queue.pop(0)
                text = _cell_text(cell)
                out.append(Cell(text, cell.line, cell.colspan, False))
                if cell.rowspan > 1:
                    covering[column] = [cell.rowspan - 1, cell.colspan]
                column += cell.colspan
            else:
                column = min(c for c in covering if c >= column)
        if out:
            rows.append(Row(tuple(out), line))
    return tuple(rows)


def _flatten(items: list[_Line | _Table]) -> list[tuple[Block, tuple[int, ...], int]]:
    """Blocks in reading order with their ancestry and link-text count; layout tables
    (tables that hold tables) give up their cells' content as blocks."""
    out: list[tuple[Block, tuple[int, ...], int]] = []
    for item in items:
        if isinstance(item, _Line):
            if item.text:
                out.append((Paragraph(item.text.strip(), item.line), item.ancestors, item.link_chars))
        elif item.has_nested():
            for _, cells in item.rows:
                for cell in cells:
                    out.extend(_flatten(cell.items))
        else:
            rows = _grid_rows(item)
            if rows:
                out.append((Table(rows, item.line), item.ancestors, 0))
    return out


def _link_only(paragraph: Paragraph, link_chars: int) -> bool:
    """A line that is mostly link text is navigation ("上一篇：…", "【打印】【关闭】")."""
    visible = len(paragraph.text.replace(" ", ""))
    return visible > 0 and link_chars * 2 >= visible


def _is_anchor(block: Block, link_chars: int) -> bool:
    """Parts every report has: its tables of figures, its section headings, its title."""
    if isinstance(block, Table):
        return len(block.rows) >= 3 and any(c.text.strip().isdigit() for r in block.rows for c in r.cells)
    if _link_only(block, link_chars):
        return False
    text = block.text
    return bool(_HEADING.match(text)) or ("年度报告" in text and len(text) <= 80)


def _common_prefix(chains: list[tuple[int, ...]]) -> tuple[int, ...]:
    first = chains[0]
    length = len(first)
    for chain in chains[1:]:
        length = min(length, len(chain))
        for index in range(length):
            if chain[index] != first[index]:
                length = index
                break
    return first[:length]


def parse_html(text: str) -> Document:
    """The article's paragraphs and tables, in reading order."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    placed = _flatten(parser.blocks)
    anchors = [chain for block, chain, links in placed if _is_anchor(block, links)]
    container = _common_prefix(anchors) if anchors else ()
    blocks: list[Block] = []
    for block, chain, links in placed:
        if chain[: len(container)] != container:
            continue
        if isinstance(block, Paragraph) and _link_only(block, links):
            continue
        blocks.append(block)
    return Document(blocks=blocks, source_format="html")


class HtmlReader:
    """Reads ``.html``/``.htm`` pages saved from a government website."""

    extensions = (".html", ".htm", ".shtml")
    format_name = "html"
    max_bytes = 16 * 1024 * 1024

    def read(self, data: bytes) -> Document:
        return parse_html(decode_text(data, declared=declared_charset(data)))
