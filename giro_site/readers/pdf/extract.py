"""What PDFium sees on each page: the characters with their boxes, the ruling lines and
how much of the page is image. The only module that calls PDFium (native code); it runs
inside the isolated child process (``isolate``), and everything it returns is plain data.

What is inside a Form XObject (a page an overlay, stamping or n-up tool wrapped whole) is the
page's. Characters a reader cannot see are kept apart (``PageContent.hidden``), never read.
A page's objects are counted before PDFium lays out its text and the document's characters
as pages are read, so that a file built to cost minutes is refused in a fraction of a second.

Coordinates are points on the page as displayed (the page's rotation applied), with the
origin at the top left and ``y`` growing downwards, like reading.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import NamedTuple

from giro_site.errors import ReportError

MAX_PAGES = 300  # a long annual report has 30; a larger file is not one report
MAX_CHARS_PER_PAGE = 20_000  # a dense page holds 3,000
MAX_CHARS = 150_000  # in the whole document, counted page by page: a long report has 60,000
MAX_PATHS_PER_PAGE = 50_000  # a ruled table page draws ~1,000 edges; a vector chart can draw more
MAX_OBJECTS_PER_PAGE = 100_000  # drawing objects of every kind, those inside Form XObjects too
# PDFium's text layout of a page costs time that grows with the square of its text objects
# (10,000 objects: 0.4 s; 100,000: a minute). A page of a report has a few hundred, or one per
# character (3,000) from some producers.
MAX_TEXT_OBJECTS_PER_PAGE = 6_000
MAX_TEXT_COST = 6_000 ** 2 * 6  # the squares summed over the pages: six pages at the cap (about 1 s)

_LINE_WIDTH = 3.0  # a filled or stroked shape thinner than this (points) is a ruling line
_MIN_LENGTH = 4.0  # shorter strokes are glyph parts, bullets or dots, not table edges


class Glyph(NamedTuple):
    """One character as printed: its text and box."""

    char: str
    x0: float
    x1: float
    top: float
    bottom: float


class Segment(NamedTuple):
    """A ruling line: for a horizontal one ``at`` is its y and ``start``/``end`` its x
    range; for a vertical one ``at`` is its x and the range is in y."""

    at: float
    start: float
    end: float


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    horizontal: list[Segment] = field(default_factory=list)
    vertical: list[Segment] = field(default_factory=list)
    image_area: float = 0.0  # the share of the page covered by images (0..1, overlaps counted twice)
    hidden: list[Glyph] = field(default_factory=list)  # characters a reader cannot see (not read)


@dataclass
class PdfContent:
    pages: list[PageContent]
    page_count: int


class _Frame:
    """Maps PDF user space to the displayed page (rotation and crop box applied)."""

    def __init__(self, left: float, bottom: float, right: float, top: float, rotation: int):
        self.left, self.bottom, self.right, self.top = left, bottom, right, top
        self.rotation = rotation % 360
        turned = self.rotation in (90, 270)
        self.width = (top - bottom) if turned else (right - left)
        self.height = (right - left) if turned else (top - bottom)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 0:
            return x - self.left, self.top - y
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        return self.top - y, self.right - x

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """(left, right, top, bottom) on the displayed page of a PDF-space box."""
        ax, ay = self.point(x0, y0)
        bx, by = self.point(x1, y1)
        return min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)


def open_pdf(data: bytes) -> object:
    """The PDFium document, or a ReportError saying why the file cannot be opened."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if b"%PDF" not in data[:1024]:  # where PDFium itself looks for the header
        raise ReportError("文件不是 PDF（开头没有 %PDF 标记），可能已损坏或扩展名有误：请找到报告的原始文件")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise ReportError("PDF 已加密，需要密码才能打开：请找到未加密的报告，或用知道密码的软件另存为不加密的 PDF"
                              ) from exc
        raise ReportError("PDF 文件已损坏或不完整，无法打开：请重新下载报告，或找到 .docx 或网页版本") from exc


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(inner: Matrix, outer: Matrix) -> Matrix:
    """``inner`` then ``outer``: PDF's row-vector convention."""
    a, b, c, d, e, f = inner
    p, q, r, s, t, u = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


class Drawing(NamedTuple):
    """What ``_objects`` found on a page."""

    objects: list[tuple[object, int, Matrix]]  # each drawing object, its type, its forms' matrix
    texts: int  # how many are text
    forms: dict[int, Matrix]  # text object inside a form (by address) -> the form's matrix
    unseen: set[int]  # text objects that paint nothing a reader sees (by address)


def _objects(page: object, number: int) -> Drawing:
    """Every drawing object of the page with its type and the matrix of the forms it sits
    in (a Form XObject is what overlay, stamping and n-up tools put a whole page in: its
    lines and text are the page's), and how many of them are text. Counted before PDFium
    lays out the page's text, whose cost grows with the square of its text objects: a page
    over the caps is refused here, cheaply. Also, by the object's address, each text object
    inside a form with the form's matrix (see ``_unplaced``) and the text objects no reader
    sees (``_Paint.unseen``): a page with neither is read without asking each character's object."""
    import pypdfium2.raw as raw

    count = raw.FPDFPage_CountObjects(page)
    if count > MAX_OBJECTS_PER_PAGE:
        raise ReportError(f"PDF 第 {number} 页有 {count} 个绘图对象，超出上限（{MAX_OBJECTS_PER_PAGE}），"
                          "不像是年度报告的一页")
    get_type, text_kind, form_kind = raw.FPDFPageObj_GetType, raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_FORM
    matrix = raw.FS_MATRIX()
    paint = _Paint()
    out: list[tuple[object, int, Matrix]] = []
    texts = 0
    forms: dict[int, Matrix] = {}
    unseen: set[int] = set()
    containers: list[tuple[object, Matrix]] = [(page, _IDENTITY)]  # the page, then each form in it
    while containers:
        container, outer = containers.pop()
        if container is page:
            size, get_object = count, raw.FPDFPage_GetObject
        else:
            size, get_object = max(0, raw.FPDFFormObj_CountObjects(container)), raw.FPDFFormObj_GetObject
            count += size
            if count > MAX_OBJECTS_PER_PAGE:
                raise ReportError(f"PDF 第 {number} 页有超过 {MAX_OBJECTS_PER_PAGE} 个绘图对象（含嵌套的表单对象），"
                                  "超出上限，不像是年度报告的一页")
        for index in range(size):
            obj = get_object(container, index)
            kind = get_type(obj)
            if kind == form_kind:
                own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f) if raw.FPDFPageObj_GetMatrix(
                    obj, ctypes.byref(matrix)) else _IDENTITY
                containers.append((obj, _times(own, outer)))  # its objects are in the form's space
                continue
            if kind == text_kind:
                texts += 1
                if texts > MAX_TEXT_OBJECTS_PER_PAGE:
                    raise ReportError(f"PDF 第 {number} 页有超过 {MAX_TEXT_OBJECTS_PER_PAGE} 个文字对象，超出上限，"
                                      "读取其文字要花的时间过长，不像是年度报告的一页")
                hidden = paint.unseen(obj)
                if outer is not _IDENTITY or hidden:
                    address = ctypes.cast(obj, ctypes.c_void_p).value or 0
                    if outer is not _IDENTITY:
                        forms[address] = outer
                    if hidden:
                        unseen.add(address)
            out.append((obj, kind, outer))
    return Drawing(out, texts, forms, unseen)


def _segments(objects: list[tuple[object, int, Matrix]], frame: _Frame, out: PageContent) -> None:
    import pypdfium2.raw as raw

    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    area = 0.0
    seen = 0
    for obj, kind, outer in objects:
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE):
            continue
        if not raw.FPDFPageObj_GetBounds(obj, *refs):
            continue
        if outer is _IDENTITY:
            x0, x1, y0, y1 = frame.box(left.value, bottom.value, right.value, top.value)
        else:  # the corners of its box in the form, on the page
            corners = [frame.point(*_apply(outer, x, y)) for x in (left.value, right.value)
                       for y in (bottom.value, top.value)]
            x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
            y0, y1 = min(p[1] for p in corners), max(p[1] for p in corners)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            area += max(0.0, x1 - x0) * max(0.0, y1 - y0)
            continue
        seen += 1
        if seen > MAX_PATHS_PER_PAGE:  # a drawing, not a table: no partial grid, no table on this page
            out.horizontal.clear()
            out.vertical.clear()
            break
        width, height = x1 - x0, y1 - y0
        if height <= _LINE_WIDTH and width >= _MIN_LENGTH:
            out.horizontal.append(Segment((y0 + y1) / 2, x0, x1))
        elif width <= _LINE_WIDTH and height >= _MIN_LENGTH:
            out.vertical.append(Segment((x0 + x1) / 2, y0, y1))
        elif width >= _MIN_LENGTH and height >= _MIN_LENGTH:
            _path_edges(obj, outer, frame, out)
    out.image_area = area / max(1.0, frame.width * frame.height)


def _path_edges(obj: object, outer: Matrix, frame: _Frame, out: PageContent) -> None:
    """The axis-parallel straight edges of a larger path: a stroked cell outline or a grid
    drawn as one path. Curves are skipped (rounded boxes are decoration)."""
    import pypdfium2.raw as raw

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    if not stroke.value:
        return  # a filled area (a shaded cell) has no edges to read
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
        return
    m = _times((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for index in range(min(raw.FPDFPath_CountSegments(obj), 4096)):
        segment = raw.FPDFPath_GetPathSegment(obj, index)
        raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = frame.point(*_apply(m, x.value, y.value))
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = previous = point
            continue
        if kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
            _edge(previous, point, out)
        previous = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            _edge(point, start, out)
            previous = start


def _edge(p: tuple[float, float], q: tuple[float, float], out: PageContent) -> None:
    if abs(p[1] - q[1]) <= 0.5 and abs(p[0] - q[0]) >= _MIN_LENGTH:
        out.horizontal.append(Segment((p[1] + q[1]) / 2, min(p[0], q[0]), max(p[0], q[0])))
    elif abs(p[0] - q[0]) <= 0.5 and abs(p[1] - q[1]) >= _MIN_LENGTH:
        out.vertical.append(Segment((p[0] + q[0]) / 2, min(p[1], q[1]), max(p[1], q[1])))


_INVISIBLE_MODES = (3, 7)  # text render modes that paint nothing: invisible, clip only
_STROKE_MODES = (1, 5)  # modes that only stroke the outline
_MIN_SIZE = 0.5  # points: a glyph smaller than this is not text a reader can see


class _Paint:
    """Asks PDFium how a text object is painted (its arguments made once a page)."""

    def __init__(self) -> None:
        import pypdfium2.raw as raw

        self.mode, self.fill, self.stroke = (raw.FPDFTextObj_GetTextRenderMode, raw.FPDFPageObj_GetFillColor,
                                             raw.FPDFPageObj_GetStrokeColor)
        self.values = [ctypes.c_uint() for _ in range(4)]
        self.refs = [ctypes.byref(value) for value in self.values]

    def unseen(self, obj: object) -> bool:
        """Whether a text object paints nothing a reader can see: render mode 3 (what OCR
        layers and hidden keywords use) or 7, or a fully transparent colour."""
        mode = self.mode(obj)
        if mode in _INVISIBLE_MODES:
            return True
        paint = self.stroke if mode in _STROKE_MODES else self.fill
        return bool(paint(obj, *self.refs) and self.values[3].value == 0)


def _glyphs(textpage: object, frame: _Frame, out: PageContent, count: int, drawing: Drawing) -> None:
    """Every character the text layer has, with its loose (font-height) box. Spaces and
    line breaks PDFium made up from gaps are left out: where a space belongs is decided
    later, and never between a figure and a Chinese character. Characters a reader cannot
    see (see ``_Paint.unseen``; under half a point; outside the page) go to ``out.hidden``.
    ``drawing``: the page's text objects inside forms and those no reader sees."""
    import pypdfium2.raw as raw

    if count <= 0:
        return
    buffer = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(buffer)[: max(0, written - 1) * 2].decode("utf-16-le", errors="replace")
    if len(text) != count:  # characters outside the BMP take two units: read them one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    append, hide = out.glyphs.append, out.hidden.append
    forms, unseen = drawing.forms, drawing.unseen
    by_object = bool(forms or unseen)  # else no character needs its object looked up
    extents: dict[int, tuple[Box, Box] | None] = {}
    width2, height2 = 2 * frame.width, 2 * frame.height  # a glyph's middle, doubled, lies within
    box = frame.box
    for index, char in enumerate(text):
        if char in "\r\n\x00\ufffe\uffff" or (char == " " and raw.FPDFText_IsGenerated(textpage, index)):
            continue
        if not raw.FPDFText_GetLooseCharBox(textpage, index, ref):
            continue
        hidden = False
        if by_object:
            obj = raw.FPDFText_GetTextObject(textpage, index)
            address = ctypes.cast(obj, ctypes.c_void_p).value or 0
            hidden, outer = address in unseen, forms.get(address)
            if outer is not None and _unplaced(obj, outer, rect, extents, address):
                x0, x1, top, bottom = _form_box(outer, frame, rect)
            else:
                x0, x1, top, bottom = box(rect.left, rect.bottom, rect.right, rect.top)
        else:
            x0, x1, top, bottom = box(rect.left, rect.bottom, rect.right, rect.top)
        if (hidden or (x1 - x0 < _MIN_SIZE and bottom - top < _MIN_SIZE) or not 0.0 <= x0 + x1 <= width2
                or not 0.0 <= top + bottom <= height2):
            if not char.isspace():
                hide(Glyph(char, x0, x1, top, bottom))
            continue
        append(Glyph(char, x0, x1, top, bottom))


Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF space


def _unplaced(obj: object, outer: Matrix, rect: object, extents: dict[int, tuple[Box, Box] | None],
              address: int) -> bool:
    """Whether PDFium gave a character of a Form XObject its box without the form's matrix
    (it does for some glyphs of some fonts): the box lies within its text object's extent
    in the form's own space, not within that extent on the page. ``extents`` caches both
    extents by object."""
    import pypdfium2.raw as raw

    if address not in extents:
        left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        extents[address] = None
        if raw.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right),
                                     ctypes.byref(top)):
            corners = [_apply(outer, x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
            placed = (min(c[0] for c in corners), min(c[1] for c in corners), max(c[0] for c in corners),
                      max(c[1] for c in corners))
            extents[address] = ((left.value, bottom.value, right.value, top.value), placed)
    known = extents[address]
    return known is not None and _within(rect, known[0]) and not _within(rect, known[1])


def _within(rect: object, box: Box) -> bool:
    """Whether the middle of a character's box (``FS_RECTF``) lies in ``box``."""
    x = (rect.left + rect.right) / 2  # type: ignore[attr-defined]
    y = (rect.bottom + rect.top) / 2  # type: ignore[attr-defined]
    return box[0] - 1.0 <= x <= box[2] + 1.0 and box[1] - 1.0 <= y <= box[3] + 1.0


def _form_box(outer: Matrix, frame: _Frame, rect: object) -> tuple[float, float, float, float]:
    corners = [frame.point(*_apply(outer, x, y)) for x in (rect.left, rect.right)  # type: ignore[attr-defined]
               for y in (rect.bottom, rect.top)]  # type: ignore[attr-defined]
    return (min(p[0] for p in corners), max(p[0] for p in corners), min(p[1] for p in corners),
            max(p[1] for p in corners))


def read_pages(data: bytes) -> PdfContent:
    """Open the PDF and read every page (at most ``MAX_PAGES``), within the caps on a page's
    objects and the document's text objects and characters (counted before each page's text
    is loaded and its characters are read, so a hostile file is refused in a second, not a
    minute)."""
    import pypdfium2.raw as raw

    document = open_pdf(data)
    try:
        count = len(document)  # type: ignore[arg-type]
        if count == 0:
            raise ReportError("PDF 文件没有任何页面，可能已损坏或不完整：请重新下载报告")
        if count > MAX_PAGES:
            raise ReportError(f"PDF 有 {count} 页，超出上限（{MAX_PAGES} 页），不像是一份年度报告")
        pages: list[PageContent] = []
        text_cost = characters = 0
        for number in range(count):
            page = document[number]  # type: ignore[index]
            try:
                left, bottom, right, top = page.get_cropbox()
                frame = _Frame(left, bottom, right, top, page.get_rotation())
                content = PageContent(number + 1, frame.width, frame.height)
                drawing = _objects(page, number + 1)
                texts = drawing.texts
                text_cost += texts * texts
                if text_cost > MAX_TEXT_COST:
                    raise ReportError(f"PDF 到第 {number + 1} 页为止的文字对象过多（本页 {texts} 个），读取其文字要花的"
                                      "时间过长，不像是一份年度报告")
                _segments(drawing.objects, frame, content)
                textpage = page.get_textpage()
                try:
                    chars = raw.FPDFText_CountChars(textpage)
                    if chars > MAX_CHARS_PER_PAGE:
                        raise ReportError(f"PDF 第 {number + 1} 页有 {chars} 个字符，超出上限（{MAX_CHARS_PER_PAGE}），"
                                          "不像是年度报告的一页")
                    characters += max(0, chars)
                    if characters > MAX_CHARS:
                        raise ReportError(f"PDF 到第 {number + 1} 页为止已有 {characters} 个字符，超出全文上限"
                                          f"（{MAX_CHARS}），不像是一份年度报告")
                    _glyphs(textpage, frame, content, chars, drawing)
                finally:
                    textpage.close()
                pages.append(content)
            finally:
                page.close()
        return PdfContent(pages, count)
    finally:
        document.close()  # type: ignore[attr-defined]
