"""Where a report file came from: the small JSON file ``fetch`` writes beside it.

``content/reports/2023/x.pdf`` has ``content/reports/2023/x.pdf.source.json``::

    {"url": "https://www.example.gov.cn/module/download/downfile.jsp?id=9",
     "final_url": "https://www.example.gov.cn/attach/0/abc.pdf",
     "page_url": "https://www.example.gov.cn/art/2024/1/20/art_1_2.html",
     "fetched_at": "2024-03-01T08:00:00Z", "content_type": "application/pdf",
     "sha256": "…", "fetched_by": "giro-site-fetch/0.1.0"}

The build reads it (``origin``) and publishes the official address (原文链接) and the date
it was fetched; it is never a report itself nor an unreadable file. A maintainer may write
one by hand for a file saved from a browser: only ``url`` is needed.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

SUFFIX = ".source.json"
MAX_BYTES = 64 * 1024  # a sidecar is a few hundred bytes; a larger one is not ours
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"`\\]")


def sidecar_path(report: Path) -> Path:
    return report.with_name(report.name + SUFFIX)


def is_sidecar(name: str) -> bool:
    return name.endswith(SUFFIX)


def report_of(sidecar: str) -> str:
    """The report file a sidecar describes (its path without ``.source.json``)."""
    return sidecar[: -len(SUFFIX)]


def safe_url(value: Any) -> str | None:
    """An http(s) address that can go into a page's ``href`` as it is; None for anything else
    (``javascript:``, spaces, quotes, a missing host)."""
    if not isinstance(value, str) or not value or len(value) > 2048 or _UNSAFE.search(value):
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return value


def official_url(record: dict[str, Any]) -> str | None:
    """The address to show as the report's 原文链接: the page that published it when the file
    was an attachment of a page, else the address fetched, or where it redirected on the
    same host (http → https); a hop to another host (a CDN, a login) is not the official one."""
    page = safe_url(record.get("page_url"))
    if page:
        return page
    url = safe_url(record.get("url"))
    final = safe_url(record.get("final_url"))
    if url and final and urllib.parse.urlsplit(final).hostname == urllib.parse.urlsplit(url).hostname:
        return final
    return url


def read_record(path: Path) -> dict[str, Any] | None:
    """The sidecar's fields, or None when it is missing, too large or not a JSON object."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        record = json.loads(data.decode("utf-8-sig")) if len(data) <= MAX_BYTES else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def origin(path: Path, sha256: str | None) -> dict[str, Any] | None:
    """What the site publishes of a sidecar: ``{"url", "fetched_at"}``. ``fetched_at`` is None
    when the file's SHA-256 is not the one fetched (it was changed after): the copy is not
    what the address served on that date. None when the sidecar holds no usable address."""
    record = read_record(path)
    if record is None:
        return None
    url = official_url(record)
    if url is None:
        return None
    fetched = record.get("fetched_at")
    fetched = fetched if isinstance(fetched, str) and _TIME.fullmatch(fetched) else None
    recorded = record.get("sha256")
    if sha256 and isinstance(recorded, str) and recorded.lower() != sha256:
        fetched = None
    return {"url": url, "fetched_at": fetched}


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write a new sidecar; never replaces one (FileExistsError)."""
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
