"""Build the site: parsed reports in, the ``public/`` folder out.

Steps, in order: settings → reports → agencies → assets → pages → data → swap the new
site in. Nothing is written into the output folder until everything succeeded.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from giro_site.corpus import Corpus, load_corpus
from giro_site.findings import CODES, SEVERITY_LABEL
from giro_site.site import charts
from giro_site.site.assets import collect_assets
from giro_site.site.config import SiteConfig, load_agencies, load_config
from giro_site.site.downloads import ALL_REPORT_RENDERERS, CELL_COLUMNS, META_COLUMNS, ONE_REPORT_RENDERERS
from giro_site.site.model import QUALITY_LABEL, Agency, build_agencies, headline, totals_for_year
from giro_site.site.output import SiteWriter
from giro_site.site.pages import agency_context, figures_of
from giro_site.site.render import make_environment
from giro_site.site.urls import Urls

PROJECT = Path(__file__).resolve().parent.parent.parent


@dataclass
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("public")
    base_url: str | None = None
    build_date: str | None = None
    jobs: int = 1
    templates: Path = PROJECT / "templates"
    assets: Path = PROJECT / "assets"
    progress: Callable[[str], None] | None = None


@dataclass
class BuildResult:
    out: Path
    reports: int
    agencies: int
    problems: list[str]
    errors: int
    pages: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def _index_rows(agencies: list[Agency], urls: Urls) -> list[dict[str, Any]]:
    rows = []
    for agency in agencies:
        for report, report_id in zip(agency.reports, agency.ids, strict=True):
            head = headline(report)
            rows.append({
                "url": urls.agency(agency.slug, report_id), "name": agency.name, "region": agency.region or "",
                "year": report.get("year"), "items": head.items, "applications": head.applications,
                "share": head.granted_share, "cases": None if head.reviews is None and head.lawsuits is None
                else (head.reviews or 0) + (head.lawsuits or 0), "corrected": head.corrected,
                "quality": head.quality, "py": agency.pinyin, "initials": agency.initials,
            })
    return rows


INDEX_FIELDS = ("url", "name", "region", "year", "items", "applications", "share", "cases", "corrected",
                "quality", "py", "initials")


def _latest_entries(agencies: list[Agency], year: int | None, top: int, key: Callable[[Any], Any]
                    ) -> list[tuple[str, dict[str, Any]]]:
    chosen = [(a.name, r) for a in agencies for r in a.reports[:1] if r.get("year") == year]
    chosen.sort(key=lambda e: (key(headline(e[1])), e[0]))
    return chosen[:top]


def _markdown_pages(content: Path) -> list[dict[str, Any]]:
    pages = []
    folder = content / "pages"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        converter = markdown.Markdown(extensions=["meta", "tables", "toc"])
        html = converter.convert(path.read_text(encoding="utf-8"))
        meta = getattr(converter, "Meta", {})
        title = meta.get("title", [path.stem])[0]
        pages.append({"name": path.stem, "title": title, "html": html, "order": int(meta.get("order", ["50"])[0])})
    return sorted(pages, key=lambda p: (p["order"], p["name"]))


class SiteBuilder:
    """One build: holds the settings, the URL builder and the template environment."""

    def __init__(self, options: BuildOptions, config: SiteConfig):
        self.options = options
        self.config = config
        self.assets = collect_assets(options.assets)
        self.urls = Urls(config.base_url, {a.name: a.hashed for a in self.assets})
        self.pages = _markdown_pages(options.content)
        self.env = make_environment(options.templates, {
            "urls": self.urls, "config": self.config, "nav_pages": self.pages, "quality_label": QUALITY_LABEL,
            "severity_label": SEVERITY_LABEL,
        })
        self.sitemap: list[str] = []

    def render(self, writer: SiteWriter, url: str, template: str, *, in_sitemap: bool = True, **context: Any) -> None:
        html = self.env.get_template(template).render(page_url=url, **context)
        writer.write(self.urls.output_path(url), html)
        if in_sitemap:
            self.sitemap.append(url)

    def write_site(self, writer: SiteWriter, corpus: Corpus) -> list[Agency]:
        options, urls, config = self.options, self.urls, self.config
        agencies = build_agencies(corpus.reports, load_agencies(options.content))
        for asset in self.assets:
            writer.copy(f"assets/{asset.hashed}", asset.source)

        rows = _index_rows(agencies, urls)
        years = sorted({r["year"] for r in rows if r["year"] is not None}, reverse=True)
        latest_year = years[0] if years else None
        totals = [totals_for_year(agencies, year) for year in years]
        top = config.chart_top
        index_charts = [
            charts.volumes_chart(_latest_entries(agencies, latest_year, top, lambda h: -(h.items or 0))),
            charts.article20_chart(_latest_entries(agencies, latest_year, top, lambda h: -(h.items or 0))),
            charts.outcome_shares_chart(_latest_entries(agencies, latest_year, top,
                                                        lambda h: -(h.processed or 0))),
        ]
        pages_count = max(1, -(-len(rows) // config.page_size))
        self.render(writer, urls.index(), "index.html", totals=totals, latest_year=latest_year,
                    charts=index_charts, figures=figures_of(index_charts), rows=rows[: config.page_size],
                    page=1, pages=pages_count,
                    years=years, problems=corpus.problems, report_count=len(rows))
        for page in range(1, pages_count + 1):
            start = (page - 1) * config.page_size
            self.render(writer, urls.agencies(page), "agencies.html", rows=rows[start:start + config.page_size],
                        page=page, pages=pages_count, report_count=len(rows))
        writer.write(urls.output_path(urls.index_data()),
                     json.dumps({"fields": INDEX_FIELDS, "rows": [[r[f] for f in INDEX_FIELDS] for r in rows]},
                                ensure_ascii=False, separators=(",", ":")))

        for done, agency in enumerate(agencies, start=1):
            self.render(writer, urls.agency(agency.slug), "agency.html", **agency_context(agency, urls))
            for report, report_id in zip(agency.reports, agency.ids, strict=True):
                for fmt, (_, renderer) in ONE_REPORT_RENDERERS.items():
                    writer.write(urls.output_path(urls.report_data(agency.slug, report_id, fmt)), renderer(report))
                source = options.content / report["source"]["file"].split("/", 1)[-1]
                if source.is_file():
                    writer.copy(urls.output_path(urls.source_file(report["source"]["file"].split("/", 1)[-1])),
                                source)
            if options.progress and done % 500 == 0:
                options.progress(f"已生成 {done}/{len(agencies)} 个机关页面")

        all_reports = [r for a in agencies for r in a.reports]
        downloads = []
        for fmt, (description, renderer) in ALL_REPORT_RENDERERS.items():
            data = renderer(all_reports)
            writer.write(urls.output_path(urls.all_data(fmt)), data)
            downloads.append({"url": urls.all_data(fmt), "description": description, "size": len(data)})
        self.render(writer, urls.downloads(), "downloads.html", downloads=downloads, meta_columns=META_COLUMNS,
                    cell_columns=CELL_COLUMNS)
        for page in self.pages:
            self.render(writer, urls.page(page["name"]), "page.html", page=page, codes=CODES)
        with_errors = [(a, r, rid) for a in agencies for r, rid in zip(a.reports, a.ids, strict=True)
                       if headline(r).quality == "error"]
        self.render(writer, urls.problems(), "problems.html", problems=corpus.problems, with_errors=with_errors)
        self.render(writer, urls.page("404").rstrip("/") + ".html", "404.html", in_sitemap=False)
        writer.write("sitemap.xml", self.env.get_template("sitemap.xml").render(
            urls=[config.absolute(u) for u in self.sitemap]))
        writer.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.absolute(urls.sitemap())}\n")
        writer.write(".nojekyll", "")
        return agencies


def build_site(options: BuildOptions) -> BuildResult:
    """Parse every report and write the site; the previous site stays whole on failure."""
    started = time.perf_counter()
    config = load_config(options.content, base_url=options.base_url, build_date=options.build_date)
    timings: dict[str, float] = {}
    corpus = load_corpus(options.content)
    timings["parse"] = time.perf_counter() - started
    builder = SiteBuilder(options, config)
    writer = SiteWriter(options.out)
    try:
        agencies = builder.write_site(writer, corpus)
        timings["render"] = time.perf_counter() - started - timings["parse"]
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    errors = sum(headline(r).quality == "error" for r in corpus.reports)
    return BuildResult(out=options.out, reports=len(corpus.reports), agencies=len(agencies),
                       problems=[p.describe() for p in corpus.problems], errors=errors,
                       pages=len(builder.sitemap), seconds=time.perf_counter() - started, timings=timings)


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
