"""Whether the text of a web page can be seen, from the styles that hide it.

Pages hide text many ways, and a hidden ``1`` before a printed ``0`` would make a cell 10:
``display:none``, ``visibility:hidden`` and the ``hidden`` attribute; text the colour of
its background (``color:#fff`` on white, ``<font color=white>``) or ``transparent``;
``font-size`` under one pixel; ``opacity:0``; an element clipped to nothing (``clip:
rect(0 0 0 0)``, ``clip-path: inset(50%)``, one pixel wide with ``overflow:hidden``) or
moved off the page (``left:-9999px``, ``text-indent:-9999px``).

Styles come from the element's ``style`` attribute and from ``<style>`` rules whose
selector is one simple compound (``.hide``, ``#x``, ``span.hide``); a rule with
combinators (``.a .b``) is not applied, so text is never dropped on a guess. Some ways
hide an element and all inside it for good (the element's ``Look`` is None); colour and
font size are inherited and a child may set them back (``Look``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Colour = tuple[int, int, int, float]  # red, green, blue 0..255, alpha 0..1

WHITE: Colour = (255, 255, 255, 1.0)
_NAMED: dict[str, Colour] = {
    "white": WHITE, "black": (0, 0, 0, 1.0), "transparent": (0, 0, 0, 0.0), "red": (255, 0, 0, 1.0),
    "green": (0, 128, 0, 1.0), "blue": (0, 0, 255, 1.0), "gray": (128, 128, 128, 1.0),
    "grey": (128, 128, 128, 1.0), "silver": (192, 192, 192, 1.0), "yellow": (255, 255, 0, 1.0),
    "snow": (255, 250, 250, 1.0), "whitesmoke": (245, 245, 245, 1.0), "ivory": (255, 255, 240, 1.0),
}
_CLOSE = 16  # colour channels this close are the same colour to a reader
_OFF_PAGE = -500.0  # px: an offset this far left or up puts text off any page
_DEFAULT_PX = 16.0


@dataclass(frozen=True, slots=True)
class Look:
    """What decides whether an element's own text shows: its colour (None: the page's
    default, or one not understood: visible), the nearest background behind it, its font
    size in pixels."""

    colour: Colour | None = None
    background: Colour | None = WHITE  # None: a picture, whose colours are not known
    font_px: float = _DEFAULT_PX

    def invisible(self) -> bool:
        """Text in this look cannot be read: no colour, the background's colour, or too small."""
        if self.font_px < 1.0:
            return True
        if self.colour is None:
            return False
        return self.colour[3] <= 0.05 or (self.background is not None and same_colour(self.colour, self.background))


PAGE = Look()


def same_colour(a: Colour, b: Colour) -> bool:
    return all(abs(x - y) <= _CLOSE for x, y in zip(a[:3], b[:3], strict=True))


@lru_cache(maxsize=4096)
def parse_colour(value: str) -> Colour | None:
    """A CSS or HTML colour (``#fff``, ``#ffffff80``, ``rgb(…)``, ``rgba(…)``, a name); None
    when not understood (then it is taken as visible)."""
    text = value.strip().lower().removesuffix("!important").strip()
    if text in _NAMED:
        return _NAMED[text]
    if re.fullmatch(r"#?[0-9a-f]{3,4}", text) and (text.startswith("#") or len(text) == 3):
        digits = text.lstrip("#")
        channels = [int(d * 2, 16) for d in digits]
        return (channels[0], channels[1], channels[2], channels[3] / 255 if len(channels) == 4 else 1.0)
    if re.fullmatch(r"#?[0-9a-f]{6}([0-9a-f]{2})?", text):
        digits = text.lstrip("#")
        channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
        return (channels[0], channels[1], channels[2], channels[3] / 255 if len(channels) == 4 else 1.0)
    match = re.fullmatch(r"rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:\s*[,/]\s*([\d.]+%?))?\s*\)", text)
    if match:
        def channel(part: str) -> int:
            return round(float(part[:-1]) * 2.55) if part.endswith("%") else round(float(part))
        alpha = match.group(4)
        opacity = 1.0 if alpha is None else float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
        return (channel(match.group(1)), channel(match.group(2)), channel(match.group(3)), opacity)
    return None


_LENGTH = re.compile(r"^(-?[\d.]+)(px|pt|em|rem|%|vw|vh|cm|mm|in)?$")


def _pixels(value: str, font_px: float) -> float | None:
    """A CSS length in pixels (em and % of the inherited font size); None if not one."""
    match = _LENGTH.match(value.strip().lower().removesuffix("!important").strip())
    if not match:
        return None
    try:
        number = float(match.group(1))
    except ValueError:
        return None
    unit = match.group(2) or "px"
    scale = {"px": 1.0, "pt": 4 / 3, "em": font_px, "rem": _DEFAULT_PX, "%": font_px / 100, "vw": 10.0,
             "vh": 10.0, "cm": 37.8, "mm": 3.78, "in": 96.0}[unit]
    return number * scale


def declarations(style: str) -> dict[str, str]:
    """``a: b; c: d`` as a dict, property names lowercased, later ones winning."""
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        if colon:
            out[name.strip().lower()] = value.strip().lower()
    return out


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:[.#][\w-]+)+)?$")


@dataclass(frozen=True)
class StyleRules:
    """The page's ``<style>`` rules that name one simple compound selector, by the class,
    id or tag they name."""

    by_key: dict[str, tuple[tuple[str | None, frozenset[str], str | None, dict[str, str]], ...]]

    def matching(self, tag: str, classes: list[str], ident: str | None) -> dict[str, str]:
        merged: dict[str, str] = {}
        keys = [f".{c}" for c in classes] + ([f"#{ident}"] if ident else []) + [tag]
        for key in keys:
            for rule_tag, rule_classes, rule_id, found in self.by_key.get(key, ()):
                if (rule_tag in (None, tag) and rule_classes <= set(classes)
                        and (rule_id is None or rule_id == ident)):
                    merged.update(found)
        return merged


NO_RULES = StyleRules({})
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_HIDING = ("display", "visibility", "color", "opacity", "font-size", "clip", "clip-path", "left", "top",
           "text-indent", "margin-left", "margin-top", "transform", "width", "height", "overflow", "filter",
           "background", "background-color", "background-image", "-webkit-text-fill-color", "max-height",
           "max-width", "position")


def style_rules(page: str, limit: int = 200_000) -> StyleRules:
    """The rules of the page's ``<style>`` blocks that may hide text (at most ``limit``
    characters of CSS are read: a report's page has a few kilobytes)."""
    css = "".join(_STYLE_BLOCK.findall(page[:4_000_000]))[:limit] if "<style" in page.lower() else ""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    by_key: dict[str, list[tuple[str | None, frozenset[str], str | None, dict[str, str]]]] = {}
    for selectors, body in _RULE.findall(css):
        found = {k: v for k, v in declarations(body).items() if k in _HIDING}
        if not found:
            continue
        for selector in selectors.split(","):
            match = _SIMPLE.match(selector.strip().lower())
            if not match or not selector.strip():
                continue
            tag, rest = match.group(1), match.group(2) or ""
            classes = frozenset(re.findall(r"\.([\w-]+)", rest))
            ids = re.findall(r"#([\w-]+)", rest)
            key = f".{min(classes)}" if classes else f"#{ids[0]}" if ids else tag
            if key:
                by_key.setdefault(key, []).append((tag, classes, ids[0] if ids else None, found))
    return StyleRules({key: tuple(rules) for key, rules in by_key.items()})


def _hides_all(style: dict[str, str], font_px: float) -> bool:
    """Ways of hiding that no child can undo: not shown, transparent as a whole, clipped to
    nothing, or moved off the page."""
    if style.get("display", "").startswith("none") or style.get("visibility", "").startswith(("hidden", "collapse")):
        return True
    opacity = style.get("opacity")
    if opacity is not None:
        try:
            if float(opacity.removesuffix("!important").strip().rstrip("%")) <= (5 if "%" in opacity else 0.05):
                return True
        except ValueError:
            pass
    if re.search(r"opacity\(\s*0(?:\.0+)?%?\s*\)", style.get("filter", "")):
        return True
    clip = style.get("clip", "")
    if clip.startswith("rect("):
        numbers = [_pixels(n, font_px) for n in re.findall(r"-?[\d.]+[a-z%]*", clip)]
        if len(numbers) == 4 and None not in numbers:
            top, right, bottom, left = numbers  # type: ignore[misc]
            if bottom - top <= 1 or right - left <= 1:  # type: ignore[operator]
                return True
    clip_path = style.get("clip-path", "")
    if re.search(r"inset\(\s*(?:5\d|[6-9]\d|100)(?:\.\d+)?%", clip_path) or re.search(r"circle\(\s*0", clip_path):
        return True
    if style.get("overflow", "").startswith(("hidden", "clip")):
        for name in ("width", "height", "max-width", "max-height"):
            size = _pixels(style.get(name, ""), font_px)
            if size is not None and size <= 1:
                return True
    positioned = style.get("position", "").startswith(("absolute", "fixed", "relative"))
    for name in ("left", "top") if positioned else ():
        offset = _pixels(style.get(name, ""), font_px)
        if offset is not None and offset <= _OFF_PAGE:
            return True
    for name in ("text-indent", "margin-left", "margin-top"):
        offset = _pixels(style.get(name, ""), font_px)
        if offset is not None and offset <= _OFF_PAGE:
            return True
    translated = re.search(r"translate[xy]?\(\s*(-[\d.]+)px", style.get("transform", ""))
    return bool(translated and float(translated.group(1)) <= _OFF_PAGE)


def element_look(parent: Look, tag: str, attributes: dict[str, str], rules: StyleRules) -> Look | None:
    """The look of an element's text, or None when the element and all in it are hidden."""
    if "hidden" in attributes:
        return None
    style_text = attributes.get("style", "")
    classes = attributes.get("class", "").lower().split() if rules.by_key else []
    ident = attributes.get("id", "").lower() or None
    style = rules.matching(tag, classes, ident) if rules.by_key else {}
    if style_text:
        style = {**style, **declarations(style_text)}
    font_colour = attributes.get("color")
    background_attribute = attributes.get("bgcolor")
    if not style and font_colour is None and background_attribute is None:
        return parent
    if _hides_all(style, parent.font_px):
        return None
    colour = parent.colour
    for value in (font_colour, style.get("color"), style.get("-webkit-text-fill-color")):
        if value and value.strip() not in ("inherit", "currentcolor"):
            colour = parse_colour(value)  # a colour not understood is taken as visible (None)
    background = parent.background
    if "url(" in style.get("background", "") + style.get("background-image", "") or "background" in attributes:
        background = None  # text over a picture: its colour says nothing
    for value in (background_attribute, style.get("background-color"), _background_colour(style.get("background"))):
        parsed = parse_colour(value) if value else None
        if parsed is not None and parsed[3] >= 0.95 and background is not None:
            background = parsed
    font_px = parent.font_px
    if "font-size" in style:
        size = _pixels(style["font-size"], parent.font_px)
        if size is not None:
            font_px = size
    look = Look(colour, background, font_px)
    return parent if look == parent else look


def _background_colour(shorthand: str | None) -> str | None:
    """The colour in a ``background`` shorthand (``#fff url(…) no-repeat``), if it has one."""
    if not shorthand:
        return None
    for part in re.findall(r"rgba?\([^)]*\)|#[0-9a-f]{3,8}\b|[a-z]+", shorthand):
        if parse_colour(part) is not None:
            return part
    return None
