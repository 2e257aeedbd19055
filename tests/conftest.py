"""Shared test helpers: the seed reports and parsing of edited copies of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from giro_site.readers.text import parse_text
from giro_site.report import normalise

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "content" / "reports" / "2020"
SEEDS = sorted(SEED_DIR.glob("*.txt"))
SEED_IDS = [p.name[:3] for p in SEEDS]


def seed_path(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def parse_string(text: str, name: str = "test.txt") -> dict[str, Any]:
    """Parse report text as the text reader would read it from a file."""
    return normalise(parse_text(text), {"file": name, "format": "txt", "sha256": ""})


def codes(report: dict[str, Any], severity: str | None = None) -> list[tuple[str, str]]:
    return [(f["code"], f["where"]) for f in report["findings"] if severity is None or f["severity"] == severity]


@pytest.fixture(params=SEEDS, ids=SEED_IDS)
def seed(request: pytest.FixtureRequest) -> Path:
    return request.param


def _prints(item: pytest.Item) -> bool:
    """Whether a test needs PDFs printed: it, or a fixture it uses, takes or gives a ``Printer``
    (``tests/pdfs.py``: LibreOffice and Chromium)."""
    functions = [getattr(item, "function", None)]
    for definitions in getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).values():
        functions += [getattr(definition, "func", None) for definition in definitions]
    return any("Printer" in str(annotation) for function in functions if function is not None
               for annotation in getattr(function, "__annotations__", {}).values())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that prints PDFs is marked ``print``, so the everyday run can leave it out:
    ``-m "not browser and not print"``."""
    for item in items:
        if _prints(item):
            item.add_marker(pytest.mark.print)
