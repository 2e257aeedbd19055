"""Two builds into one folder: the second waits for the first, saying so (it used to end in a
JSONDecodeError traceback). A rebuild killed while writing leaves temporary files
(``.index.html.giro-<pid>.tmp``): the next build removes them, so they are never published."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from giro_site.site.build.lock import build_lock
from tests.conftest import ROOT, SEEDS
from tests.test_cli import run


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, content / "reports" / "2020" / seed.name)
    return content


def _build(content: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen[str]:
    with open(log, "w", encoding="utf-8") as output:
        return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                                 "--out", str(out), *extra], stdout=output, stderr=subprocess.STDOUT, text=True)


def _wait_for(predicate, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_second_build_into_the_same_folder_waits_and_says_so(tmp_path: Path) -> None:
    content, out, log = _content(tmp_path), tmp_path / "site", tmp_path / "second.log"
    held, release = threading.Event(), threading.Event()

    def first_build() -> None:  # holds the lock as a running build does
        with build_lock(tmp_path / ".giro-cache" / "site", print):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=first_build)
    holder.start()
    try:
        assert held.wait(10)
        second = _build(content, out, log)
        assert _wait_for(lambda: "正在写入同一个输出文件夹" in log.read_text(encoding="utf-8")), log.read_text()
        time.sleep(1)
        assert second.poll() is None and not out.exists()  # waiting, nothing written
    finally:
        release.set()
        holder.join()
    assert second.wait(120) == 0, log.read_text(encoding="utf-8")
    assert (out / "index.html").is_file()
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_two_builds_started_together_both_finish(tmp_path: Path) -> None:
    content, out = _content(tmp_path), tmp_path / "site"
    builds = [_build(content, out, tmp_path / f"{n}.log", "--fresh") for n in range(2)]
    for number, build in enumerate(builds):
        log = (tmp_path / f"{number}.log").read_text(encoding="utf-8") if build.wait(180) else ""
        assert build.returncode == 0 and "Traceback" not in log, log
    assert "高岭镇" in (out / "index.html").read_text(encoding="utf-8")


# Run a rebuild in a process that kills itself at its first rename of a temporary file into
# place: every temporary file is written, none renamed, as when a build is killed mid-write.
_KILLED_WHILE_WRITING = """
import os, signal, sys
sys.path.insert(0, {root!r})
real = os.replace
def replace(source, target, *args, **kwargs):
    if str(source).endswith(".tmp") and ".giro-" in str(source):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(source, target, *args, **kwargs)
os.replace = replace
from giro_site.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if ".giro-" in p.name and p.name.endswith(".tmp")]


def test_a_killed_rebuilds_temporary_files_are_removed_by_the_next_build(tmp_path: Path) -> None:
    content, out = _content(tmp_path), tmp_path / "site"
    assert run("build", "--content", str(content), "--out", str(out)).returncode == 0
    report = content / "reports" / "2020" / SEEDS[1].name
    report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
    killed = subprocess.run([sys.executable, "-c", _KILLED_WHILE_WRITING.format(root=str(ROOT)), "build",
                             "--content", str(content), "--out", str(out)], capture_output=True, text=True,
                            timeout=180)
    assert killed.returncode == -9, killed.stderr
    left = _temporaries(out)
    assert any(p.name.startswith(".index.html.giro-") for p in left), left  # as the audit found them
    again = run("build", "--content", str(content), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert _temporaries(out) == []
    assert "310条" in "".join(p.read_text(encoding="utf-8") for p in (out / "agency").rglob("2020.html"))
