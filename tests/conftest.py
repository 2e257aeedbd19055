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


# Tests left out of the everyday run (``-m "not browser and not print and not slow"``): each took
# more than about 3 s on a busy two-core machine. Whole modules: costs measured at scale, and a
# server started in its own process per test.
SLOW_MODULES = {"test_hostile_inputs.py", "test_serve.py"}
SLOW_TESTS = {
    "test_bench.py": {"test_bench_builds_rebuilds_one_report_and_reports_what_it_measured"},
    "test_budget.py": {"test_each_report_adds_at_most_the_budget_in_bytes_and_files"},
    "test_build_lock.py": {"test_a_killed_rebuilds_temporary_files_are_removed_by_the_next_build",
                           "test_a_second_build_into_the_same_folder_waits_and_says_so",
                           "test_two_builds_started_together_both_finish"},
    "test_fetch.py": {"test_a_page_with_its_tables_and_a_pdf_attachment_keeps_both",
                      "test_fifty_addresses_within_the_politeness_limits"},
    "test_incremental.py": {"test_a_parser_change_reparses_every_report", "test_a_template_change_rebuilds_every_page",
                            "test_rebuilds_in_a_new_process_and_in_serve_give_a_full_builds_bytes"},
    "test_labels.py": {"test_a_perturbed_label_maps_to_its_row_or_to_an_extra_row_never_a_wrong_row"},
    "test_pages_workflow.py": {"test_bad_files_are_summarised_and_the_rest_published"},
    "test_pdf_refusals.py": {"test_files_that_would_cost_minutes_are_refused_before_the_cost"},
    "test_progress.py": {"test_a_log_gets_a_few_plain_lines_and_quiet_gets_none"},
    "test_properties.py": {"test_any_report_like_text_parses_or_is_refused"},
    "test_settings.py": {"test_an_entry_matching_no_report_is_a_warning_in_build_and_check"},
    "test_terminal.py": {"test_build_prints_file_names_escaped", "test_parse_errors_and_json_are_safe_on_a_terminal"},
    "test_text_layouts.py": {"test_check_reports_the_same_figures_in_every_layout"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that prints PDFs is marked ``print``, one of the lists above ``slow``, so the
    everyday run can leave them out."""
    for item in items:
        if _prints(item):
            item.add_marker(pytest.mark.print)
        module = item.path.name
        if module in SLOW_MODULES or getattr(item, "originalname", item.name) in SLOW_TESTS.get(module, ()):
            item.add_marker(pytest.mark.slow)
