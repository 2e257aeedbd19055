"""The content scan run in a child process gives what the scan in this process gives."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giro_site import corpus
from giro_site.corpus import Problem
from giro_site.site.build import prescan
from giro_site.site.build.prescan import ScanAhead, scan_here


def _plain(scanned: prescan.Scanned) -> tuple[list, list, dict]:
    found, skipped, sidecars = scanned
    return list(found), skipped, dict(sidecars)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    reports = tmp_path / "content" / "reports"
    (reports / "2020" / "深处").mkdir(parents=True)
    (reports / "2020" / "a.txt").write_text("一", "utf-8")
    (reports / "2020" / "深处" / "b.docx").write_bytes(b"PK")
    (reports / "2020" / "深处" / "b.docx.source.json").write_text("{}", "utf-8")  # fetch's sidecar
    (reports / "2020" / "很长的名字 带空格.txt").write_text("二", "utf-8")
    (reports / ".hidden.txt").write_text("x", "utf-8")
    os.symlink("/etc", reports / "outside")  # skipped, with a reason
    with suppress(OSError, UnicodeEncodeError):
        (reports / os.fsdecode(b"bad-\xff.txt")).write_text("x", "utf-8")  # a name not valid UTF-8
    return tmp_path / "content"


def test_the_scan_in_a_child_gives_the_scan_here(content: Path) -> None:
    here = _plain(scan_here(content))
    assert here[0] and here[1] and here[2]  # files, a skipped entry and a sidecar, all carried over
    assert _plain(ScanAhead(content).result()) == here


def test_a_failed_child_falls_back_to_the_scan_here(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = corpus.scan_reports
    calls: list[int] = []

    def fails_in_the_child(folder: Path, sidecars: dict) -> tuple[list, list]:
        if not calls:
            raise RuntimeError("the child's scan fails")
        return real(folder, sidecars)

    monkeypatch.setattr(corpus, "scan_reports", fails_in_the_child)
    ahead = ScanAhead(content)  # forks: the child's scan raises, it exits non-zero
    calls.append(1)  # the parent's own scan works
    assert _plain(ahead.result()) == _plain(scan_here(content))


def test_a_child_never_read_is_reaped(content: Path) -> None:
    ahead = ScanAhead(content)
    child = ahead._child
    ahead.close()
    assert ahead._child is None
    if child is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(child[0], 0)


names = st.text(st.characters(blacklist_characters="\0/", blacklist_categories=("Cs",)), min_size=1, max_size=30)


@given(st.lists(st.tuples(names, st.integers(0, 2**40), st.integers(0, 2**63)), max_size=20),
       st.dictionaries(names, st.tuples(st.integers(0, 2**40), st.integers(0, 2**63)), max_size=5),
       st.lists(st.tuples(names, names, st.none() | st.integers(1, 10**6)), max_size=5))
def test_what_the_child_sends_is_read_back_whole(found: list, sidecars: dict, skipped: list) -> None:
    scanned: prescan.Scanned = ([("/c/" + n, s, t) for n, s, t in found], [Problem(*p) for p in skipped],
                                {"/c/" + n: stamp for n, stamp in sidecars.items()})
    assert prescan._decoded(prescan._encoded(scanned)) == scanned
    with pytest.raises(ValueError):
        prescan._decoded(prescan._encoded(scanned)[:-1] + b"\0")  # cut short or padded: refused, not misread
