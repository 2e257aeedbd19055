"""The pinyin of bodies' names through the helper process a first build starts (``site.pinyin``):
the same syllables as pypinyin loaded here, whether the name was sent ahead or not, and
pypinyin here when the helper is gone."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from giro_site.site import model, pinyin
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.config import load_agencies
from giro_site.site.model import likely_names, syllables
from tests.conftest import ROOT

# Names whose characters read differently by the words around them: only the whole name tells.
POLYPHONES = ["重庆市", "重要", "长沙市", "市长", "中国银行", "行政审批局", "朝阳区", "朝代", "大理州", "乐山市"]


@pytest.fixture
def helper() -> Iterator[None]:
    pinyin.start_helper()
    assert pinyin.helping()
    try:
        yield
    finally:
        pinyin.stop_helper()


@pytest.mark.usefixtures("helper")
def test_names_sent_ahead_read_as_pypinyin_reads_them() -> None:
    pinyin.prefetch([*POLYPHONES, None, "", "no Chinese"])
    assert [pinyin.convert(name) for name in POLYPHONES] == [lazy_pinyin(name) for name in POLYPHONES]


@pytest.mark.usefixtures("helper")
def test_a_name_not_sent_ahead_is_asked_alone() -> None:
    pinyin.prefetch(["北京市"])
    assert pinyin.convert("重庆市") == ["chong", "qing", "shi"]
    assert pinyin.convert("北京市") == ["bei", "jing", "shi"]
    assert pinyin.helping()


@pytest.mark.usefixtures("helper")
def test_any_han_text_reads_the_same_through_the_helper() -> None:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12),
                    min_size=1, max_size=8))
    def check(names: list[str]) -> None:
        pinyin.prefetch(names[1:])  # the first asked alone
        assert [pinyin.convert(name) for name in names] == [lazy_pinyin(name) for name in names]
        assert pinyin.helping()

    check()


def test_a_helper_that_died_is_given_up_for_pypinyin_here() -> None:
    pinyin.start_helper()
    assert pinyin._helper is not None
    os.kill(pinyin._helper.pid, 9)
    pinyin.prefetch(["重庆市"])  # (written into a pipe nobody reads: given up)
    assert pinyin.convert("重庆市") == ["chong", "qing", "shi"]
    assert not pinyin.helping()


def test_a_helper_that_says_nothing_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinyin, "_PATIENCE", 0.2)
    monkeypatch.setattr(pinyin, "_serve", lambda read, write, parent: (os.read(read, 1 << 20), time.sleep(30))[0])
    pinyin.start_helper()
    assert pinyin.convert("长沙市") == ["chang", "sha", "shi"] == lazy_pinyin("长沙市")
    assert not pinyin.helping()


def test_the_helper_waits_for_its_first_batch_as_long_as_the_build_lives(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build parses for minutes before it asks; only the build's wait for an answer is bounded."""
    monkeypatch.setattr(pinyin, "_PATIENCE", 0.1)
    pinyin.start_helper()
    try:
        time.sleep(1.5)
        pinyin.prefetch(["重庆市"])
        assert pinyin.convert("重庆市") == ["chong", "qing", "shi"]
        assert pinyin.helping()
    finally:
        pinyin.stop_helper()


def test_stopping_the_helper_reaps_it() -> None:
    pinyin.start_helper()
    assert pinyin._helper is not None
    pid = pinyin._helper.pid
    pinyin.stop_helper()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)
    pinyin.stop_helper()  # (twice: nothing more)
    pinyin.prefetch(["重庆市"])  # without a helper: nothing sent, nothing kept
    assert pinyin.convert("重庆市") == ["chong", "qing", "shi"]


def test_only_a_build_without_earlier_pinyin_wants_the_helper(tmp_path: Path) -> None:
    assert pinyin.wanted(tmp_path, fresh=False)
    (tmp_path / "pinyin.json").write_text("{}", encoding="utf-8")
    assert not pinyin.wanted(tmp_path, fresh=False)
    assert pinyin.wanted(tmp_path, fresh=True)


def test_the_names_sent_ahead_are_those_the_model_asks_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped reports: every text the model converts is among ``likely_names`` (a miss
    only costs a question of its own, but most should be sent ahead)."""
    from giro_site.site.build.store import ReportStore

    store = ReportStore(tmp_path / "cache", ROOT / "content")
    store.refresh()
    asked: list[str] = []
    syllables.cache_clear()
    monkeypatch.setattr(model, "convert", lambda hanzi: asked.append(hanzi) or pinyin.convert(hanzi))
    try:
        build_site(BuildOptions(content=ROOT / "content", out=tmp_path / "site", build_date="2026-01-01"))
    finally:
        syllables.cache_clear()
    directory = load_agencies(ROOT / "content")
    sent = {pinyin.han_characters(name) for name in likely_names((s for _, s in store.reports()), directory)}
    assert asked and set(asked) <= sent


def test_cli_does_not_import_the_build_before_it_can_start_the_helper() -> None:
    """The helper's head start is this process's imports: the command line must not import
    the parser, the site or pypinyin itself."""
    code = ("import sys, giro_site.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pypinyin', 'jinja2', 'markdown') or m in ('giro_site.site.build.builder', 'giro_site.corpus', "
            "'giro_site.report', 'giro_site.readers')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_first_build_with_the_helper_makes_the_site_a_build_without_makes(tmp_path: Path) -> None:
    build_site(BuildOptions(content=ROOT / "content", out=tmp_path / "here", build_date="2026-01-01"))
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(ROOT / "content"),
                             "--out", str(tmp_path / "helped"), "--build-date", "2026-01-01", "--quiet"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    here, helped = tmp_path / "here", tmp_path / "helped"
    files = sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(helped)) for p in helped.rglob("*") if p.is_file())
    pages = [name for name in files if name.endswith(".html") or name.endswith(".json")]
    assert any(name.startswith("agency/") for name in pages)
    _, mismatch, errors = filecmp.cmpfiles(here, helped, pages, shallow=False)
    assert mismatch == [] and errors == []
