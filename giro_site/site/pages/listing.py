"""The index of bodies: one row per body with its years, for the server-rendered table (its
latest report) and for ``data/index.json``, which index.js searches, filters and sorts.

index.json is kept small (the budget is 300 KB gzipped at 10,000 reports): figures as
arrays, quality and level as numbers, region names once in a table keyed by code, and page
addresses rebuilt in the browser from a template.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, overload

import orjson

from giro_site.forms.spec import APPLICATION_ROWS, FORMS, PROACTIVE_COLUMNS, PROACTIVE_ROWS, REVIEW_GROUPS
from giro_site.regions import LEVELS
from giro_site.site.model import OUTCOME_GROUPS, Agency
from giro_site.site.pages.charts import FONT, OUTCOME_LABELS, PALETTE, REVIEW_LABELS
from giro_site.site.pages.regions import Region
from giro_site.site.tables import APPLICATION_GROUP_LABELS
from giro_site.site.urls import Urls

QUALITIES = ("ok", "warning", "error")
# ``approx``: 1 where the report gives its number of items only approximately (shown 约), else 0.
REPORT_FIELDS = ("id", "year", "items", "applications", "share", "cases", "quality", "approx")
AGENCY_FIELDS = ("slug", "name", "region", "code", "level", "py", "initials", "reports")


def index_rows(agencies: list[Agency], urls: Urls) -> list[dict[str, Any]]:
    """One row per body: its latest report's figures and links to each of its years."""
    rows = []
    for agency in agencies:
        info, report_id = agency.reports[0], agency.ids[0]
        head = info.head
        rows.append({
            "url": urls.agency(agency.slug, report_id), "name": agency.display_name, "region": agency.region or "",
            "level": agency.level or "", "year": info.year, "items": head.items,
            "items_approximate": head.items_approximate, "applications": head.applications,
            "share": head.granted_share, "cases": head.cases, "quality": head.quality,
            "years": [(str(r.year) if r.year is not None else f"{r.stated_year}（有误）" if r.stated_year else "？",
                       urls.agency(agency.slug, rid))
                      for r, rid in zip(agency.reports, agency.ids, strict=True)],
        })
    return rows


class IndexRows(Sequence[dict[str, Any]]):
    """The rows of ``index_rows``, one per body, in the bodies' order. A row restored from the
    saved model stays the JSON it was saved as until a page shows it: a rebuild shows the one
    listing page a changed body is on, and compares the other pages by that JSON
    (``raw``), which is what ``orjson.dumps`` gives for the row."""

    def __init__(self, rows: Iterable[dict[str, Any]] = ()):
        self._rows: list[dict[str, Any] | None] = list(rows)
        self._raw: list[str | None] = [None] * len(self._rows)

    @classmethod
    def from_raw(cls, raw: Iterable[str]) -> IndexRows:
        """The rows of their JSON (``raw``), each read when asked for."""
        made = cls()
        made._raw = list(raw)
        made._rows = [None] * len(made._raw)
        return made

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self._rows)))]
        return self._row(index)

    def __setitem__(self, index: int, row: dict[str, Any]) -> None:
        self._rows[index], self._raw[index] = row, None

    def _row(self, index: int) -> dict[str, Any]:
        row = self._rows[index]
        if row is None:
            row = orjson.loads(self._raw[index])  # type: ignore[arg-type]
            row["years"] = [tuple(pair) for pair in row["years"]]  # as ``index_rows`` makes them
            self._rows[index] = row
        return row

    def raw(self, index: int) -> str:
        """The row as JSON (what the saved model holds of it)."""
        raw = self._raw[index]
        if raw is None:
            raw = self._raw[index] = orjson.dumps(self._rows[index]).decode("utf-8")
        return raw

    def page_key(self, start: int, stop: int, pages: int) -> bytes:
        """``orjson.dumps([rows[start:stop], pages, len(rows)])`` without reading the rows."""
        joined = ",".join(self.raw(i) for i in range(start, min(stop, len(self._rows))))
        return f"[[{joined}],{pages},{len(self._rows)}]".encode()


def index_piece(agency: Agency, regions: dict[str, Region]) -> bytes:
    """One body's row of data/index.json: kept between builds, so a rebuild makes only the
    rows of the bodies that changed."""
    reports = [[rid, info.year, info.head.items, info.head.applications, info.head.granted_share,
                info.head.cases, QUALITIES.index(info.head.quality), int(info.head.items_approximate)]
               for info, rid in zip(agency.reports, agency.ids, strict=True)]
    code = agency.division.get("code")
    place = regions.get(code) if code else None
    return orjson.dumps([agency.slug, agency.display_name, agency.region or "",
                         place.place.short_code if place else "",
                         LEVELS.index(agency.level) if agency.level in LEVELS else -1,
                         agency.pinyin, agency.initials, reports])


def index_data(pieces: list[bytes], regions: dict[str, Region], urls: Urls) -> bytes:
    """data/index.json: every body with every report's headline figures (``pieces``: each
    body's row, ``index_piece``), the same bytes as the whole made in one call."""
    table = {r.place.short_code: [r.place.name, r.place.parent.short_code if r.place.parent else "", r.place.kind]
             for r in sorted(regions.values(), key=lambda r: r.place.code)}
    frame = orjson.dumps({
        "agency_url": urls.agency("{slug}", "{id}"), "compare_url": urls.compare(), "levels": LEVELS,
        "qualities": QUALITIES, "regions": table, "fields": AGENCY_FIELDS, "report_fields": REPORT_FIELDS,
        "rows": [],
    })
    assert frame.endswith(b"[]}")
    return b"".join((frame[:-2], b",".join(pieces), b"]}"))


def compare_labels() -> dict[str, Any]:
    """The form's row and column names for the comparison page, which lays out the reports
    (from each agency's data file) side by side in the browser."""
    columns = {form: {c.key: c.label for c in cols} for form, cols in PROACTIVE_COLUMNS.items()}
    proactive: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    for form in FORMS:
        for spec, keys in PROACTIVE_ROWS[form]:
            for key in keys:
                if (spec.key, key) not in seen:
                    seen.add((spec.key, key))
                    proactive.append([spec.key, key, f"{spec.label} · {columns[form][key]}"])
    return {
        "proactive": proactive,
        "applications": application_rows(),
        "review": [[group, REVIEW_LABELS[group]] for group in REVIEW_GROUPS],
        "review_outcomes": [[key, label] for key, label in OUTCOME_LABELS] + [["total", "总计"]],
        "outcomes": [[key, label, list(rows)] for key, label, rows in OUTCOME_GROUPS],
        "palette": list(PALETTE), "font": FONT,
    }


def application_rows() -> list[dict[str, Any]]:
    """Table 三's rows for the comparison page, in the form's order with its group headings:
    三、本年度办理结果 over the outcomes, （三）不予公开 over 1.属于国家秘密 and the rest of its
    group. ``level`` is the depth under the headings; a heading has no ``key`` unless it is a
    row of the form as well (（六）其他处理 on the 2019 form, which has a figure)."""
    groups = dict(APPLICATION_GROUP_LABELS)
    rows: list[dict[str, Any]] = []
    heading = None
    for spec in APPLICATION_ROWS:
        if spec.key == "granted":
            rows.append({"key": None, "label": "三、本年度办理结果", "level": 0, "heading": True})
        group = next((g for g in groups if spec.key.startswith(g + "_")), None)
        if spec.key in groups:  # a row that heads its group
            heading = spec.key
            rows.append({"key": spec.key, "label": spec.label, "level": 1, "heading": True})
            continue
        if group is not None and group != heading:
            heading = group
            rows.append({"key": None, "label": groups[group], "level": 1, "heading": True})
        inside = spec.key not in {"new_received", "carried_over", "carried_forward"}
        rows.append({"key": spec.key, "label": spec.label, "level": (2 if group else 1) if inside else 0,
                     "heading": False})
    return rows
