"""The region pages: province → city → county → township, each with its bodies, totals and
charts, computed as plain data (so a rebuild renders only the pages whose data changed).

Only places with at least one body get a page. A body is filed under the deepest place its
division names for certain; a body whose place is unknown is under no region (the index
still lists it). A province page lists its cities with their counties beneath, so a reader
reaches a township from the home page in three taps: province, county, township.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from giro_site.regions import TOWNSHIP, Place, gazetteer
from giro_site.site.model import Agency
from giro_site.site.pages import charts
from giro_site.site.totals import Share, Total, Totals, total_of, totals_by_year
from giro_site.site.urls import Urls

KIND_LABEL = {"province": "省", "city": "市", "county": "县", "township": "乡镇街道"}


@dataclass
class Region:
    place: Place
    here: list[Agency] = field(default_factory=list)  # bodies of this place itself
    beneath: list[Agency] = field(default_factory=list)  # every body in it, its own included
    children: list[Region] = field(default_factory=list)


def place_of(agency: Agency) -> Place | None:
    code = agency.division.get("code")
    return gazetteer().by_code.get(code) if code else None


def region_tree(agencies: list[Agency]) -> dict[str, Region]:
    """Every place with a body in it, by code, children in the gazetteer's order."""
    regions: dict[str, Region] = {}
    chains: dict[str, list[Region]] = {}  # a place's regions by its code, the province first (bodies share places)

    def chain_of(place: Place) -> list[Region]:  # (as deep as the gazetteer's levels)
        chain = chains.get(place.code)
        if chain is None:
            above = chain_of(place.parent) if place.parent is not None else []
            region = regions[place.code] = Region(place)  # (after its ancestors: the order pages are made in)
            if above:
                above[-1].children.append(region)
            chain = chains[place.code] = [*above, region]
        return chain

    by_code = gazetteer().by_code
    for agency in agencies:
        code = agency.division.get("code")
        if not code:
            continue
        chain = chains.get(code)
        if chain is None:
            place = by_code.get(code)
            if place is None:
                continue
            chain = chains[code] = chain_of(place)
        for region in chain:
            region.beneath.append(agency)
        chain[-1].here.append(agency)
    for region in regions.values():
        region.children.sort(key=lambda r: r.place.code)
    return regions


def provinces(regions: dict[str, Region]) -> list[Region]:
    return sorted((r for r in regions.values() if r.place.parent is None), key=lambda r: r.place.code)


def crumbs(place: Place, urls: Urls) -> list[tuple[str, str]]:
    """(name, URL) of the place and its ancestors, the province first: each has a page, since
    the body at ``place`` is in all of them."""
    return [(p.name, urls.region(p.short_code)) for p in place.chain()]


def _latest(agency: Agency) -> dict[str, Any]:
    info = agency.reports[0]
    head = info.head
    return {"name": agency.display_name, "url": "", "level": agency.level or "", "year": info.year,
            "items": head.items, "applications": head.applications, "share": head.granted_share,
            "quality": head.quality}


def _totals(totals: Totals | None) -> dict[str, Any] | None:
    """The totals as plain data (each figure with what it covers: ``model.Total``), what
    ``dataclasses.asdict`` gives, made field by field: ``asdict`` deep-copies every value, a
    tenth of the time of rendering the region pages."""
    if totals is None:
        return None
    plain = dict(vars(totals))
    for name, value in plain.items():
        if isinstance(value, Total | Share):
            plain[name] = dict(vars(value))
    return plain


def _child(region: Region, urls: Urls, year: int | None) -> dict[str, Any]:
    """A place under this one; ``applications`` (with ``reporting``, how many of its bodies
    report for ``year``) sums what those reports state (``model.Total``)."""
    latest = [a.reports[0].head.applications for a in region.beneath if a.reports[0].year == year]
    applications = total_of(latest)
    return {"name": region.place.name, "url": urls.region(region.place.short_code),
            "kind": KIND_LABEL[region.place.kind], "agencies": len(region.beneath),
            "applications": applications.value, "covers": applications.covers, "reporting": len(latest),
            "sub": [{"name": c.place.name, "url": urls.region(c.place.short_code), "agencies": len(c.beneath)}
                    for c in region.children] if region.place.kind != "county" else []}


def region_view(region: Region, regions: dict[str, Region], urls: Urls, chart_top: int) -> dict[str, Any]:
    """What a region's page shows, as plain data."""
    place = region.place
    totals = totals_by_year(region.beneath)
    year = totals[0].year if totals else None
    children = [_child(c, urls, year) for c in region.children]
    here = []
    for agency in sorted(region.here, key=lambda a: (a.level != KIND_LABEL[place.kind], a.display_name)):
        row = _latest(agency)
        row["url"] = urls.agency(agency.slug, agency.ids[0])
        here.append(row)
    entries = [(a.display_name, a.reports[0], urls.agency(a.slug, a.ids[0])) for a in region.beneath
               if a.reports[0].year == year]
    entries.sort(key=lambda e: (-(e[1].head.items or 0), e[0]))
    region_charts = []
    if len(region.beneath) > 1:
        region_charts.append(charts.volumes_chart(entries[:chart_top], f"volumes-{place.short_code}"))
    if len(children) > 1:
        region_charts.append(charts.children_chart(
            [(c["name"] if c["covers"] == c["reporting"] else f'{c["name"]}（{c["covers"]}/{c["reporting"]}）',
              c["applications"], c["url"]) for c in children], year, f"children-{place.short_code}"))
    return {
        "code": place.short_code, "full_code": place.code, "name": place.name, "kind": KIND_LABEL[place.kind],
        "full_name": "".join(p.name for p in place.chain()),
        "crumbs": crumbs(place, urls)[:-1], "children": children, "here": here,
        "count": len(region.beneath), "totals": [_totals(t) for t in totals[:5]], "year": year,
        "charts": region_charts, "township": place.kind == TOWNSHIP,
        "index_url": f"{urls.index()}?region={place.short_code}#h-table",
    }


def regions_index_view(regions: dict[str, Region], urls: Urls, unplaced: int) -> dict[str, Any]:
    """The list of provinces (with their cities) for the regions page and the home page."""
    return {"provinces": [_child(r, urls, None) for r in provinces(regions)], "unplaced": unplaced}
