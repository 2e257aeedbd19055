"""Where a report's body is, from what the report says, checked against the gazetteer.

The body's name usually starts with its places (``长春市双阳区鹿乡镇人民政府``): they are
read from the left, each one inside the one before. A name that fits several places (there
are four 高岭镇) is narrowed by the other names the report gives (title, signature) and the
places its prose names (``吉林省政务服务…``, an address): a candidate stays when one of its
ancestors is named. When more than one place still fits, nothing is guessed: only what all
candidates share is kept, and the rest stays null.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import ne
from typing import Any

from giro_site.regions.gazetteer import CITY, COUNTY, PROVINCE, TOWNSHIP, Place, gazetteer

LEVELS = ("省", "市", "县", "乡镇街道", "部门")
LEVEL_OF_KIND = {PROVINCE: "省", CITY: "市", COUNTY: "县", TOWNSHIP: "乡镇街道"}
# What may follow a place's name when the body is that place's government itself.
GOVERNMENT = ("", "人民政府", "政府", "办事处", "街道办事处", "人民政府办事处", "公所", "人民政府办公室")
_TOWNSHIP_SUFFIX = ("镇", "乡", "街道", "苏木")
_DEPARTMENT_SUFFIX = ("局", "委员会", "委", "办公室", "办", "厅", "署", "中心", "院", "所", "队", "站", "馆", "处",
                      "公司", "集团", "会")
_LONGEST_NAME = 20
_CONTEXT_CHARS = 40_000  # prose read for place names: bounded, whatever the report's length
FIELDS = ("code", "province", "city", "county", "township", "level")


def empty_division() -> dict[str, Any]:
    return dict.fromkeys(FIELDS)


@dataclass(frozen=True)
class NameReading:
    """What a body's name says: the places it may be in (the deepest named) and the rest."""

    places: tuple[Place, ...]
    rest: str  # the name after its places: "人民政府", "住房和城乡建设委员会"


def read_name(name: str) -> NameReading:
    """The places at the start of ``name``, each inside the one before, longest names first."""
    by_name = gazetteer().by_name
    position = 0
    candidates: list[Place] | None = None
    while position < len(name):
        found: list[Place] = []
        length = 0
        for length in range(min(_LONGEST_NAME, len(name) - position), 1, -1):
            found = by_name.get(name[position:position + length], [])
            if found and candidates is not None:
                found = [p for p in found if any(p.within(c) and p is not c for c in candidates)]
            if found:
                break
        if not found:
            break
        candidates = found
        position += length
    return NameReading(tuple(candidates or ()), name[position:])


@lru_cache(maxsize=1)
def _context_index() -> tuple[frozenset[str], frozenset[str], int]:
    """Names of provinces, cities and counties worth looking for in prose (three characters or
    more: 城区, 郊区, 矿区 are words as well as names), their last characters, the longest."""
    names = gazetteer().names_of((PROVINCE, CITY, COUNTY), shortest=3)
    return names, frozenset(name[-1] for name in names), max(map(len, names))


def places_named(texts: list[str]) -> set[str]:
    """The province, city and county names the texts mention. Only positions where a name can
    end are tried, so the cost is a few dictionary look-ups per such character."""
    names, last, longest = _context_index()
    found: set[str] = set()
    budget = _CONTEXT_CHARS
    for text in texts:
        text = text[:budget]
        budget -= len(text)
        for end, char in enumerate(text, start=1):
            if char not in last:
                continue
            for length in range(3, min(longest, end) + 1):
                if text[end - length:end] in names:
                    found.add(text[end - length:end])
        if budget <= 0:
            break
    return found


def _narrow(candidates: tuple[Place, ...], named: set[str]) -> tuple[Place, ...]:
    """The one candidate with the most of its ancestors named in the report, if one has more
    than every other (北京市 and 朝阳区 named: 朝阳区's 八里庄街道, not 海淀区's); else all."""
    if len(candidates) <= 1:
        return candidates
    support = [sum(a.name in named for a in c.chain()[:-1]) for c in candidates]
    best = max(support)
    if best == 0 or support.count(best) > 1:
        return candidates
    return (candidates[support.index(best)],)


def _shared(candidates: tuple[Place, ...]) -> list[Place]:
    """The places every candidate lies in (or is): all of one candidate's chain when there is one."""
    chains = [c.chain() for c in candidates]
    shared: list[Place] = []
    for level in zip(*chains, strict=False):
        if any(p is not level[0] for p in level):
            break
        shared.append(level[0])
    return shared


def _level(reading: NameReading, name: str) -> str | None:
    if reading.places:
        if reading.rest not in GOVERNMENT:
            return "部门"
        kinds = {p.kind for p in reading.places}
        return LEVEL_OF_KIND[kinds.pop()] if len(kinds) == 1 else None
    own = name
    for suffix in GOVERNMENT[1:]:
        if own.endswith(suffix) and len(own) > len(suffix):
            own = own[: -len(suffix)]
            break
    if own.endswith(_TOWNSHIP_SUFFIX):
        return "乡镇街道"
    if name.endswith(_DEPARTMENT_SUFFIX):
        return "部门"
    return None


@dataclass(frozen=True)
class Resolution:
    division: dict[str, Any]
    place: Place | None  # the body's place when it is known for certain
    rest: str  # the body's own name after its places, "" for the place's government
    problem: str | None  # why the place is not known, for the REGION_UNKNOWN finding


def division_of(places: list[Place], level: str | None) -> dict[str, Any]:
    division = empty_division()
    for place in places:
        division[place.kind] = place.name
    division["code"] = places[-1].code if places else None
    division["level"] = level
    return division


def resolve(name: str | None, other_names: list[str], texts: list[str]) -> Resolution:
    """The division of the body called ``name`` (its fullest name in the report)."""
    if not name:
        return Resolution(empty_division(), None, "", "报告中找不到发布机关的名称，无法确定所在地区。")
    reading = read_name(name)
    for other in other_names:  # a title or signature may name the places the main name leaves out
        if reading.places:
            break
        if other and other != name:
            alternative = read_name(other)
            if alternative.places:
                reading = alternative
    level = _level(reading, name)
    if not reading.places:
        hint = slip_hint(name, None, [*other_names, *texts])
        return Resolution(division_of([], None if hint else level), None, reading.rest,
                          hint or f"“{name}”中没有可在地名库中找到的地名，无法确定所在地区。")
    candidates = reading.places
    if len(candidates) == 1 and level == "部门":
        hint = slip_hint(reading.rest, candidates[0], [*other_names, *texts])
        if hint:  # 宿迁市沐阳县人民政府: 沐阳县 is no department of 宿迁市 but a slip for 沭阳县
            return Resolution(division_of(list(candidates[0].chain()), None), None, reading.rest, hint)
    if len(candidates) > 1:
        named = places_named([*other_names, *texts])
        candidates = _narrow(candidates, named)
    if len(candidates) == 1:
        return Resolution(division_of(list(candidates[0].chain()), level), candidates[0], reading.rest, None)
    where = "、".join("".join(p.name for p in c.chain()) for c in candidates[:5])
    more = f"等{len(candidates)}处" if len(candidates) > 5 else f"共{len(candidates)}处"
    return Resolution(division_of(_shared(candidates), level), None, reading.rest,
                      f"“{candidates[0].name}”在地名库中有多处（{where}{more}），报告中没有足以区分的地名，"
                      "所在地区未填写。")


# --- a place written with a one-character slip ----------------------------------------------


_PLACE_ENDS = frozenset("省市区县旗州盟镇乡道木")  # the last character of a place's name: its kind
_NOT_PLACE = ("和", "与", "及", "城乡", "城市", "市场", "社区")  # words of departments' names (住房和城乡…), not places


@lru_cache(maxsize=1)
def _names_by_shape() -> dict[tuple[int, str], list[str]]:
    """The gazetteer's names by their length and last character (the kind: 县, 镇, 街道)."""
    shapes: dict[tuple[int, str], list[str]] = {}
    for known in gazetteer().by_name:
        shapes.setdefault((len(known), known[-1]), []).append(known)
    return shapes


def _slips(name: str, within: Place | None) -> list[tuple[str, Place]]:
    """(what the name wrote, the place) for each place whose name differs from a start of
    ``name`` in one character other than its last (沐阳县 for 沭阳县; not 沭阳镇), inside
    ``within`` when given."""
    found: list[tuple[str, Place]] = []
    shapes = _names_by_shape()
    for length in range(3, min(_LONGEST_NAME, len(name)) + 1):
        written = name[:length]
        if written[-1] not in _PLACE_ENDS or any(word in written for word in _NOT_PLACE):
            continue
        for known in shapes.get((length, written[-1]), ()):
            if sum(map(ne, written, known)) == 1:
                found += [(written, place) for place in gazetteer().named(known)
                          if within is None or (place.within(within) and place is not within)]
    return found


def slip_hint(name: str, within: Place | None, others: list[str]) -> str | None:
    """The message of a REGION_UNKNOWN that names the likely place, when the name starts
    with a place the gazetteer does not know but one character from a place it does, and
    the report's other names fit that place and no other such place: they name it rightly
    (an address, a signature), or a place inside it, or the name goes on with one; else one
    of its ancestors is named and no other such place's. With three-character names many
    places are one character apart (沐阳县: 沭阳县, 泗阳县, 射阳县 …), so without such words
    nothing is named. The place itself stays unknown: the maintainer confirms it in
    agencies.toml."""
    slips = _slips(name, within)
    if not slips:
        return None
    text = "\n".join(others)[:_CONTEXT_CHARS]

    def named_rightly(written: str, place: Place) -> bool:
        inside = read_name(name[len(written):]).places
        return (place.name in text or any(p.within(place) for p in inside)
                or any(len(child.name) >= 3 and child.name in text for child in place.children))

    fitting = [(written, place) for written, place in slips if named_rightly(written, place)]
    if not fitting:
        named = places_named(others)
        fitting = [(written, place) for written, place in slips
                   if any(a.name in named for a in place.chain()[:-1] if within is None or not within.within(a))]
    if len({place.code for _, place in fitting}) != 1:
        return None
    written, place = fitting[0]
    differs = next(f"{a}/{b}" for a, b in zip(written, place.name, strict=True) if a != b)
    full = "".join(p.name for p in place.chain())
    return (f"“{written}”不在地名库中，所在地区不作猜测；它与“{full}”只差一个字（{differs}），"
            f"报告中的其他地名也与之相符。如确是该地，请在 content/agencies.toml 中为这个机关写明 "
            f"code = \"{place.code}\"。")


def region_text(division: dict[str, Any]) -> str:
    """The division's places as one string: 吉林省长春市双阳区鹿乡镇."""
    return "".join(division.get(kind) or "" for kind in (PROVINCE, CITY, COUNTY, TOWNSHIP))
