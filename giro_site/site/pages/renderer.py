"""Rendering: agencies and reports in, (output path, bytes) out. Nothing here writes
files, so the builder can run it in worker processes or only for what changed.

An agency's pages need its reports whole (``load``); the pages about all agencies need
only their summaries (``model.ReportInfo``)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from markupsafe import Markup

from giro_site.corpus import Problem
from giro_site.findings import CODES, SEVERITY_LABEL
from giro_site.regions import gazetteer
from giro_site.site import compression
from giro_site.site.build.assets import Asset
from giro_site.site.build.output import Payload
from giro_site.site.config import SiteConfig
from giro_site.site.downloads.aggregates import Row, RowSource, row_version, stable_id, year_key
from giro_site.site.downloads.dictionary import DICTIONARY_COLUMNS, datasette_metadata
from giro_site.site.downloads.dictionary import entries as dictionary_entries
from giro_site.site.downloads.formats import YEAR_FORMATS, derived_fields, dictionary_csv, example_query
from giro_site.site.model import QUALITY_LABEL, Agency, ReportInfo, as_published
from giro_site.site.pages import charts, listing
from giro_site.site.pages.contexts import year_links, year_view
from giro_site.site.pages.environment import make_environment
from giro_site.site.pages.fragments import Fragments
from giro_site.site.pages.listing import IndexRows
from giro_site.site.pages.problems import problem_rows, public_file, sentences
from giro_site.site.pages.regions import Region, crumbs, place_of, region_view, regions_index_view
from giro_site.site.totals import totals_by_year
from giro_site.site.urls import Urls

Output = tuple[str, Payload]
LoadReport = Callable[[ReportInfo], dict[str, Any]]


def agency_data(published: list[dict[str, Any]]) -> bytes:
    """The agency's data file: its reports' JSON, gzip-compressed with no date in the header
    (the same reports give the same bytes). Level 6: measured on 3,000 reports with zlib-ng,
    2 % larger than level 9 (973 against 956 bytes a report) for 60 % of its CPU time."""
    return compression.gzip(orjson.dumps(published), 6)


@dataclass
class SiteRenderer:
    config: SiteConfig
    content: Path
    templates: Path
    assets: list[Asset]
    pages: list[dict[str, Any]]
    bytecode: Path | None = None  # where compiled templates are kept between builds

    def __post_init__(self) -> None:
        self.urls = Urls(self.config.base_url, {a.name: a.hashed for a in self.assets})
        self.env = make_environment(self.templates, {
            "urls": self.urls, "site_links": self.urls.fixed([page["name"] for page in self.pages]),
            "config": self.config, "nav_pages": self.pages, "quality_label": QUALITY_LABEL,
            "severity_label": SEVERITY_LABEL,
        }, self.bytecode)
        self.fragments = Fragments(self.env)

    def _page(self, url: str, template: str, **context: Any) -> Output:
        html = self.env.get_template(template).render(page_url=url, **context)
        return self.urls.output_path(url), html.encode("utf-8")

    # --- one agency ------------------------------------------------------------------

    def ready(self) -> None:
        """Compile the agency pages' templates now (before worker processes are forked)."""
        for name in ("year.html", "agency.html"):
            self.env.get_template(name)

    def agency_urls(self, agency: Agency) -> list[str]:
        """The pages of an agency's reports: one per report, no other page (a page at the agency's
        own address, which nothing links to, would cost each agency a file)."""
        return [self.urls.agency(agency.slug, rid) for rid in agency.ids]

    def agency_outputs(self, agency: Agency, load: LoadReport) -> list[Output]:
        """The agency's pages (one per report), its data file and its reports' original files."""
        urls = self.urls
        links = year_links(agency, urls)
        trend_chart = charts.trend_chart(agency)
        trend = self.fragments.chart_once(trend_chart) if trend_chart else None  # the same on each page
        place = place_of(agency)
        breadcrumb = crumbs(place, urls) if place is not None else []
        section_template = self.env.get_template("year.html")
        outputs: list[Output] = []
        published = []
        for index, info in enumerate(agency.reports):
            report = as_published(load(info), info)
            published.append(report)
            view = year_view(agency, index, report, urls, self.fragments,
                             (self._original(agency, info.name), self.config.publish_originals))
            view.others = [{"file": o.name.rsplit("/", 1)[-1], "url": self._original(agency, o.name),
                            "published": self.config.publish_originals, "reason": o.reason}
                           for o in agency.others if o.counted == info.name and o.kind == "version"]
            section = Markup(section_template.render(v=view))  # our own template's escaped output
            outputs.append(self._page(urls.agency(agency.slug, view.id), "agency.html", agency=agency, years=links,
                                      current=view, trend=trend, section=section, breadcrumb=breadcrumb))
            if (original := self.original_file(info.name)) is not None:
                outputs.append(original)
        for other in agency.others:  # another version of a year: its original, which its page links to
            if other.kind == "version" and (original := self.original_file(other.name)) is not None:
                outputs.append(original)
        outputs.append((urls.output_path(urls.agency_data(agency.slug)), agency_data(published)))
        return outputs

    def original_file(self, name: str) -> tuple[str, Path] | None:
        """Where the original of the report ``name`` goes in the site, and the file copied
        there; None when the site does not publish originals, or the file is gone."""
        relative = name.split("/", 1)[-1]
        source = self.content / relative
        if self.config.publish_originals and source.is_file():
            return self.urls.output_path(self.urls.source_file(relative)), source
        return None

    # --- pages about all agencies -------------------------------------------------------

    def index_rows(self, agencies: list[Agency]) -> list[dict[str, Any]]:
        return listing.index_rows(agencies, self.urls)

    def _compared(self, chosen: list[tuple[str, ReportInfo, Agency]], order: str) -> list[charts.Entry]:
        """The agencies in the index charts, the top ones (``chosen``: their reports of a year)."""
        if order == "items":
            top = heapq.nsmallest(self.config.chart_top, chosen, key=lambda e: (-(e[1].head.items or 0), e[0]))
        else:
            top = heapq.nsmallest(self.config.chart_top, chosen, key=lambda e: (-(e[1].head.processed or 0), e[0]))
        return [(name, info, self.urls.agency(a.slug, a.ids[0])) for name, info, a in top]  # (the first of a sort)

    def listing_pages(self, count: int) -> list[tuple[str, int, int, int]]:
        """(URL, first row, page, pages) of each page of the comparison table without
        JavaScript, for ``count`` rows (``config.page_size`` a page)."""
        size = self.config.page_size
        pages = max(1, -(-count // size))
        return [(self.urls.agencies(p), (p - 1) * size, p, pages) for p in range(1, pages + 1)]

    def render_listing(self, url: str, rows: IndexRows, start: int, page: int, pages: int) -> Output:
        return self._page(url, "agencies.html", rows=rows[start:start + self.config.page_size], page=page,
                          pages=pages, report_count=len(rows))

    def keyed_pages(self, agencies: list[Agency], rows: IndexRows, regions: dict[str, Region],
                    only: set[str] | None = None) -> list[tuple[str, bytes, Callable[[], Output]]]:
        """(URL, what the page shows, how to render it) of the pages a rebuild renders only
        when what they show changed: the listing pages, the region pages (with ``only``, the
        regions of those codes: the caller knows the others are as they were) and, without
        ``only``, the sitemap (it shows the addresses)."""
        pages: list[tuple[str, bytes, Callable[[], Output]]] = []
        size = self.config.page_size
        for url, start, page, count in self.listing_pages(len(rows)):
            pages.append((url, rows.page_key(start, start + size, count),
                          partial(self.render_listing, url, rows, start, page, count)))
        chart_top = self.config.chart_top
        for region in regions.values() if only is None else (regions[code] for code in sorted(only)):
            view = region_view(region, regions, self.urls, chart_top)
            url = self.urls.region(view["code"])
            pages.append((url, orjson.dumps(view), partial(self._page, url, "region.html", r=view)))
        if only is None:
            listed = self.sitemap_urls(agencies, rows, regions)
            pages.append((self.urls.sitemap(), "\n".join(listed).encode("utf-8"), partial(self.sitemap, listed)))
        return pages

    def global_outputs(self, agencies: list[Agency], problems: list[Problem], rows: IndexRows,
                       regions: dict[str, Region], index_pieces: list[bytes],
                       errors: list[tuple[Agency, ReportInfo, str]]) -> list[Output]:
        """Every page about all agencies except those of ``keyed_pages`` and the downloads
        (``download_outputs``); ``index_pieces``: each agency's ``listing.index_piece``;
        ``errors``: the reports with an error finding (``model.reports_with_errors``)."""
        urls, config = self.urls, self.config
        outputs: list[Output] = [(f"assets/{a.hashed}", a.source) for a in self.assets]
        totals = totals_by_year(agencies)
        years = [t.year for t in totals]  # every year a report counts in, newest first
        latest_year = years[0] if years else None
        chosen = [(a.display_name, a.reports[0], a) for a in agencies if a.reports[0].year == latest_year]
        by_items = self._compared(chosen, "items")
        index_charts = [charts.volumes_chart(by_items), charts.article20_chart(by_items),
                        charts.outcome_shares_chart(self._compared(chosen, "processed"))]
        table_pages = self.listing_pages(len(rows))
        unplaced = sum(not a.division.get("code") for a in agencies)
        places = regions_index_view(regions, urls, unplaced)
        outputs.append(self._page(
            urls.index(), "index.html", totals=totals,
            latest_year=latest_year, charts=index_charts,
            rows=rows[:self.config.page_size], page=1, pages=len(table_pages), years=years, problems=problems,
            report_count=len(rows), places=places))
        outputs.append((urls.output_path(urls.index_data()), listing.index_data(index_pieces, regions, urls)))
        outputs.append(self._page(urls.regions(), "regions.html", places=places))
        outputs.append(self._page(urls.compare(), "compare.html", labels=listing.compare_labels()))
        for page in self.pages:
            outputs.append(self._page(urls.page(page["name"]), "page.html", page=page, codes=CODES))
        with_errors = [(a, info, rid, sentences(info.error_messages)) for a, info, rid in errors]
        others = [o for a in agencies for o in a.others]
        counted = {o.counted for o in others}  # the reports counted in their stead, and whose they are
        owners = {info.name: (a, rid) for a in agencies for info, rid in zip(a.reports, a.ids, strict=True)
                  if info.name in counted} if counted else {}
        duplicates = [{"file": public_file(o.name), "of": public_file(o.of), "kind": o.kind, "reason": o.reason,
                       "year": o.year, "agency": owners[o.counted][0], "id": owners[o.counted][1]} for o in others]
        outputs.append(self._page(urls.problems(), "problems.html", problems=problem_rows(problems),
                                  with_errors=with_errors, duplicates=sorted(duplicates, key=lambda d: d["file"])))
        outputs.append(self._page(urls.page("404").rstrip("/") + ".html", "404.html"))

        outputs.append(("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.absolute(urls.sitemap())}\n"
                        .encode()))
        outputs.append((".nojekyll", b""))
        return outputs

    def sitemap_urls(self, agencies: list[Agency], rows: IndexRows, regions: dict[str, Region]) -> list[str]:
        urls, config = self.urls, self.config
        listed = [urls.index(), *(url for url, _, _, _ in self.listing_pages(len(rows))), urls.downloads(),
                  urls.dictionary(), urls.problems(), *(urls.page(p["name"]) for p in self.pages), urls.regions(),
                  *(urls.region(r.place.short_code) for r in regions.values())]
        listed += [url for agency in agencies for url in self.agency_urls(agency)]
        return [config.absolute(u) for u in listed]

    def sitemap(self, listed: list[str]) -> Output:
        return "sitemap.xml", self.env.get_template("sitemap.xml").render(urls=listed).encode("utf-8")

    # --- downloads ------------------------------------------------------------------------

    def report_fields(self, agency: Agency, info: ReportInfo, report_id: str) -> dict[str, Any]:
        """The report-level fields of the downloads (``dictionary.REPORT_FIELDS``)."""
        s, head, division = info.summary, info.head, agency.division
        origin = s.get("origin")  # where the file was fetched from (fetch's sidecar)
        return {
            "id": stable_id(info.name), "body": agency.display_name, "agency": s["agency"],
            "province": division.get("province"), "city": division.get("city"), "county": division.get("county"),
            "township": division.get("township"), "level": agency.level, "region": agency.region,
            "region_code": division.get("code"), "year": s["year"], "form": s["form"], "quality": head.quality,
            "errors": head.errors, "warnings": head.warnings, "proactive_items": s["items"],
            "extra_rows": s["extra_rows"], "page_url": self.config.absolute(self.urls.agency(agency.slug, report_id)),
            "source_url": agency.source_url or (origin or {}).get("url") or self._original(agency, info.name,
                                                                                          absolute=True),
            "fetched_at": (origin or {}).get("fetched_at"), "source_file": s["file"],
            "source_format": s["format"], "sha256": s["sha256"], **derived_fields(head),
        }

    def _original(self, agency: Agency, name: str, *, absolute: bool = False) -> str | None:
        """Where a report's original is: the site's copy, else the agency's own page, else nowhere."""
        if self.config.publish_originals:
            url = self.urls.source_file(name.split("/", 1)[-1])
            return self.config.absolute(url) if absolute else url
        return agency.source_url

    def download_rows(self, agencies: list[Agency], keys: dict[str, str]) -> list[Row]:
        """Each report's row of the downloads, its fields made when a download needs them
        (``keys``: a key of each agency's metadata, which with the report's own version
        changes whenever the fields would; not its other reports, whose rows stay as they are)."""
        return [self._download_row(agency, info, rid, keys[agency.slug][:16])
                for agency in agencies for info, rid in zip(agency.reports, agency.ids, strict=True)]

    def _download_row(self, agency: Agency, info: ReportInfo, report_id: str, salt: str) -> Row:
        return Row(info, partial(self.report_fields, agency, info, report_id), salt)

    def download_source(self, agencies: list[Agency], keys: dict[str, str]) -> RowSource:
        """Each report's version in the downloads (its ``download_rows`` row's), by year; a
        year's rows made when asked for."""
        versions: dict[str, dict[str, str]] = {}
        members: dict[str, list[tuple[Agency, ReportInfo, str, str]]] = {}
        for agency in agencies:
            salt = keys[agency.slug][:16]
            for info, rid in zip(agency.reports, agency.ids, strict=True):
                key = year_key(info.year)
                if (held := versions.get(key)) is None:
                    held = versions[key] = {}
                    members[key] = []
                held[info.name] = row_version(info, salt)
                members[key].append((agency, info, rid, salt))
        return RowSource(versions, lambda key: [self._download_row(*member) for member in members[key]])

    def download_site(self) -> dict[str, str]:
        """What the download files say about the site: its address only when ``site_url`` is
        set (a path alone would be a broken link in Datasette, which serves elsewhere)."""
        source = self.config.absolute(self.urls.downloads()) if self.config.site_url else ""
        return {"title": self.config.title, "source_url": source}

    def download_outputs(self, years: list[tuple[str, dict[str, Path]]],
                         every: list[tuple[str, str, Path]] | None = None) -> list[Output]:
        """Each year's files, the all-years files (``every``: part, format, file, from
        ``allyears.published``), the dictionary (CSV, Datasette metadata, page) and the
        downloads page."""
        urls = self.urls
        outputs: list[Output] = []
        table = []
        for year, files in years:
            for fmt, path in files.items():
                outputs.append((urls.output_path(urls.year_data(year, fmt)), path))
            table.append({"year": year, "files": [(fmt, urls.year_data(year, fmt), files[fmt].stat().st_size)
                                                  for fmt in YEAR_FORMATS]})
        whole = []
        for part, fmt, path in every or []:
            key = f"all-{part}" if part else "all"
            outputs.append((urls.output_path(urls.year_data(key, fmt)), path))
            place = gazetteer().by_code.get(part.ljust(12, "0")) if part else None
            whole.append({"part": place.name if place else "地区不详" if part else "", "format": fmt,
                          "url": urls.year_data(key, fmt), "size": path.stat().st_size})
        names = [f"reports-{year}" for year, _ in years]
        names += [f"reports-{'all-' + part if part else 'all'}" for part, fmt, _ in every or [] if fmt == "sqlite.zip"]
        site = self.download_site()
        metadata = datasette_metadata(names, site["title"], site["source_url"])
        outputs.append((urls.output_path(urls.dictionary_data()), dictionary_csv()))
        outputs.append((urls.output_path(urls.datasette_metadata()),
                        orjson.dumps(metadata, option=orjson.OPT_INDENT_2)))
        outputs.append(self._page(urls.dictionary(), "dictionary.html", entries=dictionary_entries(),
                                  columns=DICTIONARY_COLUMNS))
        example_year = next((y for y, _ in years if y != "unknown"), None)  # the newest year with a file
        outputs.append(self._page(urls.downloads(), "downloads.html", years=table, formats=YEAR_FORMATS, whole=whole,
                                  example=example_query(int(example_year)) if example_year else None,
                                  example_year=example_year))
        return outputs
