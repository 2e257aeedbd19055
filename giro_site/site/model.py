"""What the pages show, computed once from the parsed reports: agencies with their
years, headline figures, search keys and totals. Templates only lay it out."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from giro_site.findings import ERROR, WARNING, sort_findings
from giro_site.numbers import Number
from giro_site.prose.identity import key_with, own_name
from giro_site.regions import CITY, COUNTY, KINDS, PROVINCE, TOWNSHIP, empty_division, gazetteer, read_name
from giro_site.regions.resolve import GOVERNMENT, division_of
from giro_site.site.config import AgencyDirectory, AgencyMeta
from giro_site.site.pinyin import convert, han_characters

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


def stated_sum(values: list[Number | None]) -> Number | None:
    """The sum of the stated figures; None when none is stated (a blank is not 0). For a
    total over many reports; within one report a figure made of parts is ``whole_sum``."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def whole_sum(values: list[Number | None]) -> Number | None:
    """The sum of parts that are all stated; None when any is blank: a figure made of parts
    is only known when every part is (counting a blank part as 0 would be guessing)."""
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _by_group_kept(kept: dict[str, Any] | list[Any]) -> dict[str, Any]:
    """A figure by outcome group, made a dict from the list the saved model keeps (``Headline``)."""
    return dict(zip(_OUTCOME_KEYS, kept, strict=True)) if kept.__class__ is list else kept  # type: ignore[return-value]


class Headline:
    """The figures a citizen looks for first; None where the report does not say.

    A figure made of several cells is given only when every one of them is stated, except
    the outcome groups (``outcomes``), which are the sum of their stated rows, with
    ``complete`` saying whether every row was stated.

    Tens of thousands are made at every rebuild (slots: no instance dict). A restored
    report's two figures by outcome group stay as the saved model keeps them (a list in the
    groups' order, ``_by_group_out``) until first read: 100,000 dicts at 50,000 reports,
    which a rebuild's pages about all agencies mostly never look at."""

    __slots__ = (
        "_complete",
        "_outcomes",
        "applications",
        "corrected",
        "errors",
        "granted",
        "granted_share",
        "items",
        "items_approximate",
        "lawsuits",
        "processed",
        "quality",
        "reviews",
        "warnings",
    )

    def __init__(self, items: int | None, applications: Number | None, processed: Number | None,
                 granted_share: float | None, reviews: Number | None, lawsuits: Number | None,
                 corrected: Number | None, outcomes: dict[str, Number | None] | list[Number | None], quality: str,
                 errors: int, warnings: int, granted: Number | None = None,
                 complete: dict[str, bool] | list[bool] | None = None, items_approximate: bool = False):
        self.items = items
        self.applications = applications
        self.processed = processed  # （七）总计, or the six groups when every row of them is stated
        self.granted_share = granted_share  # （一）＋（二） of ``processed``, when all three are stated
        self.reviews, self.lawsuits, self.corrected = reviews, lawsuits, corrected
        self._outcomes = outcomes
        self.quality, self.errors, self.warnings = quality, errors, warnings
        self.granted = granted  # （一）予以公开＋（二）部分公开, when both are stated
        self._complete = {} if complete is None else complete  # outcome group → every row of it stated
        self.items_approximate = items_approximate  # the report gives the number of items as 约, 余, 超过…

    @property
    def outcomes(self) -> dict[str, Number | None]:
        self._outcomes = _by_group_kept(self._outcomes)
        return self._outcomes  # type: ignore[return-value]

    @property
    def complete(self) -> dict[str, bool]:
        self._complete = _by_group_kept(self._complete)
        return self._complete  # type: ignore[return-value]

    def _fields(self) -> tuple[Any, ...]:
        return (self.items, self.applications, self.processed, self.granted_share, self.reviews, self.lawsuits,
                self.corrected, self.outcomes, self.quality, self.errors, self.warnings, self.granted,
                self.complete, self.items_approximate)

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if isinstance(other, Headline) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (mutable, compared by value)

    def __repr__(self) -> str:
        return f"Headline{self._fields()!r}"

    @property
    def cases(self) -> Number | None:
        """Reviews and lawsuits together: the figure the index and the trend chart show."""
        return whole_sum([self.reviews, self.lawsuits])


def headline(report: dict[str, Any]) -> Headline:
    apps = report["applications"]
    review = report["review_litigation"]
    totals = {key: [apps[row]["total"] for row in rows] for key, _, rows in OUTCOME_GROUPS}
    outcomes = {key: stated_sum(values) for key, values in totals.items()}
    complete = {key: all(v is not None for v in values) for key, values in totals.items()}
    processed = apps["total_processed"]["total"]
    if processed is None:
        processed = whole_sum([v for values in totals.values() for v in values])
    granted = whole_sum([apps["granted"]["total"], apps["partially_granted"]["total"]])
    share = round(granted / processed, 4) if granted is not None and processed else None
    received = apps["new_received"]["total"]
    if received is None:
        received = whole_sum([apps["new_received"][c] for c in apps["new_received"] if c != "total"])
    errors = sum(f["severity"] == ERROR for f in report["findings"])
    warnings = sum(f["severity"] == WARNING for f in report["findings"])
    items = report["metrics"]["proactive_items"]
    return Headline(
        items=items["value"],
        applications=received,
        processed=processed,
        granted_share=share,
        reviews=review["review"]["total"],
        lawsuits=whole_sum([review["litigation_direct"]["total"], review["litigation_after_review"]["total"]]),
        corrected=whole_sum([review[g]["corrected"] for g in review]),
        outcomes=outcomes,
        quality="error" if errors else "warning" if warnings else "ok",
        errors=errors,
        warnings=warnings,
        granted=granted,
        complete=complete,
        items_approximate=bool(items["value"] is not None and items.get("approximate")),
    )


_OUTCOME_KEYS = [key for key, _, _ in OUTCOME_GROUPS]
_GROUPS = len(_OUTCOME_KEYS)


def _by_group_out(by_group: dict[str, Any]) -> list[Any] | dict[str, Any]:
    """A figure per outcome group as ``brief`` keeps it: its values when in the groups' order."""
    return list(by_group.values()) if list(by_group) == _OUTCOME_KEYS else by_group


def _by_group_in(kept: Any) -> dict[str, Any]:
    """``_by_group_out``'s figures as they were (ValueError for anything else)."""
    if kept.__class__ is list and len(kept) == _GROUPS:
        return dict(zip(_OUTCOME_KEYS, kept, strict=False))  # (the lengths are checked)
    if kept.__class__ is not dict:
        raise ValueError("a brief of another layout")
    return kept  # type: ignore[no-any-return]


class ReportInfo:
    """One report as the pages about many reports see it: its summary (``site.summary``),
    the cross-year findings added after parsing, and its headline figures with them.

    ``summary`` may be read only when asked for (``restored``): a rebuild that patches the
    model it saved keeps each report's headline, year and version (``brief``), and the
    pages about all reports read the summaries of a few reports, not of every one."""

    __slots__ = ("_errors", "_load", "_summary", "head", "linked", "name", "version", "year", "year_valid")

    def __init__(self, name: str, summary: dict[str, Any], linked: list[dict[str, Any]] | None = None,
                 year_valid: bool = True):
        self.name = name  # where the report is: content/reports/2020/x.txt
        self._summary: dict[str, Any] | None = summary
        self._load: Callable[[str], dict[str, Any] | None] | None = None
        self._errors: list[str] | None = None  # the summary's error messages, when it is not read
        self.linked = [] if linked is None else linked
        # False when the year the report gives is impossible (``YEAR_INVALID``): the report then
        # counts in no year (``year`` is None) and shows its own (``stated_year``).
        self.year_valid = year_valid
        # (Made for every report of every build that groups them all: the sums over the added
        # findings and the hashes only where there are any.)
        self.year: int | None = summary["year"] if year_valid else None  # the year it counts in
        figures = summary["head"]
        counts = summary["counts"]
        errors, warnings = counts[ERROR], counts[WARNING]
        if linked:
            errors += sum(f["severity"] == ERROR for f in linked)
            warnings += sum(f["severity"] == WARNING for f in linked)
        self.head = Headline(
            summary["items"], figures["applications"], figures["processed"], figures["share"], figures["reviews"],
            figures["lawsuits"], figures["corrected"], figures["outcomes"],
            "error" if errors else "warning" if warnings else "ok", errors, warnings,
            figures.get("granted"), figures.get("complete", {}), figures.get("items_approximate", False))
        # Changes when anything the report contributes to the pages and downloads changes: its
        # content (hash) and the cross-year findings added to it.
        added = hashlib.sha1(orjson.dumps(linked)).hexdigest()[:12] if linked else ""
        origin = summary.get("origin")  # where the file was fetched from (fetch's sidecar)
        fetched = hashlib.sha1(orjson.dumps(origin)).hexdigest()[:12] if origin else ""
        self.version = f"{summary['sha256']}:{added}:{fetched}"

    def brief(self) -> list[Any]:
        """What ``restored`` needs besides the summary: plain JSON values."""
        h = self.head
        errors = self._own_errors() if h.quality == "error" else None  # (the problems page lists them)
        return [self.year, self.version, h.items, h.applications, h.processed, h.granted_share, h.reviews, h.lawsuits,
                h.corrected, _by_group_out(h.outcomes), h.quality, h.errors, h.warnings, h.granted,
                _by_group_out(h.complete), h.items_approximate,
                errors]

    @classmethod
    def restored(cls, name: str, brief: list[Any], linked: list[dict[str, Any]], year_valid: bool,
                 load: Callable[[str], dict[str, Any] | None]) -> ReportInfo:
        """The info ``brief`` describes, its summary read by ``load(name)`` when asked for."""
        info = cls.__new__(cls)
        (year, version, items, applications, processed, share, reviews, lawsuits, corrected, outcomes, quality,
         errors, warnings, granted, complete, approximate, messages) = brief
        info.name, info._summary, info._load, info.linked, info.year_valid = name, None, load, linked, year_valid
        info._errors = messages
        info.year, info.version = year, version
        info.head = Headline(items, applications, processed, share, reviews, lawsuits, corrected,
                             outcomes if outcomes.__class__ is list and len(outcomes) == _GROUPS
                             else _by_group_in(outcomes),  # (the usual brief, inline: kept as a list till read)
                             quality, errors, warnings, granted,
                             complete if complete.__class__ is list and len(complete) == _GROUPS
                             else _by_group_in(complete), approximate)
        return info

    @property
    def summary(self) -> dict[str, Any]:
        if self._summary is None:
            found = self._load(self.name) if self._load is not None else None
            if found is None:
                raise LookupError(f"{self.name}: no summary in the store")
            self._summary = found
        return self._summary

    @property
    def stated_year(self) -> int | None:
        """The year the report gives, possible or not: what its page and address show."""
        return self.summary["year"]  # type: ignore[no-any-return]

    def _own_errors(self) -> list[str]:
        """The summary's error messages: kept apart (``brief``) while the summary is not read."""
        if self._summary is None and self._errors is not None:
            return self._errors
        return self.summary["error_messages"]  # type: ignore[no-any-return]

    @property
    def error_messages(self) -> list[str]:
        return self._own_errors() + [f["message"] for f in self.linked if f["severity"] == ERROR]

    def __repr__(self) -> str:
        return f"ReportInfo({self.name!r}, year={self.year!r}, version={self.version!r})"


def as_published(report: dict[str, Any], info: ReportInfo) -> dict[str, Any]:
    """The report as the site publishes it (pages' data files, downloads): as parsed, plus its
    cross-year findings and, for a fetched file, where it came from (``source.url``,
    ``source.fetched_at``, from fetch's sidecar)."""
    if info.linked:
        report = {**report, "findings": sort_findings(report["findings"] + info.linked)}
    origin = info.summary.get("origin")
    if origin:
        report = {**report, "source": {**report["source"], "url": origin["url"], "fetched_at": origin["fetched_at"]}}
    return report


@dataclass(slots=True)
class OtherVersion:
    """A file of a body's year that does not count (``corpus.choose_versions``): a copy of the
    bytes of the report counted (``copy``), or another version of that year (``version``)."""

    name: str  # content/reports/2020/x.docx
    of: str  # the file it is a copy of, or (a version) the report counted in its place
    counted: str  # the report counted in its place (a copy's original may itself be another version)
    kind: str  # "copy" or "version"
    reason: str  # why the one counted was chosen ("" for a copy)
    year: int | None
    sha256: str = ""  # of its bytes


@dataclass(slots=True)
class Agency:
    key: str
    slug: str
    name: str
    region: str | None  # the places the body is in, as one string (北京市密云区), or as the report says
    level: str | None  # 省 · 市 · 县 · 乡镇街道 · 部门
    source_url: str | None
    reports: list[ReportInfo] = field(default_factory=list)  # newest year first
    ids: list[str] = field(default_factory=list)  # per report, unique in the agency: "2020", "2020-2"
    pinyin: str = ""
    initials: str = ""
    # The report JSON's ``division`` after content/agencies.toml: code, province, city, county,
    # township, level (each a string or None).
    division: dict[str, Any] = field(default_factory=empty_division)
    explicit_slug: bool = False  # the slug is the maintainer's (agencies.toml), never renumbered
    display_name: str = ""  # the name, with as much of its region as tells it from others of that name
    places: list[str] = field(default_factory=list)  # the names of the places above the body itself
    others: list[OtherVersion] = field(default_factory=list)  # its files that do not count


def reports_with_errors(agencies: list[Agency]) -> list[tuple[Agency, ReportInfo, str]]:
    """(agency, report, its id) of each report with an error finding, in the agencies' order:
    one pass over every report serves the problems page and the build's own account."""
    return [(agency, info, report_id) for agency in agencies
            for info, report_id in zip(agency.reports, agency.ids, strict=True) if info.head.quality == "error"]


@lru_cache(maxsize=4096)
def syllables(text: str | None) -> tuple[str, ...]:
    """The pinyin syllables of the Chinese characters in ``text`` (regions repeat: cached)."""
    hanzi = han_characters(text or "")
    return tuple(s.lower() for s in convert(hanzi)) if hanzi else ()


def search_keys(*names: str | None) -> tuple[str, str]:
    """Full pinyin and initials of the names, so "gaoling" and "glz" find 高岭镇."""
    parts = [s for name in names for s in syllables(name)]
    return "".join(parts), "".join(s[0] for s in parts if s)


def _ascii(text: str, known: dict[str, list[str]] | None = None) -> str:
    """The pinyin of ``text`` as a slug's letters. ``known`` is the build's pinyin cache: with
    it a rebuild never loads pypinyin (a body's slug is made again at every build)."""
    key = f"ascii\t{text}"  # beside the search keys, which are two strings each, not one
    cached = known.get(key) if known is not None else None
    if cached is not None and len(cached) == 1:
        return cached[0]
    letters = re.sub(r"[^a-z0-9]+", "", "".join(syllables(text)))[:40] or "agency"
    if known is not None:
        known[key] = [letters]
    return letters


def make_slug(group: list[ReportInfo], code: str | None, known: dict[str, list[str]] | None = None) -> str:
    """A body's address, ASCII and stable across builds and years: the pinyin of its own name
    after its place (the place's name for a government) and its place's code, where a report
    places it for certain (``gaolingzhen-110118108``, ``zhufanghechengxiangjiansheweiyuanhui-110118``);
    else the pinyin of its name and a short hash of the name and region its reports give.
    Names come from the body's first report, so a new year's report never moves the address,
    even when an agencies.toml entry groups reports that spell the name differently. Nothing
    internal goes in (the grouping key's spelling changed once and took every address with it)."""
    oldest_first = sorted(group, key=lambda r: (r.year if r.year is not None else 10_000, r.name))
    for info in oldest_first:
        own = cached_own_name(info.summary.get("agency"), info.summary.get("region"), code, known)
        if own is not None and code:
            place = gazetteer().by_code[code]
            return f"{_ascii(own or place.name, known)}-{place.short_code}"
    first = oldest_first[0].summary
    name, region = first.get("agency") or first["file"], first.get("region") or ""
    shown = first.get("agency") or UNKNOWN_NAME  # a file's path never shows in an address
    return f"{_ascii(shown, known)}-{hashlib.sha1(f'{region}|{name}'.encode()).hexdigest()[:6]}"


def cached_own_name(agency: str | None, region: str | None, code: str | None,
                    known: dict[str, list[str]] | None = None) -> str | None:
    """``identity.own_name``, kept in the build's name cache ``known`` (beside the pinyin):
    reading a name against the gazetteer costs a tenth of a millisecond, for every report at
    every build, a third of a rebuild's planning at 10,000 reports."""
    if known is None or not agency or not code:
        return own_name(agency, region, code)
    key = f"own\t{agency}\t{region or ''}\t{code}"
    found = known.get(key)
    if found is None or len(found) > 1:
        found = known[key] = [] if (rest := own_name(agency, region, code)) is None else [rest]
    return found[0] if found else None


def group_key(summary: dict[str, Any], directory: AgencyDirectory,
              known: dict[str, list[str]] | None = None) -> tuple[str, AgencyMeta | None]:
    """Reports of the same body share this key: the maintainer's entry for them, else
    ``identity.body_key`` (place and own name), else the file alone. ``known``: the build's
    name cache (``cached_own_name``)."""
    meta = directory.find(summary["file"], summary.get("agency"), summary.get("region"))
    if meta is not None:
        return f"meta:{meta.name or meta.match or meta.files}", meta
    agency, region = summary.get("agency"), summary.get("region")
    if not agency:
        return f"file:{summary['file']}", None
    code = (summary.get("division") or {}).get("code")
    return key_with(agency, region, code, cached_own_name(agency, region, code, known)), None


def with_overrides(division: dict[str, Any] | None, meta: AgencyMeta | None) -> dict[str, Any]:
    """The report's division with what the maintainer says (code, region, level) over it."""
    result = {**empty_division(), **(division or {})}
    if meta is None:
        return result
    place = gazetteer().by_code.get(meta.code) if meta.code else None
    if place is None and meta.region:
        reading = read_name(meta.region)
        if len(reading.places) == 1 and not reading.rest:
            place = reading.places[0]
    reported = gazetteer().by_code.get(result["code"] or "")
    if place is not None and not (reported is not None and reported.within(place)):
        result = division_of(list(place.chain()), result["level"])
    if meta.level:
        result["level"] = meta.level
    return result


UNKNOWN_NAME = "（名称不详）"


def unknown_name(year: int | None) -> str:
    """What a body is called when no report names it: never its file's name or path, which
    a reader should not see (and which can be anything, markup included)."""
    return f"{UNKNOWN_NAME}{year}年" if year is not None else UNKNOWN_NAME


def _usual_name(group: list[ReportInfo]) -> str | None:
    """The name the body gives itself most often, the latest year's on a tie: one name for
    all its years, whichever way a year's title wrote it."""
    names = [r.summary.get("agency") for r in group if r.summary.get("agency")]
    if not names:
        return None
    counts = Counter(names)
    return max(names, key=lambda n: counts[n])  # max keeps the first (latest) of equal counts


def _places_above(division: dict[str, Any]) -> list[str]:
    """The places the body is in: all of its division for a department, the places above
    it for a government (a township's are its province, city and county)."""
    kinds = [kind for kind in KINDS if division.get(kind)]
    own = {"省": PROVINCE, "市": CITY, "县": COUNTY, "乡镇街道": TOWNSHIP}.get(division.get("level") or "")
    if kinds and own == kinds[-1]:
        kinds = kinds[:-1]
    return [division[kind] for kind in kinds]


def likely_names(summaries: Iterable[dict[str, Any]], directory: AgencyDirectory) -> set[str]:
    """The texts whose pinyin ``build_agencies`` will ask of reports like these (the pinyin
    helper converts them beforehand, ``pinyin.prefetch``): the maintainer's names and regions,
    each report's body and region, the places above it, its place's name and its name after
    its region. Grouping may make another, asked alone: at 3,000 reports 6 names of 1,845."""
    names = {text for meta in directory.entries for text in (meta.name, meta.region) if text}
    by_code = gazetteer().by_code
    for summary in summaries:
        agency, region = summary.get("agency") or "", summary.get("region") or ""
        division = summary.get("division") or {}
        names.update((agency, region, "".join(_places_above(with_overrides(division, None)))))
        if region and agency.startswith(region):
            names.add(agency[len(region):])
        if (place := by_code.get(division.get("code") or "")) is not None:
            names.add(place.name)
    return names


def build_agencies(reports: list[ReportInfo], directory: AgencyDirectory,
                   pinyin: dict[str, list[str]] | None = None,
                   others: list[OtherVersion] | None = None) -> list[Agency]:
    """Group reports by body (maintainer metadata first), newest year first (a report whose
    year is impossible after all the others), stable order; each file that does not count
    (``others``) goes with the agency of the report counted in its place.

    ``pinyin`` maps a name to its search keys from earlier builds and is updated: pypinyin
    costs a quarter of a millisecond a name, which adds up over thousands of agencies."""
    pinyin = {} if pinyin is None else pinyin
    groups: dict[str, tuple[AgencyMeta | None, list[ReportInfo]]] = {}
    for info in reports:
        key, meta = group_key(info.summary, directory, pinyin)
        groups.setdefault(key, (meta, []))[1].append(info)
    agencies: list[Agency] = []
    for key, (meta, group) in groups.items():
        group.sort(key=lambda r: (r.year is None, -(r.stated_year or 0), r.name))
        latest = group[0].summary
        division = with_overrides(next((r.summary.get("division") for r in group
                                        if (r.summary.get("division") or {}).get("code")), latest.get("division")),
                                  meta)
        places = _places_above(division)
        region = (meta.region if meta and meta.region else None) or "".join(places) or latest.get("region")
        name = (meta.name if meta and meta.name else None) or _usual_name(group) or unknown_name(group[0].year)
        searched = f"{region or ''}{name}"
        if len(pinyin.get(searched, ())) != 2:
            pinyin[searched] = list(search_keys(region, name))
        full, initials = pinyin[searched]
        explicit = bool(meta and meta.slug)
        slug = meta.slug if meta and meta.slug else make_slug(group, division.get("code"), pinyin)
        agencies.append(Agency(key=key, slug=slug, explicit_slug=explicit, name=name, region=region,
                               level=division["level"], source_url=meta.source_url if meta else None, reports=group,
                               ids=_report_ids(group), pinyin=full, initials=initials, division=division,
                               places=places))
    agencies.sort(key=lambda a: (a.region or "", a.name, a.slug))
    owner = {info.name: agency for agency in agencies for info in agency.reports}
    for other in others or ():
        owner[other.counted].others.append(other)
    _unique_slugs(agencies)
    _display_names(agencies)
    return agencies


def _qualified(agency: Agency, depth: int) -> str:
    """The name behind its last ``depth`` places, without repeating a place it already starts with."""
    if not agency.places:
        return f"{agency.name}（地区不详）" if depth else agency.name
    shown = agency.places[-depth:] if depth else []
    for start in range(len(shown)):
        if agency.name.startswith("".join(shown[start:])):
            return "".join(shown[:start]) + agency.name
    return "".join(shown) + agency.name


_GOVERNMENT_WORDS = sorted((w for w in GOVERNMENT if w), key=len, reverse=True)


def _short(name: str) -> str:
    """The name without a government's own words: 高岭镇人民政府 and 高岭镇 are one name."""
    for words in _GOVERNMENT_WORDS:
        if name.endswith(words) and len(name) > len(words):
            return name[: -len(words)]
    return name


def _display_names(agencies: list[Agency]) -> None:
    """A name that no other agency on the site has: the bare name where it is the only one,
    else with as many of its places in front as it takes (县, then 市, then 省)."""
    by_name: dict[str, list[Agency]] = {}
    for agency in agencies:
        by_name.setdefault(_short(agency.name), []).append(agency)
    for group in by_name.values():
        if len(group) == 1:
            group[0].display_name = group[0].name
            continue
        labels = [a.name for a in group]
        for depth in range(1, 4):
            labels = [_qualified(a, depth) for a in group]
            if len(set(labels)) == len(labels):
                break
        seen: dict[str, int] = {}
        for agency, label in zip(group, labels, strict=True):
            seen[label] = seen.get(label, 0) + 1
            agency.display_name = label if seen[label] == 1 else f"{label}（{seen[label]}）"
    # A qualified name may equal another agency's bare name ("密云区高岭镇人民政府" twice):
    # then the one that was qualified gets a number.
    uses = Counter(a.display_name for a in agencies)
    numbered: dict[str, int] = {}
    for agency in agencies:
        label = agency.display_name
        if uses[label] > 1 and label != agency.name:
            numbered[label] = numbered.get(label, 1) + 1
            agency.display_name = f"{label}（{numbered[label]}）"


def _report_ids(reports: list[ReportInfo]) -> list[str]:
    """The year the report gives; "unknown", "unknown-2"… for reports that give none (of two
    reports of one year only one counts and has a page: ``site.versions``)."""
    ids: list[str] = []
    for report in reports:
        base = str(report.stated_year) if report.stated_year is not None else "unknown"
        candidate, count = base, 1
        while candidate in ids:
            count += 1
            candidate = f"{base}-{count}"
        ids.append(candidate)
    return ids


def _unique_slugs(agencies: list[Agency]) -> None:
    """Every agency its own folder. The maintainer's slugs are kept (``config`` refuses one
    given twice); a made slug that another agency already has gets the first number that no
    agency has, made or given ("same" twice beside a given "same-2": "same", "same-3").
    Compared without case: on a case-insensitive disk (macOS, Windows) "Same" and "same"
    are one folder."""
    taken = {a.slug.casefold() for a in agencies if a.explicit_slug}
    for agency in agencies:
        if agency.explicit_slug:
            continue
        base, number = agency.slug, 1
        while agency.slug.casefold() in taken:
            number += 1
            agency.slug = f"{base}-{number}"
        taken.add(agency.slug.casefold())
