"""Every URL and output path of the site, built in one place so a base path (a GitHub
project page at ``/giro/``) never breaks a link.

Pages are folders with an ``index.html`` (``/agency/gaolingzhen-1a2b3c/``); ``path()``
gives the file to write for a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_PASSIVE_SUFFIXES = (".txt", ".text", ".docx")  # served as files to read or save, never run


@dataclass
class Urls:
    base: str = "/"
    assets: dict[str, str] = field(default_factory=dict)  # logical name → hashed file name

    def _url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    # --- pages ------------------------------------------------------------------
    def index(self) -> str:
        return self._url("")

    def agencies(self, page: int = 1) -> str:
        return self._url("agencies/" if page == 1 else f"agencies/{page}/")

    def agency(self, slug: str, report_id: str | None = None) -> str:
        """The agency's address (it leads to its latest report), or the page of one report.

        Report pages are files (``2021.html``), not folders: a folder per report costs a
        build of ten thousand reports a second and a half in mkdir alone."""
        return self._url(f"agency/{slug}/" if report_id is None else f"agency/{slug}/{report_id}.html")

    def page(self, name: str) -> str:
        return self._url(f"{name}/")

    def problems(self) -> str:
        return self._url("problems/")

    def downloads(self) -> str:
        return self._url("downloads/")

    # --- data ---------------------------------------------------------------------
    def agency_data(self, slug: str) -> str:
        """One JSON file with all of an agency's reports as published (the contract's objects,
        cross-year findings included), newest year first: the data behind its pages."""
        return self._url(f"agency/{slug}/reports.json")

    def year_data(self, year: str, fmt: str) -> str:
        """The downloads of one year's reports (``year`` is "2020", or "unknown")."""
        return self._url(f"data/reports-{year}.{fmt}")

    def dictionary_data(self) -> str:
        return self._url("data/dictionary.csv")

    def datasette_metadata(self) -> str:
        return self._url("data/metadata.json")

    def dictionary(self) -> str:
        """The data dictionary as a page."""
        return self._url("dictionary/")

    def index_data(self) -> str:
        return self._url("data/index.json")

    def source_file(self, relative: str) -> str:
        """The original report file, copied into the site under its content path.

        A web page from elsewhere must never run on this site's origin (its scripts would
        be ours), so anything but plain text and Word files is served as ``….txt``."""
        if not relative.lower().endswith(_PASSIVE_SUFFIXES):
            relative += ".txt"
        return self._url(f"source/{relative}")

    # --- assets ---------------------------------------------------------------------
    def asset(self, name: str) -> str:
        return self._url(f"assets/{self.assets.get(name, name)}")

    def sitemap(self) -> str:
        return self._url("sitemap.xml")

    def output_path(self, url: str) -> str:
        """The file under the output folder that serves ``url``."""
        path = url.split("#", 1)[0]
        path = path[len(self.base):] if path.startswith(self.base) else path.lstrip("/")
        return path + "index.html" if path == "" or path.endswith("/") else path
