"""`python build.py bench --reports N`: a synthetic corpus, a full build, a one-change
rebuild (three times), and the figures that matter (wall time, per report, peak memory,
output size), beside two readings of the machine itself (Python speed, file creation cost),
because on a shared VM those vary from one hour to the next.

The corpus comes from ``synth.make_corpus``: bodies in real places (several provinces,
cities, counties and townships, shared short names), both forms, several years each, blanks,
sub-rows, a few broken identities and narratives of varied length, in the seeds' layout.
Peak memory is sampled from /proc over the whole process tree, so worker processes count.
"""

from __future__ import annotations

import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from giro_site.bench.synth import make_corpus
from giro_site.cli import BUILT_LINE, TIMINGS_LINE
from giro_site.site.build import sitesize


class PeakMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(pid: int) -> int:
        total = 0
        pending = [pid]
        while pending:
            current = pending.pop()
            try:
                with open(f"/proc/{current}/status", encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                            break
                with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                    pending.extend(int(c) for c in children.read().split())
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss(self.pid))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class TimedBuild:
    seconds: float
    peak_bytes: int
    cpu_seconds: float  # user and system, the process and its workers, imports included
    stages: str  # the build's own line of wall and CPU seconds per stage
    summary: str  # the build's closing line: what it parsed and rendered


def _timed_build(content: Path, out: Path, jobs: int) -> TimedBuild:
    """Build in a fresh process, as a maintainer would run it."""
    command = [sys.executable, str(Path(__file__).resolve().parents[2] / "build.py"), "build",
               "--content", str(content), "--out", str(out), "--jobs", str(jobs), "--build-date", "2026-01-01",
               "--timings"]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               encoding="utf-8")
    with PeakMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if process.returncode != 0:
        raise RuntimeError(f"build failed:\n{stdout}\n{stderr}")
    lines = stdout.splitlines()
    stages = next((line for line in lines if line.startswith(TIMINGS_LINE)), "")
    summary = next((line for line in lines if line.startswith(BUILT_LINE)), "")
    return TimedBuild(seconds, memory.peak, cpu, stages, summary)


def _edit(text: str, round_: int) -> str:
    """A maintainer's correction to one report's text (a different one each round)."""
    heading = "六、其他需要报告的事项\n"
    if f"{heading}无。" in text:
        return text.replace(f"{heading}无。", f"{heading}本年无其他需要报告的事项（{round_}）。")
    return text + "\n"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def reference_seconds() -> float:
    """A fixed pure-Python workload (best of three): how fast this machine runs Python today.
    On this project's VM the same work took up to twice as long from one hour to the next, so the
    figures of a run are only comparable with others beside this number."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def file_creation_ms(folder: Path, count: int = 500) -> float:
    """Milliseconds to create, write and close one small file in ``folder``: the disk's share
    of a build that writes tens of thousands of files (ext4 without a journal, as here, is
    slow to create files for minutes after many were deleted)."""
    probe = folder / "probe"
    probe.mkdir()
    started = time.perf_counter()
    for i in range(count):
        (probe / f"{i}.html").write_bytes(b"x" * 2048)
    seconds = time.perf_counter() - started
    shutil.rmtree(probe)
    return 1000 * seconds / count


def precompile() -> bool:
    """Write the package's bytecode once, as Python does on its first run on a usual machine
    (where PYTHONDONTWRITEBYTECODE is set, every build would compile ~40 modules again)."""
    package = Path(__file__).resolve().parents[1]
    try:
        return bool(compileall.compile_dir(str(package), quiet=1))
    except OSError:
        return False


@dataclass
class BenchFigures:
    reports: int
    agencies: int
    build_seconds: float
    rebuild_seconds: list[float]  # one per round, each after a different one-report change
    peak_rss_mib: float
    output_mib: float
    agency_page_kib_mean: float
    agency_page_kib_max: float
    reference_seconds: float
    file_creation_ms: float
    bytes_per_report: float = 0.0  # the site without the original reports, per report
    files_per_report: float = 0.0

    @property
    def rebuild_median(self) -> float:
        return statistics.median(self.rebuild_seconds)


def run_bench(count: int, *, keep: bool = False, jobs: int | None = None, rounds: int = 3,
              report: Callable[[str], None] = print, browser: bool = False) -> BenchFigures:
    if rounds < 1:
        raise ValueError("the benchmark needs at least one rebuild round")
    jobs = jobs or os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix=f"giro-bench-{count}-"))
    content, out = folder / "content", folder / "public"
    try:
        compiled = precompile()
        reference = reference_seconds()
        creation = file_creation_ms(folder)
        report(f"本机：纯 Python 参考任务 {reference:.3f} 秒（越大越慢），新建一个小文件 {creation:.3f} 毫秒；"
               f"字节码{'已预编译' if compiled else '未能预编译'}")
        started = time.perf_counter()
        bodies = make_corpus(content, count)
        report(f"语料：{count} 份报告，{bodies} 个机关，生成用时 {time.perf_counter() - started:.1f} 秒（{folder}）")
        full = _timed_build(content, out, jobs)
        report(f"完整生成：{full.seconds:.2f} 秒，每份报告 {1000 * full.seconds / count:.2f} 毫秒（{jobs} 个进程）；"
               f"CPU {full.cpu_seconds:.2f} 秒（含启动和导入）")
        report(f"  {full.stages}")
        agencies = len(list((out / "agency").iterdir()))
        pages = list((out / "agency").glob("*/*.html"))
        sizes = [p.stat().st_size for p in pages]
        files = sorted((content / "reports").rglob("*.txt"))
        rebuilds = []
        for round_ in range(rounds):
            changed = files[(count // 2 + round_ * 997) % len(files)]
            changed.write_text(_edit(changed.read_text(encoding="utf-8"), round_), encoding="utf-8")
            rebuilds.append(_timed_build(content, out, jobs))
        figures = BenchFigures(
            reports=count, agencies=agencies, build_seconds=full.seconds,
            rebuild_seconds=[r.seconds for r in rebuilds],
            peak_rss_mib=max([full.peak_bytes, *(r.peak_bytes for r in rebuilds)]) / 2**20,
            output_mib=_size(out) / 2**20,
            agency_page_kib_mean=sum(sizes) / max(1, len(sizes)) / 1024,
            agency_page_kib_max=max(sizes, default=0) / 1024,
            reference_seconds=reference, file_creation_ms=creation)
        shown = "、".join(f"{r.seconds:.2f}" for r in rebuilds)
        cpus = "、".join(f"{r.cpu_seconds:.2f}" for r in rebuilds)
        report(f"改动一份报告后重新生成：中位数 {figures.rebuild_median:.2f} 秒（{rounds} 次：{shown}）；"
               f"CPU {cpus} 秒（含启动和导入）")
        report(f"  {rebuilds[-1].summary}")
        report(f"  {rebuilds[-1].stages}")
        report(f"内存峰值：{figures.peak_rss_mib:.0f} MiB（含子进程）")
        report(f"输出：共 {figures.output_mib:.1f} MiB；{figures.agencies} 个机关的 {len(pages)} 个报告页面，平均 "
               f"{figures.agency_page_kib_mean:.1f} KiB，最大 {figures.agency_page_kib_max:.1f} KiB（不含共享资源）")
        site = sitesize.measure(out)
        figures.bytes_per_report, figures.files_per_report = (v / count for v in site.without_originals())
        report(f"  {sitesize.summary(site)}不含原始报告文件：每份报告 {figures.bytes_per_report / 1000:.1f} KB、"
               f"{figures.files_per_report:.2f} 个文件")
        for kind, (size, number) in sorted(site.by_kind.items(), key=lambda item: -item[1][0]):
            report(f"  {kind}：{size / 1e6:.1f} MB，{number:,} 个文件，每份报告 {size / count / 1000:.2f} KB")
        for warning in sitesize.warnings(site):
            report(f"  注意：{warning}")
        if browser:
            from giro_site.bench.browser import measure, measure_agency_page

            measure(out, report=report)
            measure_agency_page(out, report=report)
        return figures
    finally:
        if keep:
            report(f"保留在 {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
