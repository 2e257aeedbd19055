"""Which reports count: one per body and year, each file's bytes once, a year that is
possible; and the findings that say so (``corpus.choose_versions``, ``corpus.year_findings``),
added beside the cross-year findings. From the store's summaries to ``model.ReportInfo``s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from giro_site.corpus import Candidate, choose_versions, cross_year_findings, year_findings
from giro_site.site.model import OtherVersion, ReportInfo


def report_infos(named: list[tuple[str, dict[str, Any]]], keys: list[str], build_year: int,
                 link: Callable[[str], dict[str, Any]],
                 known: dict[str, list[dict[str, Any]]] | None = None,
                 used_pairs: dict[str, list[dict[str, Any]]] | None = None
                 ) -> tuple[list[ReportInfo], list[OtherVersion]]:
    """The reports that count, with the findings the corpus adds to each; and the files that
    do not count, each with the report counted in its place.

    ``keys`` say which reports are of one body (one key each; a unique one for a report of
    no known body). ``known`` and ``used_pairs`` are the cross-year comparisons of earlier
    builds and of this one (``corpus.cross_year_findings``); ``link`` gives a report's
    cross-year link by name (``ReportStore.link``)."""
    candidates = [Candidate(name, key, summary.get("year"), summary["counts"]["error"], summary.get("stated", 0),
                            summary["sha256"], summary.get("figures", ""))
                  for (name, summary), key in zip(named, keys, strict=True)]
    versions = choose_versions(candidates)
    own = {index: year_findings(named[index][0], named[index][1].get("year"), build_year) for index in versions.used}
    valid = {index: not any(f["code"] == "YEAR_INVALID" for f in own[index]) for index in versions.used}
    links = [link_of(link(named[i][0]), valid[i]) for i in versions.used]
    linked = cross_year_findings(links, [keys[i] for i in versions.used], known,
                                 [named[i][1]["sha256"] for i in versions.used], used_pairs)
    infos = [ReportInfo(named[index][0], named[index][1],
                        linked.get(position, []) + own[index] + versions.findings.get(index, []),
                        year_valid=valid[index])
             for position, index in enumerate(versions.used)]
    others = [OtherVersion(named[index][0], named[kept][0], named[versions.others.get(kept, kept)][0], "copy", "",
                           named[index][1].get("year"), named[index][1]["sha256"])
              for index, kept in sorted(versions.same_bytes.items())]
    others += [OtherVersion(named[index][0], named[kept][0], named[kept][0], "version", versions.reasons[index],
                            named[index][1].get("year"), named[index][1]["sha256"])
               for index, kept in sorted(versions.others.items())]
    return infos, others


# The findings ``report_infos`` adds beside the cross-year ones, after them in this order.
CORPUS_CODES = ("YEAR_INVALID", "YEAR_FOLDER_MISMATCH", "DUPLICATE_REPORT")


def link_of(link: dict[str, Any], year_valid: bool) -> dict[str, Any]:
    """What the cross-year checks compare of a report (its ``cross_year_link``): none for a
    year that is impossible."""
    return link if year_valid else {**link, "year": None}


def corpus_findings(info: ReportInfo) -> list[dict[str, Any]]:
    """The findings of ``info`` about its year and versions: they stay while its name, year
    and versions do (a rebuild that patches a report corrected in place keeps them)."""
    return [f for f in info.linked if f["code"] in CORPUS_CODES]
