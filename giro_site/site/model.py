"""What the pages show, computed once from the parsed reports: agencies with their
years, headline figures, search keys and totals. Templates only lay it out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from giro_site.findings import ERROR, WARNING
from giro_site.numbers import Number
from giro_site.site.config import AgencyDirectory, AgencyMeta

# Outcome groups of table 三 for the charts and shares, in the form's order.
OUTCOME_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("granted", "予以公开", ("granted",)),
    ("partially_granted", "部分公开", ("partially_granted",)),
    ("denied", "不予公开", ("denied_state_secret", "denied_prohibited", "denied_security", "denied_third_party",
                           "denied_internal", "denied_process", "denied_enforcement_file", "denied_inquiry")),
    ("unable", "无法提供", ("unable_not_held", "unable_needs_creation", "unable_unclear")),
    ("not_processed", "不予处理", ("not_processed_petition", "not_processed_duplicate", "not_processed_publication",
                                   "not_processed_excessive", "not_processed_confirmation")),
    ("other", "其他处理", ("other",)),
)
QUALITY_LABEL = {"ok": "数据自洽", "warning": "有提示", "error": "有错误"}


def _sum(values: list[Number | None]) -> Number | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@dataclass
class Headline:
    """The figures a citizen looks for first; None where the report does not say."""

    items: int | None
    applications: Number | None
    processed: Number | None
    granted_share: float | None  # granted in full or in part, of applications processed
    reviews: Number | None
    lawsuits: Number | None
    corrected: Number | None
    outcomes: dict[str, Number | None]
    quality: str
    errors: int
    warnings: int


def headline(report: dict[str, Any]) -> Headline:
    apps = report["applications"]
    review = report["review_litigation"]
    outcomes = {key: _sum([apps[row]["total"] for row in rows]) for key, _, rows in OUTCOME_GROUPS}
    processed = apps["total_processed"]["total"]
    if processed is None:
        processed = _sum(list(outcomes.values()))
    granted = _sum([outcomes["granted"], outcomes["partially_granted"]])
    share = None
    if processed and granted is not None:
        share = round(granted / processed, 4)
    received = apps["new_received"]["total"]
    if received is None:
        received = _sum([apps["new_received"][c] for c in apps["new_received"] if c != "total"])
    errors = sum(f["severity"] == ERROR for f in report["findings"])
    warnings = sum(f["severity"] == WARNING for f in report["findings"])
    return Headline(
        items=report["metrics"]["proactive_items"]["value"],
        applications=received,
        processed=processed,
        granted_share=share,
        reviews=review["review"]["total"],
        lawsuits=_sum([review["litigation_direct"]["total"], review["litigation_after_review"]["total"]]),
        corrected=_sum([review[g]["corrected"] for g in review]),
        outcomes=outcomes,
        quality="error" if errors else "warning" if warnings else "ok",
        errors=errors,
        warnings=warnings,
    )


@dataclass
class ReportInfo:
    """One report as the pages about many reports see it: its summary (``site.summary``),
    the cross-year findings added after parsing, and its headline figures with them."""

    name: str  # where the report is: content/reports/2020/x.txt
    summary: dict[str, Any]
    linked: list[dict[str, Any]] = field(default_factory=list)
    head: Headline = field(init=False)
    # Changes when anything the report contributes to the pages and downloads changes: its
    # content (hash) and the cross-year findings added to it. (Computed here: a cached_property
    # takes a lock per access, which showed up at 10,000 reports.)
    version: str = field(init=False)

    def __post_init__(self) -> None:
        figures = self.summary["head"]
        errors = self.summary["counts"][ERROR] + sum(f["severity"] == ERROR for f in self.linked)
        warnings = self.summary["counts"][WARNING] + sum(f["severity"] == WARNING for f in self.linked)
        self.head = Headline(
            items=self.summary["items"], applications=figures["applications"], processed=figures["processed"],
            granted_share=figures["share"], reviews=figures["reviews"], lawsuits=figures["lawsuits"],
            corrected=figures["corrected"], outcomes=figures["outcomes"],
            quality="error" if errors else "warning" if warnings else "ok", errors=errors, warnings=warnings)
        linked = hashlib.sha1(orjson.dumps(self.linked)).hexdigest()[:12] if self.linked else ""
        self.version = f"{self.summary['sha256']}:{linked}"

    @property
    def year(self) -> int | None:
        return self.summary["year"]

    @property
    def error_messages(self) -> list[str]:
        return self.summary["error_messages"] + [f["message"] for f in self.linked if f["severity"] == ERROR]


@dataclass
class Agency:
    key: str
    slug: str
    name: str
    region: str | None
    level: str | None
    source_url: str | None
    reports: list[ReportInfo] = field(default_factory=list)  # newest year first
    ids: list[str] = field(default_factory=list)  # per report, unique in the agency: "2020", "2020-2"
    pinyin: str = ""
    initials: str = ""


@lru_cache(maxsize=4096)
def syllables(text: str | None) -> tuple[str, ...]:
    """The pinyin syllables of the Chinese characters in ``text`` (regions repeat: cached)."""
    from pypinyin import lazy_pinyin  # loading its dictionaries costs a rebuild 0.3 s

    hanzi = "".join(ch for ch in text or "" if "\u4e00" <= ch <= "\u9fff")
    return tuple(s.lower() for s in lazy_pinyin(hanzi)) if hanzi else ()


def search_keys(*names: str | None) -> tuple[str, str]:
    """Full pinyin and initials of the names, so "gaoling" and "glz" find 高岭镇."""
    parts = [s for name in names for s in syllables(name)]
    return "".join(parts), "".join(s[0] for s in parts if s)


def make_slug(name: str, pinyin: str, key: str) -> str:
    """ASCII and stable: the name's pinyin and a short hash of the agency key."""
    cleaned = re.sub(r"[^a-z0-9]+", "", pinyin)[:40] or "agency"
    return f"{cleaned}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:6]}"


def grouping_key(summary: dict[str, Any]) -> str:
    """Reports of the same body share this key (region and name as the reports give them)."""
    return f"{summary.get('region') or ''}|{summary.get('agency') or summary['file']}"


def build_agencies(reports: list[ReportInfo], directory: AgencyDirectory,
                   pinyin: dict[str, list[str]] | None = None) -> list[Agency]:
    """Group reports by body (maintainer metadata first), newest year first, stable order.

    ``pinyin`` maps a name to its search keys from earlier builds and is updated: pypinyin
    costs a quarter of a millisecond a name, which adds up over thousands of agencies."""
    pinyin = {} if pinyin is None else pinyin
    groups: dict[str, tuple[AgencyMeta | None, list[ReportInfo]]] = {}
    for info in reports:
        summary = info.summary
        meta = directory.find(summary["file"], summary.get("agency"), summary.get("region"))
        key = f"meta:{meta.name or meta.match or meta.files}" if meta else grouping_key(summary)
        groups.setdefault(key, (meta, []))[1].append(info)
    agencies: list[Agency] = []
    for key, (meta, group) in groups.items():
        group.sort(key=lambda r: (-(r.year or 0), r.name))
        latest = group[0].summary
        region = (meta.region if meta and meta.region else None) or latest.get("region")
        name = (meta.name if meta and meta.name else None) or latest.get("agency") or latest["file"]
        searched = f"{region or ''}{name}"
        if len(pinyin.get(searched, ())) != 3:
            pinyin[searched] = [*search_keys(region, name), "".join(syllables(name))]
        full, initials, own = pinyin[searched]
        slug = (meta.slug if meta and meta.slug else None) or make_slug(name, own, key)
        agencies.append(Agency(key=key, slug=slug, name=name, region=region, level=meta.level if meta else None,
                               source_url=meta.source_url if meta else None, reports=group,
                               ids=_report_ids(group), pinyin=full, initials=initials))
    agencies.sort(key=lambda a: (a.region or "", a.name, a.slug))
    _unique_slugs(agencies)
    return agencies


def _report_ids(reports: list[ReportInfo]) -> list[str]:
    """The year, made unique when one body has two reports for a year (say txt and docx)."""
    ids: list[str] = []
    for report in reports:
        base = str(report.year) if report.year is not None else "unknown"
        candidate, count = base, 1
        while candidate in ids:
            count += 1
            candidate = f"{base}-{count}"
        ids.append(candidate)
    return ids


def _unique_slugs(agencies: list[Agency]) -> None:
    seen: dict[str, int] = {}
    for agency in agencies:
        count = seen.get(agency.slug, 0)
        seen[agency.slug] = count + 1
        if count:
            agency.slug = f"{agency.slug}-{count + 1}"


@dataclass
class Totals:
    year: int | None
    agencies: int
    reports: int
    items: int
    applications: Number
    granted_share: float | None
    reviews: Number
    lawsuits: Number
    corrected: Number
    errors: int


def totals_by_year(agencies: list[Agency]) -> list[Totals]:
    """Sums over the reports of each year, newest year first (blank counted as nothing)."""
    heads: dict[int, list[Headline]] = {}
    bodies: dict[int, set[str]] = {}
    for agency in agencies:
        for info in agency.reports:
            if info.year is not None:
                heads.setdefault(info.year, []).append(info.head)
                bodies.setdefault(info.year, set()).add(agency.slug)
    return [_totals(year, heads[year], len(bodies[year])) for year in sorted(heads, reverse=True)]


def _totals(year: int, heads: list[Headline], agencies: int) -> Totals:
    granted = sum((h.outcomes["granted"] or 0) + (h.outcomes["partially_granted"] or 0) for h in heads)
    processed = sum(h.processed or 0 for h in heads)
    return Totals(
        year=year, agencies=agencies, reports=len(heads), items=sum(h.items or 0 for h in heads),
        applications=sum(h.applications or 0 for h in heads),
        granted_share=round(granted / processed, 4) if processed else None,
        reviews=sum(h.reviews or 0 for h in heads), lawsuits=sum(h.lawsuits or 0 for h in heads),
        corrected=sum(h.corrected or 0 for h in heads), errors=sum(h.quality == "error" for h in heads))
