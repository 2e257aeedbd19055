"""Helpers to inspect a built site: its links, assets and pages, as a browser would follow them."""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import orjson


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        for attribute in ("href", "src"):
            if attribute in values and tag != "meta":
                self.links.append((tag, attribute, values[attribute]))
        if tag == "script" and "src" in values:
            self.scripts.append(values["src"])
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse_page(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def page_text(path: Path) -> str:
    return "".join(parse_page(path).text)


def file_for(site: Path, base: str, url: str) -> Path | None:
    """The file a root-relative URL under ``base`` serves, or None if it is outside the site."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base):
        return None
    relative = path[len(base):]
    target = site / relative
    return target / "index.html" if relative == "" or relative.endswith("/") else target


def broken_links(site: Path, base: str) -> list[str]:
    """Every internal link, asset and fragment in every page that does not resolve."""
    problems: list[str] = []
    ids_cache: dict[Path, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        collected = parse_page(page)
        ids_cache[page] = collected.ids
        for tag, attribute, url in collected.links:
            parts = urlsplit(url)
            if parts.scheme in {"http", "https", "mailto"} or url.startswith("//"):
                continue
            if url.startswith("#"):
                if url[1:] and url[1:] not in collected.ids:
                    problems.append(f"{page}: <{tag} {attribute}={url}> no such id")
                continue
            relative_page = page.relative_to(site).as_posix()
            page_url = base + (relative_page[: -len("index.html")] if relative_page.endswith("index.html")
                               else relative_page)
            absolute = urljoin(page_url, url)  # as a browser resolves it
            target = file_for(site, base, absolute)
            if target is None:
                problems.append(f"{page}: <{tag} {attribute}={url}> outside the base path {base}")
            elif not target.is_file():
                problems.append(f"{page}: <{tag} {attribute}={url}> → missing {target}")
            elif parts.fragment and target.suffix == ".html":
                ids = ids_cache.get(target) or parse_page(target).ids
                ids_cache[target] = ids
                if parts.fragment not in ids:
                    problems.append(f"{page}: <{tag} {attribute}={url}> no id {parts.fragment}")
    return problems


class _Tables(HTMLParser):
    """Every table of a page as sections of rows of (rowspan, colspan) cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[list[tuple[int, int]]]]] = []  # table → sections → rows → cells
        self._open: list[list[list[list[tuple[int, int]]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._open.append([[]])
            self.tables.append(self._open[-1])
        elif not self._open:
            return
        elif tag in {"thead", "tbody", "tfoot"}:
            if self._open[-1][-1]:
                self._open[-1].append([])
        elif tag == "tr":
            self._open[-1][-1].append([])
        elif tag in {"td", "th"}:
            self._open[-1][-1][-1].append((int(values.get("rowspan") or 1), int(values.get("colspan") or 1)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self._open.pop()
        elif tag in {"thead", "tbody", "tfoot"} and self._open and self._open[-1][-1]:
            self._open[-1].append([])


def table_grids(path: Path) -> list[list[set[int]]]:
    """Each table's rows as the sets of grid columns they cover, spans expanded as a browser
    lays them out (a cell takes the first free column; a rowspan stops at its section's end).
    A column covered twice in a row is recorded as -1."""
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    grids = []
    for sections in parser.tables:
        rows_out: list[set[int]] = []
        for section in sections:
            taken: dict[tuple[int, int], bool] = {}
            for r, cells in enumerate(section):
                column = 0
                for rowspan, colspan in cells:
                    while taken.get((r, column)):
                        column += 1
                    for dr in range(rowspan):
                        for dc in range(colspan):
                            if taken.get((r + dr, column + dc)):
                                taken[(r + dr, -1)] = True
                            taken[(r + dr, column + dc)] = True
                    column += colspan
            for r in range(len(section)):
                rows_out.append({c for (row, c) in taken if row == r})
        grids.append(rows_out)
    return grids


def published_reports(site: Path) -> list[dict[str, Any]]:
    """Every report as the downloads publish it: the JSON of each year's zip file."""
    reports: list[dict[str, Any]] = []
    for path in sorted((site / "data").glob("reports-*.json.zip")):
        with zipfile.ZipFile(path) as archive:
            reports += orjson.loads(archive.read(path.name.removesuffix(".zip")))
    return reports
