"""`python build.py serve`: answers on loopback, and an edited report shows without a restart."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


class Served:
    def __init__(self, root: Path, content: Path, url: str, process: subprocess.Popen[str]):
        self.root, self.content, self.url, self.process = root, content, url, process

    def agency_url(self, slug_start: str, year: int = 2020) -> str:
        folder = next(p for p in (self.root / "public" / "agency").iterdir() if p.name.startswith(slug_start))
        return f"{self.url}agency/{folder.name}/{year}.html"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "site.toml").write_text('base_url = "/published-under/"\n', encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--content", str(content),
         "--out", str(tmp_path / "public")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: fetch(url) is not None), "serve did not answer"
        yield Served(tmp_path, content, url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_answers_on_loopback_with_links_at_the_root(served: Served) -> None:
    html = fetch(served.url)
    assert html is not None and "高岭镇人民政府" in html
    assert 'href="/assets/css/site.' in html  # built for "/", not the publishing base_url
    assert fetch(served.agency_url("gaoling")) is not None


def test_serve_picks_up_an_edited_report(served: Served) -> None:
    page = served.agency_url("gaoling")
    assert "共主动公开政府信息309条" in (fetch(page) or "")
    report = served.content / "reports" / "2020" / "001_c2f37f7082ff9ace.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    assert wait_for(lambda: "共主动公开政府信息310条" in (fetch(page) or "")), "the edit never showed"
    assert served.process.poll() is None  # still serving: no restart
