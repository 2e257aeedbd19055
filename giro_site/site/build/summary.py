"""A report's summary: what the pages and files about all reports need of it.

Computed once when the report is parsed and cached with it, so that a rebuild after one
change needs the summaries of all reports but the whole of one.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from giro_site.corpus import figures_digest, stated_cells
from giro_site.findings import ERROR, WARNING
from giro_site.site.model import headline
from giro_site.site.pages.charts import ARTICLE20, article20_value

# The parts of a report the cross-year checks compare (checks.check_against_previous).
_LINK_ROWS = ("licensing", "other_services", "penalty", "coercion", "fees")


def findings_digest(findings: list[dict[str, Any]]) -> str:
    return hashlib.sha1(orjson.dumps(findings)).hexdigest()[:16]


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    head = headline(report)
    findings = report["findings"]
    return {
        "agency": report.get("agency"),
        "region": report.get("region"),
        "division": report.get("division"),
        "year": report.get("year"),
        "form": report["form"],
        "file": report["source"]["file"],
        "format": report["source"]["format"],
        "sha256": report["source"]["sha256"],
        "items": head.items,
        "head": {"applications": head.applications, "processed": head.processed, "share": head.granted_share,
                 "reviews": head.reviews, "lawsuits": head.lawsuits, "corrected": head.corrected,
                 "outcomes": head.outcomes, "granted": head.granted, "complete": head.complete,
                 "items_approximate": head.items_approximate},
        "stated": stated_cells(report),
        "figures": figures_digest(report),
        "counts": {ERROR: head.errors, WARNING: head.warnings},
        "error_messages": [f["message"] for f in findings if f["severity"] == ERROR],
        "digest": findings_digest(findings),
        "article20": [article20_value(report, row, columns) for _, (row, columns) in ARTICLE20],
        "extra_rows": len(report["extra_rows"]),
    }


def cross_year_link(report: dict[str, Any]) -> dict[str, Any]:
    """What the cross-year checks compare of a report (``corpus.cross_year_findings``): kept
    beside the report in the store's pack, not in its summary, as only the reports of the
    bodies a build groups again need it (it was a third of every summary)."""
    return {
        "year": report.get("year"), "form": report["form"],
        "applications": {key: report["applications"][key] for key in ("carried_over", "carried_forward")},
        "proactive": {row: report["proactive"][row] for row in _LINK_ROWS if row in report["proactive"]},
    }
