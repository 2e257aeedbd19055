"""Whether a run of a Word document can be seen: hidden (``w:vanish``, ``w:specVanish``),
under one point, or the colour of what is behind it (white on a white page, a shaded cell
or paragraph, its own shading or highlight). Properties come from the run, its character
style and its paragraph's style (``basedOn`` followed), over the document's defaults."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree import ElementTree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_PR, _P_PR, _R_STYLE, _P_STYLE = f"{_W}rPr", f"{_W}pPr", f"{_W}rStyle", f"{_W}pStyle"
_VANISH, _SPEC_VANISH, _COLOR, _SZ, _SHD, _HIGHLIGHT = (f"{_W}vanish", f"{_W}specVanish", f"{_W}color", f"{_W}sz",
                                                          f"{_W}shd", f"{_W}highlight")
_FILL = f"{_W}fill"
_MAX_STYLES_BYTES = 8 * 1024 * 1024  # a styles part larger than this is not read (all text shows)


_HIGHLIGHTS = {"white": "FFFFFF", "black": "000000", "yellow": "FFFF00", "lightgray": "C0C0C0",
               "darkgray": "808080", "green": "00FF00", "cyan": "00FFFF", "red": "FF0000", "blue": "0000FF"}
_CLOSE = 16  # colour channels this close are one colour to a reader


@dataclass(frozen=True)
class Look:
    """The run properties that decide whether text shows (None: not set at this level)."""

    vanish: bool | None = None
    colour: str | None = None  # RRGGBB, or "auto"
    half_points: int | None = None
    fill: str | None = None  # the run's own shading or highlight, RRGGBB

    def over(self, base: Look) -> Look:
        """These properties set over ``base``'s (a style's, a paragraph's)."""
        return Look(*(mine if mine is not None else theirs
                       for mine, theirs in zip(self.__dict__.values(), base.__dict__.values(), strict=True)))


def _on(element: ElementTree.Element | None) -> bool | None:
    """A toggle property: on unless ``w:val`` says off; None when absent."""
    if element is None:
        return None
    return element.get(f"{_W}val", "true").lower() not in ("0", "false", "off")


def hex_colour(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if value == "AUTO":
        return "auto"
    return value if len(value) == 6 and all(c in "0123456789ABCDEF" for c in value) else None


def _look(properties: ElementTree.Element | None) -> Look:
    """A run's (or style's) visibility properties from its ``w:rPr``."""
    if properties is None:
        return Look()
    vanish = _on(properties.find(_VANISH))
    special = _on(properties.find(_SPEC_VANISH))
    colour = properties.find(_COLOR)
    size = properties.find(_SZ)
    shading = properties.find(_SHD)
    highlight = properties.find(_HIGHLIGHT)
    try:
        half_points = int(size.get(f"{_W}val", "")) if size is not None else None
    except ValueError:
        half_points = None
    fill = hex_colour(shading.get(_FILL)) if shading is not None else None
    if highlight is not None and highlight.get(f"{_W}val", "none") != "none":
        fill = _HIGHLIGHTS.get(highlight.get(f"{_W}val", ""), fill)
    return Look(True if vanish or special else vanish if vanish is not None else special,
                 hex_colour(colour.get(f"{_W}val")) if colour is not None else None, half_points,
                 fill if fill != "auto" else None)


def _same(a: str, b: str) -> bool:
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) <= _CLOSE for i in (0, 2, 4))


@dataclass
class Ink:
    """What decides the look of runs in one place: the document's styles and the colour
    behind the text (a shaded cell or paragraph; the page is white)."""

    styles: dict[str, Look] = field(default_factory=dict)
    default: Look = Look()
    background: str = "FFFFFF"
    paragraph: Look = Look()

    def behind(self, fill: str | None) -> Ink:
        return Ink(self.styles, self.default, fill, self.paragraph) if fill and fill != "auto" else self

    def for_paragraph(self, paragraph: ElementTree.Element) -> Ink:
        properties = paragraph.find(_P_PR)
        if properties is None:
            return self
        style = properties.find(_P_STYLE)
        look = self.styles.get(style.get(f"{_W}val", ""), Look()) if style is not None else Look()
        shading = properties.find(_SHD)
        fill = hex_colour(shading.get(_FILL)) if shading is not None else None
        ink = Ink(self.styles, self.default, self.background, look.over(self.default))
        return ink.behind(fill)

    def hides(self, run: ElementTree.Element) -> bool:
        """Whether a reader cannot see this run's text."""
        properties = run.find(_R_PR)
        look = _look(properties)
        style = properties.find(_R_STYLE) if properties is not None else None
        if style is not None:
            look = look.over(self.styles.get(style.get(f"{_W}val", ""), Look()))
        look = look.over(self.paragraph)
        if look.vanish:
            return True
        if look.half_points is not None and look.half_points < 2:  # under one point
            return True
        behind = look.fill or self.background
        return look.colour not in (None, "auto") and _same(look.colour, behind)


PLAIN = Ink()
_MAX_STYLES = 5000


def read_styles(data: bytes) -> Ink:
    """The look each style gives its runs (``basedOn`` followed), from ``word/styles.xml``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            info = archive.getinfo("word/styles.xml")
            if info.file_size > _MAX_STYLES_BYTES:
                return PLAIN
            root = ElementTree.fromstring(archive.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, RuntimeError, NotImplementedError, ValueError,
            OSError, zlib.error, EOFError):
        return PLAIN
    own: dict[str, tuple[Look, str | None]] = {}
    for style in root.iter(f"{_W}style"):
        ident = style.get(f"{_W}styleId")
        if ident is None or len(own) >= _MAX_STYLES:
            continue
        based = style.find(f"{_W}basedOn")
        own[ident] = (_look(style.find(_R_PR)), based.get(f"{_W}val") if based is not None else None)
    looks: dict[str, Look] = {}
    for ident in own:
        look, parent, seen = own[ident][0], own[ident][1], {ident}
        while parent in own and parent not in seen and len(seen) < 20:  # basedOn chains may loop
            seen.add(parent)
            look = look.over(own[parent][0])
            parent = own[parent][1]
        looks[ident] = look
    defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_R_PR}")
    return Ink(looks, _look(defaults), paragraph=_look(defaults))


