"""`python build.py serve`: answers on loopback, and an edited report shows without a restart."""

from __future__ import annotations

import re
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
    def __init__(self, root: Path, content: Path, url: str, process: subprocess.Popen[str], log: Path):
        self.root, self.content, self.url, self.process, self.log = root, content, url, process, log

    def agency_url(self, slug_start: str, year: int = 2020) -> str:
        folder = next(p for p in (self.root / "public" / "agency").iterdir() if p.name.startswith(slug_start))
        return f"{self.url}agency/{folder.name}/{year}.html"

    def output(self) -> str:
        """What serve printed so far (stdout and stderr)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_serve(tmp_path: Path, *, before: str = "", port: int | None = None) -> tuple[subprocess.Popen[str], Path]:
    """`python build.py serve` on the shipped content copied to ``tmp_path``; ``before`` is
    Python run in the server's process first (to slow its rebuilds down, say)."""
    content = tmp_path / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
        (content / "site.toml").write_text('base_url = "/published-under/"\n', encoding="utf-8")
    log = tmp_path / "serve.log"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); {before}\n"
            "from giro_site.cli import main; sys.exit(main())")
    args = ["serve", "--port", str(port or free_port()), "--content", str(content), "--out", str(tmp_path / "public")]
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=tmp_path, stdout=output,
                                   stderr=subprocess.STDOUT, text=True)
    return process, log


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    process, log = start_serve(tmp_path, port=port)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: fetch(url) is not None), "serve did not answer"
        yield Served(tmp_path, tmp_path / "content", url, process, log)
    finally:
        stop(process)


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


def test_a_port_in_use_is_named_with_the_fix(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, log = start_serve(tmp_path, port=port)
        try:
            assert process.wait(timeout=60) == 2
        finally:
            stop(process)
    output = log.read_text(encoding="utf-8")
    assert f"端口 {port} 已被占用" in output and f"--port {port + 1}" in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "public").exists()  # said before building anything


# What livereload and tornado print on their own: none of it reaches the maintainer.
_ENGLISH = re.compile(r"Serving on|Start watching|Start detecting|Running task|Browser Connected|Reload \d+ waiters"
                      r"|Ignore:|WARNING|tornado|livereload|GET /|Shutting down")


def test_each_rebuild_names_what_it_could_not_read_in_chinese_only(served: Served) -> None:
    folder = served.content / "reports" / "2020"
    (folder / "\x1b[2J空白.txt").write_bytes(b"")  # an empty file, its name holding a control sequence
    assert wait_for(lambda: served.output().count("空白.txt：文件为空") == 1), served.output()
    assert fetch(served.url + "no-such-page.html") is None  # a 404, which tornado would log
    report = folder / "001_c2f37f7082ff9ace.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    assert wait_for(lambda: served.output().count("空白.txt：文件为空") == 2), served.output()  # named again
    output = served.output()
    assert "\x1b" not in output and "\\x1b[2J空白.txt" in output
    assert not _ENGLISH.search(output), output
    for line in output.splitlines():
        assert re.search(r"[\u4e00-\u9fff]", line), f"a line without Chinese: {line!r}"


def test_the_server_answers_while_a_rebuild_runs(tmp_path: Path) -> None:
    """A rebuild slowed to ten seconds (as a slow file would): pages still come at once."""
    slow = ("import time, giro_site.site.build.serve as s; real = s.build_site; calls = []\n"
            "def slow(*args, **kwargs):\n"
            "    calls.append(1)\n"
            "    if len(calls) > 1:\n"
            "        print('SLOW REBUILD 开始', file=sys.stderr, flush=True); time.sleep(10)\n"
            "    return real(*args, **kwargs)\n"
            "s.build_site = slow")
    port = free_port()
    process, log = start_serve(tmp_path, before=slow, port=port)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: fetch(url) is not None), log.read_text(encoding="utf-8")
        report = tmp_path / "content" / "reports" / "2020" / "001_c2f37f7082ff9ace.txt"
        report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
        assert wait_for(lambda: "SLOW REBUILD" in log.read_text(encoding="utf-8"))
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=3) as response:
            assert "高岭镇" in response.read().decode("utf-8")
        assert time.monotonic() - started < 3
        assert "已重新生成" not in log.read_text(encoding="utf-8")  # the rebuild was still running
    finally:
        stop(process)
