"""Text from outside (file names, a report's title and row labels) never drives the
maintainer's terminal: `check`, `build`, `parse` and `serve` print its control characters
escaped. The sequence is the audit's: set the window title, then clear the screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giro_site.terminal import escape
from tests.conftest import SEEDS, seed_text
from tests.test_cli import run

EVIL = "\x1b]0;…\x07\x1b[2J"
SHOWN = "\\x1b]0;…\\x07\\x1b[2J"


def test_escape_writes_every_control_character_as_an_escape() -> None:
    assert escape(EVIL) == SHOWN
    assert escape("a\rb\bc\nd\te\x7f\x9b\u202e\u2066") == "a\\x0db\\x08c\\x0ad\\x09e\\x7f\\x9b\\u202e\\u2066"
    assert escape("岭子镇人民政府 2020年（一）“规章”") == "岭子镇人民政府 2020年（一）“规章”"  # Chinese as is
    assert escape("bad\udcffname") == "bad\\udcffname"  # a name that is not UTF-8 prints, escaped


@given(st.text())
def test_escaped_text_holds_no_control_character(text: str) -> None:
    shown = escape(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in shown)
    assert shown.encode("utf-8") is not None  # printable on a UTF-8 terminal (no lone surrogate)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """Seeds, plus a report whose title and a row label hold the sequence, and an empty file
    whose name does."""
    content = tmp_path / "content"
    folder = content / "reports" / "2020"
    folder.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    text = seed_text("001").replace("密云区高岭镇人民政府\n", f"密云区高岭镇{EVIL}人民政府\n", 1)
    text = text.replace("\t其他对外管理服务事项\n", "\t其他对外事项\n", 1)  # its sub-rows are then named in findings
    text = text.replace("\t行政检查\n", f"\t行政{EVIL}检查\n", 1)
    (folder / "001_c2f37f7082ff9ace.txt").write_text(text, encoding="utf-8")
    (folder / f"{EVIL}空.txt").write_bytes(b"")
    return content


def _clean(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output, output


def test_check_prints_names_labels_and_file_names_escaped(hostile: Path) -> None:
    result = run("check", "--content", str(hostile))
    _clean(result.stdout + result.stderr)
    assert f"{SHOWN}空.txt：文件为空" in result.stdout
    assert f"行政{SHOWN}检查" in result.stdout  # the row label, in its finding
    # the title's sequence: escaped, or dropped by the parser (a name never holds control characters)
    assert any("高岭镇" in line and "人民政府 · 2020年" in line for line in result.stdout.splitlines())


def test_build_prints_file_names_escaped(hostile: Path, tmp_path: Path) -> None:
    result = run("build", "--content", str(hostile), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    _clean(result.stdout + result.stderr)
    assert f"无法读取 content/reports/2020/{SHOWN}空.txt" in result.stderr


def test_parse_errors_and_json_are_safe_on_a_terminal(hostile: Path) -> None:
    empty = run("parse", str(hostile / "reports" / "2020" / f"{EVIL}空.txt"))
    assert empty.returncode == 2
    _clean(empty.stderr)
    assert f"{SHOWN}空.txt" in empty.stderr
    parsed = run("parse", str(hostile / "reports" / "2020" / "001_c2f37f7082ff9ace.txt"))
    assert parsed.returncode == 0
    _clean(parsed.stdout)
    assert "\\u001b]0;" in parsed.stdout  # JSON's own escape: the same data


def test_fetch_prints_what_sites_named_escaped() -> None:
    """A file name or title a site sent (Content-Disposition, <title>) is outside text too."""
    import io

    from giro_site.fetch.progress import Progress
    from giro_site.progress import Lines

    stream = io.StringIO()
    Progress(2, Lines(stream)).address_done([f"已保存：content/reports/2023/{EVIL}.html（https://a.example/）"])
    _clean(stream.getvalue())
    assert f"[1/2] 已保存：content/reports/2023/{SHOWN}.html" in stream.getvalue()
