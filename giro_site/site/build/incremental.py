"""The site's model kept between builds, and a rebuild that patches it.

A build turns every report's summary into agencies, their rows in the index and the
downloads, and a tree of regions (``SiteModel``). A maintainer's usual change, a report
corrected in place, leaves all of that as it was except the one agency whose report it is:
its reports' figures and findings change, but not which agency it belongs to, its name,
place, year or address. Then the rebuild patches the model (``patch``): it replaces that
agency's reports, renders its pages and the pages about all agencies that show it (the
listing pages, the index, its regions), and splices the downloads. Any other change (a
report added, removed, moved to another agency or year, a problem file, settings or code)
takes the general path, which builds the model anew from all the summaries.

``serve`` keeps the model in memory. Every build also saves what a new ``build`` process
needs to make it again without grouping every report (``snapshot``: the agencies as
grouped, by their reports' names, with their keys and index rows; the summaries themselves
are the store's), one record per agency, so a patch writes only its agencies' (``journal``).
It is used only when it was made from the store's index as it is now saved and under the
same global key (``restore``); anything else, a missing, damaged or older snapshot
included, takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from giro_site.corpus import cross_year_findings
from giro_site.site.config import AgencyDirectory
from giro_site.site.model import Agency, OtherVersion, ReportInfo, group_key
from giro_site.site.pages.listing import IndexRows
from giro_site.site.pages.regions import Region
from giro_site.site.versions import corpus_findings, link_of

# The summary's fields that decide which agency a report is of and how it is named and filed:
# a change to any of them may move a report, rename or renumber an agency.
_IDENTITY = ("agency", "region", "division", "year", "file", "form")


@dataclass
class SiteModel:
    """What a build made of all the summaries; a rebuild patches it."""

    base: str  # the global key it was made under
    agencies: list[Agency]
    keys: dict[str, str]  # slug → agency key
    rows: IndexRows  # the index's rows, one per agency, in the agencies' order
    regions: dict[str, Region]
    index_pieces: list[bytes]  # each agency's row of data/index.json
    metas: dict[str, str] = field(default_factory=dict)  # slug → key of its metadata (``builder.meta_key``)
    where: dict[str, int] = field(default_factory=dict)  # report name → index of its agency
    # The warnings about agencies.toml's entries no report matched (``AgencyDirectory.unused``),
    # as the general path found them: a patch changes no report's file, agency or place, and
    # a change to agencies.toml takes the general path, so they stand until it runs again.
    unused: list[str] | None = None
    # Names the model as a build saved it (``snapshot``), and the downloads made of it (``ahead``).
    generation: str = ""

    def __post_init__(self) -> None:
        if not self.where:
            self.where = {info.name: index for index, agency in enumerate(self.agencies) for info in agency.reports}


def _keys_of(infos: list[ReportInfo], directory: AgencyDirectory) -> list[str]:
    """The cross-year checks' key of each report, as the general path makes it."""
    return [group_key(i.summary, directory)[0] if i.summary.get("agency") else f"\0{i.name}" for i in infos]


@dataclass
class Patch:
    """The agencies a patch changed, by index in ``model.agencies``."""

    changed: list[int]
    regions: set[str]  # codes of the regions that show a changed agency


def patch(model: SiteModel, base: str, summaries: dict[str, dict[str, Any]], directory: AgencyDirectory,
          link: Callable[[str], dict[str, Any]],
          known_pairs: dict[str, list[dict[str, Any]]], used_pairs: dict[str, list[dict[str, Any]]],
          digests: Callable[[set[str]], set[str]]) -> Patch | None:
    """Apply changed summaries (report name → its new summary) to ``model`` in place, or
    return None (the model untouched) when the change is not one a patch can make. ``link``
    gives a report's cross-year link by name (``ReportStore.link``); ``digests``, the hashes
    of every readable file but those named (``ReportStore.digests``: a superset of the
    model's reports and other versions, so a new copy of any of them is seen)."""
    if model.base != base:
        return None
    by_agency: dict[int, dict[str, dict[str, Any]]] = {}
    shas: set[str] | None = None
    for name, summary in summaries.items():
        index = model.where.get(name)
        if index is None or summary is None:
            return None
        old = next(i for i in model.agencies[index].reports if i.name == name).summary
        if any(old.get(key) != summary.get(key) for key in _IDENTITY) \
                or group_key(old, directory)[0] != group_key(summary, directory)[0]:
            return None
        if any(other.counted == name for other in model.agencies[index].others):
            return None  # the choice between versions of its year may change (``site.versions``)
        if shas is None:
            shas = digests(set(summaries))
        if summary["sha256"] in shas:
            return None  # now a copy of another file
        by_agency.setdefault(index, {})[name] = summary
    regions: set[str] = set()
    for index, changed in by_agency.items():
        agency = model.agencies[index]
        ordered = sorted(agency.reports, key=lambda info: info.name)  # the general path's order
        summaries_now = [changed.get(info.name, info.summary) for info in ordered]
        infos = [ReportInfo(info.name, summary, year_valid=info.year_valid)
                 for info, summary in zip(ordered, summaries_now, strict=True)]
        linked = cross_year_findings([link_of(link(i.name), i.year_valid) for i in infos], _keys_of(infos, directory),
                                     known_pairs, [s["sha256"] for s in summaries_now], used_pairs)
        fresh = {info.name: ReportInfo(info.name, info.summary, linked.get(position, []) + corpus_findings(old_info),
                                       year_valid=info.year_valid)
                 for position, (info, old_info) in enumerate(zip(infos, ordered, strict=True))}
        agency.reports[:] = [fresh[info.name] for info in agency.reports]  # same order: same years and names
        code = agency.division.get("code")
        if code and code in model.regions:
            place = model.regions[code].place
            regions.update(p.code for p in place.chain())
    return Patch(sorted(by_agency), regions)


# --- the model saved for the next `build` process ------------------------------------------------

SNAPSHOT_FORMAT = 4  # 3: each report's headline, year and version (``ReportInfo.brief``): no summary read;
# 4: each agency's index row as the JSON of it (``IndexRows``)


class Records(Mapping[str, list[Any]]):
    """Each agency's record of a ``snapshot`` by slug, made when asked for: a patch saves
    those of its agencies only (``journal``), not 22,000 of them at 50,000 reports."""

    def __init__(self, model: SiteModel):
        self.model = model
        self.index = {agency.slug: position for position, agency in enumerate(model.agencies)}

    def __getitem__(self, slug: str) -> list[Any]:
        position = self.index[slug]
        model, a = self.model, self.model.agencies[position]
        return [a.key, a.name, a.region, a.level, a.source_url, a.ids, a.pinyin, a.initials, a.division,
                a.explicit_slug, a.display_name, a.places,
                [[i.name, i.linked, i.year_valid, i.brief()] for i in a.reports],
                [[o.name, o.of, o.counted, o.kind, o.reason, o.year, o.sha256] for o in a.others],
                model.keys[slug], model.metas[slug], model.rows.raw(position),
                model.index_pieces[position].decode("utf-8")]

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def snapshot(model: SiteModel, token: str, generation: str) -> tuple[dict[str, Any], Records]:
    """What a new process needs to make ``model`` again without grouping every report: each
    agency as grouped (its reports by name, with the findings the corpus added), its keys
    and its row of data/index.json, by slug; and a head with the agencies' order. ``token``
    names the store's index it was made from (``ReportStore.token``): the reports'
    summaries come from there; ``generation``, this save (``SiteModel.generation``)."""
    records = Records(model)
    return {"format": SNAPSHOT_FORMAT, "base": model.base, "token": token, "order": list(records.index),
            "unused": model.unused, "generation": generation}, records


Restored = tuple[list[Agency], dict[str, str], dict[str, str], IndexRows, list[bytes], list[str] | None]


def restore(head: dict[str, Any], records: dict[str, Any], base: str, token: str,
            known: Callable[[set[str]], bool], summary: Callable[[str], dict[str, Any] | None]) -> Restored | None:
    """The agencies, keys, metadata keys, index rows, index pieces and warnings of a ``snapshot``, if it
    was made under ``base`` from the store's index ``token`` (else None, never an error: a
    damaged or older snapshot only costs the general path). ``known``: whether that index
    held a report of each of these names; ``summary`` gives its summary as the index held it, read
    only when a page or a patch asks for it."""
    if not token:
        return None  # a store index that names no save: nothing ties a snapshot to it
    try:
        if head.get("format") != SNAPSHOT_FORMAT or head.get("base") != base or head.get("token") != token:
            return None
        made = _restored(head["order"], records, known, summary)
        unused = head.get("unused")
        if made is None or (unused is not None and not all(isinstance(u, str) for u in unused)):
            return None
        return (*made, unused)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _restored(order: list[str], records: dict[str, Any], known: Callable[[set[str]], bool],
              summary: Callable[[str], dict[str, Any] | None]
              ) -> tuple[list[Agency], dict[str, str], dict[str, str], IndexRows, list[bytes]] | None:
    if len(order) != len(records):
        return None
    agencies, keys, metas, rows, pieces = [], {}, {}, [], []
    names: set[str] = set()
    restored = ReportInfo.restored
    first = itemgetter(0)
    for slug in order:  # (22,000 agencies of 50,000 reports: each step in as few calls as it takes)
        (key, name, region, level, source_url, ids, pinyin, initials, division, explicit, display, places,
         reports, others, keys[slug], metas[slug], row, piece) = records[slug]
        names.update(map(first, reports))
        agencies.append(Agency(key, slug, name, region, level, source_url,
                               [restored(report, brief, linked, year_valid, summary)
                                for report, linked, year_valid, brief in reports],
                               ids, pinyin, initials, division, explicit, display, places,
                               [OtherVersion(*other) for other in others] if others else []))
        if row.__class__ is not str or piece.__class__ is not str:
            return None
        rows.append(row)  # (read when a page shows it: ``IndexRows``)
        pieces.append(piece.encode("utf-8"))
    if len(keys) != len(order) or not known(names):
        return None
    return agencies, keys, metas, IndexRows.from_raw(rows), pieces
