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


README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}


def _blocks(text: str, section: str) -> list[str]:
    """The fenced ```sh commands of a Markdown section (as scripts/fresh-machine-check reads them)."""
    part = ("\n" + text).split(f"\n{section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)\n```$", part, flags=re.M | re.S)


def test_the_readme_is_a_front_door() -> None:
    assert len(README.encode("utf-8")) < 10_000
    for section in ("## Quick start", "## See the result", "## Add a report", "## Name a body",
                    "## Publish on GitHub Pages", "## Where problems show", "## Work on the code",
                    "## Documentation", "## Design notes"):
        assert f"\n{section}\n" in README
    assert "![" in README and (ROOT / "docs" / "agency-page.png").stat().st_size < 200_000


def test_the_quick_start_is_a_venv_and_two_commands_that_scripts_run() -> None:
    venv, build, test = _blocks(README, "## Quick start")  # a fresh machine's two commands, no more
    [fast] = _blocks(README, "## Work on the code")
    assert venv == "python -m venv .venv && . .venv/bin/activate"
    assert build == "python -m pip install -e . && python build.py"
    assert test == "python -m pip install -e '.[test]' && python -m pytest"
    assert _blocks(README, "## See the result") == ["python build.py serve"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"\n{test}\n" in ci  # .ci/run runs the README's test command verbatim
    assert _blocks(DOCS["testing.md"], "# Testing")[:2] == [fast, test]
    assert fast == 'python -m pytest -m "not browser and not print and not slow"'


def test_user_docs_hold_no_issue_numbers_nor_links_out_of_the_repository() -> None:
    for name, text in {"README.md": README, **DOCS}.items():
        assert not re.search(r"\bissues? \d+|#\d{1,3}\b|\.\./shared|/work/|engineer", text, flags=re.I), name
        for target in re.findall(r"\]\(([^)#]+\.(?:md|png))(?:#[^)]*)?\)", text):
            base = ROOT if name == "README.md" else ROOT / "docs"
            assert (base / target).resolve().is_file(), f"{name} links to {target}"
