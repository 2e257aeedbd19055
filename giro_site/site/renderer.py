"""Rendering: agencies and reports in, (output path, bytes) out. Nothing here writes
files, so the builder can run it in worker processes or only for what changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import orjson
from markupsafe import Markup

from giro_site.corpus import Problem
from giro_site.findings import CODES, SEVERITY_LABEL
from giro_site.site import charts
from giro_site.site.assets import Asset
from giro_site.site.config import SiteConfig
from giro_site.site.downloads import ALL_REPORT_RENDERERS, CELL_COLUMNS, META_COLUMNS, ONE_REPORT_RENDERERS
from giro_site.site.fragments import Fragments
from giro_site.site.model import QUALITY_LABEL, Agency, totals_for_year
from giro_site.site.output import Payload
from giro_site.site.pages import figures_of, year_links, year_view
from giro_site.site.render import make_environment
from giro_site.site.urls import Urls

Output = tuple[str, Payload]
INDEX_FIELDS = ("url", "name", "region", "year", "items", "applications", "share", "cases", "corrected",
                "quality", "py", "initials")


def markdown_pages(content: Path) -> list[dict[str, Any]]:
    """The maintainers' Markdown pages (``content/pages/*.md``), in menu order."""
    pages = []
    folder = content / "pages"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        converter = markdown.Markdown(extensions=["meta", "tables", "toc"])
        html = converter.convert(path.read_text(encoding="utf-8"))
        meta = getattr(converter, "Meta", {})
        title = meta.get("title", [path.stem])[0]
        pages.append({"name": path.stem, "title": title, "html": html, "order": int(meta.get("order", ["50"])[0])})
    return sorted(pages, key=lambda p: (p["order"], p["name"]))


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
            "urls": self.urls, "config": self.config, "nav_pages": self.pages, "quality_label": QUALITY_LABEL,
            "severity_label": SEVERITY_LABEL,
        }, self.bytecode)
        self.fragments = Fragments(self.env)

    def _page(self, url: str, template: str, **context: Any) -> Output:
        html = self.env.get_template(template).render(page_url=url, **context)
        return self.urls.output_path(url), html.encode("utf-8")

    # --- one agency ------------------------------------------------------------------

    def agency_urls(self, agency: Agency) -> list[str]:
        """The pages of an agency's reports (its own address only redirects to the latest)."""
        return [self.urls.agency(agency.slug, rid) for rid in agency.ids]

    def agency_outputs(self, agency: Agency) -> list[Output]:
        """The agency's page, a page per report, each report's data and original file."""
        urls = self.urls
        links = year_links(agency, urls)
        trend = charts.trend_chart(agency)
        figures = figures_of([trend] if trend else [])
        section_template = self.env.get_template("year.html")
        outputs: list[Output] = []
        for index, report in enumerate(agency.reports):
            view = year_view(agency, index, urls, self.fragments)
            section = Markup(section_template.render(v=view))  # our own template's escaped output
            context = {"agency": agency, "years": links, "current": view, "trend": trend, "figures": figures,
                       "section": section}
            outputs.append(self._page(urls.agency(agency.slug, view.id), "agency.html", is_latest=index == 0,
                                      **context))
            if index == 0:
                outputs.append(self._page(urls.agency(agency.slug), "redirect.html", title=agency.name,
                                          target=urls.agency(agency.slug, view.id)))
            for fmt, (_, renderer) in ONE_REPORT_RENDERERS.items():
                outputs.append((urls.output_path(urls.report_data(agency.slug, view.id, fmt)), renderer(report)))
            relative = report["source"]["file"].split("/", 1)[-1]
            source = self.content / relative
            if source.is_file():
                outputs.append((urls.output_path(urls.source_file(relative)), source))
        return outputs

    # --- pages about all agencies -------------------------------------------------------

    def index_rows(self, agencies: list[Agency]) -> list[dict[str, Any]]:
        rows = []
        for agency in agencies:
            for report, report_id, head in zip(agency.reports, agency.ids, agency.heads, strict=True):
                cases = None if head.reviews is None and head.lawsuits is None else (
                    (head.reviews or 0) + (head.lawsuits or 0))
                rows.append({
                    "url": self.urls.agency(agency.slug, report_id), "name": agency.name,
                    "region": agency.region or "", "year": report.get("year"), "items": head.items,
                    "applications": head.applications, "share": head.granted_share, "cases": cases,
                    "corrected": head.corrected, "quality": head.quality, "py": agency.pinyin,
                    "initials": agency.initials,
                })
        return rows

    def _latest(self, agencies: list[Agency], year: int | None, order: str) -> list[charts.Entry]:
        """The agencies to compare in the index charts: their report for ``year``, the top ones."""
        chosen = [(a.name, a.reports[0], a.heads[0]) for a in agencies if a.reports[0].get("year") == year]
        if order == "items":
            chosen.sort(key=lambda e: (-(e[2].items or 0), e[0]))
        else:
            chosen.sort(key=lambda e: (-(e[2].processed or 0), e[0]))
        return chosen[: self.config.chart_top]

    def global_outputs(self, agencies: list[Agency], problems: list[Problem],
                       assets: bool = True) -> list[Output]:
        urls, config = self.urls, self.config
        outputs: list[Output] = []
        if assets:
            outputs += [(f"assets/{a.hashed}", a.source) for a in self.assets]
        rows = self.index_rows(agencies)
        years = sorted({r["year"] for r in rows if r["year"] is not None}, reverse=True)
        latest_year = years[0] if years else None
        by_items = self._latest(agencies, latest_year, "items")
        index_charts = [charts.volumes_chart(by_items), charts.article20_chart(by_items),
                        charts.outcome_shares_chart(self._latest(agencies, latest_year, "processed"))]
        pages_count = max(1, -(-len(rows) // config.page_size))
        outputs.append(self._page(
            urls.index(), "index.html", totals=[totals_for_year(agencies, y) for y in years],
            latest_year=latest_year, charts=index_charts, figures=figures_of(index_charts),
            rows=rows[: config.page_size], page=1, pages=pages_count, years=years, problems=problems,
            report_count=len(rows)))
        for page in range(1, pages_count + 1):
            start = (page - 1) * config.page_size
            outputs.append(self._page(urls.agencies(page), "agencies.html", rows=rows[start:start + config.page_size],
                                      page=page, pages=pages_count, report_count=len(rows)))
        outputs.append((urls.output_path(urls.index_data()),
                        orjson.dumps({"fields": INDEX_FIELDS, "rows": [[r[f] for f in INDEX_FIELDS] for r in rows]})))

        pairs = [pair for a in agencies for pair in zip(a.reports, a.heads, strict=True)]
        downloads = []
        for fmt, (description, renderer) in ALL_REPORT_RENDERERS.items():
            data = renderer(pairs)
            outputs.append((urls.output_path(urls.all_data(fmt)), data))
            downloads.append({"url": urls.all_data(fmt), "description": description, "size": len(data)})
        outputs.append(self._page(urls.downloads(), "downloads.html", downloads=downloads,
                                  meta_columns=META_COLUMNS, cell_columns=CELL_COLUMNS))
        for page in self.pages:
            outputs.append(self._page(urls.page(page["name"]), "page.html", page=page, codes=CODES))
        with_errors = [(a, r, rid) for a in agencies for r, rid, h in zip(a.reports, a.ids, a.heads, strict=True)
                       if h.quality == "error"]
        outputs.append(self._page(urls.problems(), "problems.html", problems=problems, with_errors=with_errors))
        outputs.append(self._page(urls.page("404").rstrip("/") + ".html", "404.html"))

        listed = [urls.index(), *(urls.agencies(p) for p in range(1, pages_count + 1)), urls.downloads(),
                  urls.problems(), *(urls.page(p["name"]) for p in self.pages)]
        listed += [url for agency in agencies for url in self.agency_urls(agency)]
        sitemap = self.env.get_template("sitemap.xml").render(urls=[config.absolute(u) for u in listed])
        outputs.append(("sitemap.xml", sitemap.encode("utf-8")))
        outputs.append(("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.absolute(urls.sitemap())}\n"
                        .encode()))
        outputs.append((".nojekyll", b""))
        return outputs
