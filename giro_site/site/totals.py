"""Totals over many reports, as the home page, the region pages and the downloads give them.

A blank is never 0: a sum adds the stated figures only and says how many reports state it
(``Total.covers``), a share counts only the reports that state its numerator and its
denominator, in both (``Share``), and either is None ("—") when no report states it. A body
has one report a year here (``site.versions``), so reports covered are bodies covered.
"""

from __future__ import annotations

from dataclasses import dataclass

from giro_site.numbers import Number
from giro_site.site.model import Agency, Headline, stated_sum


@dataclass
class Total:
    """A figure summed over reports: the stated ones only, and how many reports state it,
    so a page can say what a sum covers. ``value`` is None when no report states it."""

    value: Number | None
    covers: int
    approximate: bool = False  # some report gives its figure only approximately (约)


def total_of(values: list[Number | None], approximate: list[bool] | None = None) -> Total:
    stated = [i for i, v in enumerate(values) if v is not None]
    return Total(stated_sum(values), len(stated), any(approximate[i] for i in stated) if approximate else False)


@dataclass
class Share:
    """A share over reports: only those that state numerator and denominator count, in both."""

    value: float | None  # None ("—") when no report states both, or none processed any
    covers: int


def share_of(pairs: list[tuple[Number | None, Number | None]]) -> Share:
    """The pairs that state both parts; a part over its whole (the report's own sums
    disagree, and say so in an error) is in doubt and left out."""
    stated = [(part, whole) for part, whole in pairs if part is not None and whole is not None and part <= whole]
    whole = sum(w for _, w in stated)
    return Share(round(sum(p for p, _ in stated) / whole, 4) if whole else None, len(stated))


@dataclass
class Totals:
    year: int | None
    agencies: int
    reports: int
    items: Total
    applications: Total
    granted_share: Share
    reviews: Total
    lawsuits: Total
    corrected: Total
    errors: int


def totals_by_year(agencies: list[Agency]) -> list[Totals]:
    """Sums over the reports of each year, newest year first: the stated figures only, each
    saying how many reports it covers, and no figure at all where every report leaves it
    blank (a blank is not 0)."""
    heads: dict[int, list[Headline]] = {}
    bodies: dict[int, set[str]] = {}
    for agency in agencies:
        for info in agency.reports:
            if (year := info.year) is not None:
                if (found := heads.get(year)) is None:
                    found = heads[year] = []
                    bodies[year] = set()
                found.append(info.head)
                bodies[year].add(agency.slug)
    return [_totals(year, heads[year], len(bodies[year])) for year in sorted(heads, reverse=True)]


def _totals(year: int, heads: list[Headline], agencies: int) -> Totals:
    """One pass over the heads, each sum over the stated figures in the heads' order (as
    ``total_of`` and ``share_of`` add them: the same figures give the same bytes however the
    totals were reached); a region page of a province walks thousands of them."""
    items: list[Number] = []
    applications: list[Number] = []
    reviews: list[Number] = []
    lawsuits: list[Number] = []
    corrected: list[Number] = []
    parts: list[Number] = []
    wholes: list[Number] = []
    approximate = False
    errors = 0
    for h in heads:
        if h.items is not None:
            items.append(h.items)
            approximate = approximate or h.items_approximate
        if h.applications is not None:
            applications.append(h.applications)
        granted, processed = h.granted, h.processed
        if granted is not None and processed is not None and granted <= processed:
            parts.append(granted)
            wholes.append(processed)
        if h.reviews is not None:
            reviews.append(h.reviews)
        if h.lawsuits is not None:
            lawsuits.append(h.lawsuits)
        if h.corrected is not None:
            corrected.append(h.corrected)
        errors += h.quality == "error"
    whole = sum(wholes)
    return Totals(
        year=year, agencies=agencies, reports=len(heads),
        items=Total(sum(items) if items else None, len(items), approximate),
        applications=_stated(applications),
        granted_share=Share(round(sum(parts) / whole, 4) if whole else None, len(parts)),
        reviews=_stated(reviews), lawsuits=_stated(lawsuits), corrected=_stated(corrected), errors=errors)


def _stated(present: list[Number]) -> Total:
    return Total(sum(present) if present else None, len(present))
