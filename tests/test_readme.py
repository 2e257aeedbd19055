"""The documentation says what users script against: it must say what the code does."""

from __future__ import annotations

import re

from giro_site.findings import CODES
from tests.conftest import ROOT


def _documented_codes() -> list[tuple[str, str, str]]:
    section = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \| (\w+) \| ([^|]+?) \|", section, flags=re.M)
    return [(code, severity, name.strip()) for code, severity, name in rows]


def test_documented_finding_codes_table_is_findings_codes() -> None:
    documented = _documented_codes()
    assert len(documented) >= 20  # the table was found and read
    assert documented == [(c.code, c.severity, c.title) for c in CODES]
