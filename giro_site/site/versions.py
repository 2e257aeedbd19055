"""Which reports count: one per body and year, each file's bytes once, a year that is
possible; and the findings that say so (``corpus.choose_versions``, ``corpus.year_findings``),
added beside the cross-year findings. From the store's summaries to ``model.ReportInfo``s.
"""

from __future__ import annotations

from typing import Any

from giro_site.corpus import Candidate, choose_versions, cross_year_findings, year_findings
from giro_site.site.model import OtherVersion, ReportInfo


def report_infos(named: list[tuple[str, dict[str, Any]]], keys: list[str], build_year: int,
                 known: dict[str, list[dict[str, Any]]] | None = None,
                 used_pairs: dict[str, list[dict[str, Any]]] | None = None
                 ) -> tuple[list[ReportInfo], list[OtherVersion]]:
    """The reports that count, with the findings the corpus adds to each; and the files that
    do not count, each with the report counted in its place.

    ``keys`` say which reports are of one body (one key each; a unique one for a report of
    no known body). ``known`` and ``used_pairs`` are the cross-year comparisons of earlier
    builds and of this one (``corpus.cross_year_findings``)."""
    candidates = [Candidate(name, key, summary.get("year"), summary["counts"]["error"], summary.get("stated", 0),
                            summary["sha256"], summary.get("figures", ""))
                  for (name, summary), key in zip(named, keys, strict=True)]
    versions = choose_versions(candidates)
    own = {index: year_findings(named[index][0], named[index][1].get("year"), build_year) for index in versions.used}
    valid = {index: not any(f["code"] == "YEAR_INVALID" for f in own[index]) for index in versions.used}
    links = [named[i][1]["link"] if valid[i] else {**named[i][1]["link"], "year": None} for i in versions.used]
    linked = cross_year_findings(links, [keys[i] for i in versions.used], known,
                                 [named[i][1]["sha256"] for i in versions.used], used_pairs)
    infos = [ReportInfo(named[index][0], named[index][1],
                        linked.get(position, []) + own[index] + versions.findings.get(index, []),
                        year_valid=valid[index])
             for position, index in enumerate(versions.used)]
    others = [OtherVersion(named[index][0], named[kept][0], named[versions.others.get(kept, kept)][0], "copy", "",
                           named[index][1].get("year"))
              for index, kept in sorted(versions.same_bytes.items())]
    others += [OtherVersion(named[index][0], named[kept][0], named[kept][0], "version", versions.reasons[index],
                            named[index][1].get("year"))
               for index, kept in sorted(versions.others.items())]
    return infos, others
