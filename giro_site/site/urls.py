"""Every URL and output path of the site, built in one place so a base path (a GitHub
project page at ``/giro/``) never breaks a link.

Pages are folders with an ``index.html`` (``/agency/gaolingzhen-1a2b3c/``); ``path()``
gives the file to write for a URL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

# Originals keep these extensions: served as files to read or save, never run. Any other
# (a web page, a server-side include) is served as ``.txt``.
_PASSIVE_SUFFIXES = {".txt": ".txt", ".text": ".txt", ".docx": ".docx"}
# Anything but letters, digits (any script), ``_`` and ``-`` becomes ``_`` in an output
# name: no ``#``, ``?``, ``%``, dots or slashes, so a name is one path segment with one
# extension, and no server can take an inner ``.html`` or ``.shtml`` for the type.
_UNSAFE = re.compile(r"[^\w-]+")
# The readable part of an original's output name, in UTF-8 bytes: with the hash, the
# extension and a writer's temporary prefix and suffix it stays far under 255 bytes.
_NAME_BYTES = 120


@lru_cache(maxsize=1 << 14)
def source_name(relative: str) -> str:
    """The output file name of an original (``reports/2020/高岭镇.html`` →
    ``2020_高岭镇_html-3f9a0c1b2d.txt``): one safe segment, unique by a hash of the whole
    path (two names that read alike never share a file), a non-executable extension."""
    path = relative.removeprefix("reports/")
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot > path.rfind("/") else ""
    extension = _PASSIVE_SUFFIXES.get(suffix, ".txt")
    if suffix in _PASSIVE_SUFFIXES:
        path = path[:dot]
    readable = _UNSAFE.sub("_", path).strip("_").encode("utf-8")[:_NAME_BYTES].decode("utf-8", "ignore") or "report"
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{readable}-{digest}{extension}"


class _Assets(dict[str, str]):
    """Assets' URLs by logical name, each made on its first look-up."""

    def __init__(self, urls: Urls) -> None:
        super().__init__()
        self._urls = urls

    def __missing__(self, name: str) -> str:
        url = self[name] = self._urls.asset(name)
        return url


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

    def agency(self, slug: str, report_id: str) -> str:
        """The page of one of an agency's reports. An agency has no page of its own: each
        report's page links to the others.

        Report pages are files (``2021.html``), not folders: a folder per report costs a
        build of ten thousand reports a second and a half in mkdir alone."""
        return self._url(f"agency/{slug}/{report_id}.html")

    def regions(self) -> str:
        return self._url("regions/")

    def region(self, code: str) -> str:
        """A region's page, by its code without trailing zeros: ``regions/110118/``."""
        return self._url(f"regions/{code}/")

    def compare(self) -> str:
        """The comparison page; the bodies compared are in its query string (no server)."""
        return self._url("compare/")

    def page(self, name: str) -> str:
        return self._url(f"{quote(name)}/")

    def problems(self) -> str:
        return self._url("problems/")

    def downloads(self) -> str:
        return self._url("downloads/")

    # --- data ---------------------------------------------------------------------
    def agency_data(self, slug: str) -> str:
        """One JSON file with all of an agency's reports as published (the contract's objects,
        cross-year findings included), newest year first: the data behind its pages. Stored
        gzip-compressed (a seventh of the bytes; the compare page inflates it), since at fifty
        thousand reports these files alone would take a third of a host's gigabyte."""
        return self._url(f"agency/{slug}/reports.json.gz")

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
        """The original report file (``relative`` to the content folder), percent-encoded.

        A web page from elsewhere must never run on this site's origin (its scripts would
        be ours), so anything but plain text and Word files is served as text; the page's
        link offers the original name to save it under."""
        return self._url(quote(f"source/{source_name(relative)}"))

    # --- assets ---------------------------------------------------------------------
    def asset(self, name: str) -> str:
        return self._url(f"assets/{self.assets.get(name, name)}")

    def fixed(self, pages: list[str]) -> dict[str, Any]:
        """The URLs every page links to, made once a build for the templates to read
        (``site_links.index``, ``site_links.asset["css/site.css"]``, ``site_links.page["关于"]``) without a
        call: a call from a template costs Jinja about 3 µs, and the header alone made 22 a
        page. ``pages``: the names of the pages in the navigation."""
        return {"index": self.index(), "regions": self.regions(), "agencies": self.agencies(),
                "compare": self.compare(), "downloads": self.downloads(), "problems": self.problems(),
                "asset": _Assets(self), "page": {name: self.page(name) for name in pages}}

    def sitemap(self) -> str:
        return self._url("sitemap.xml")

    def output_path(self, url: str) -> str:
        """The file under the output folder that serves ``url`` (percent-decoded)."""
        path = url.split("#", 1)[0]
        path = path[len(self.base):] if path.startswith(self.base) else path.lstrip("/")
        path = unquote(path)
        return path + "index.html" if path == "" or path.endswith("/") else path
