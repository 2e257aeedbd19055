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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from giro_site.bench import hugo as hugo_reference
from giro_site.bench.memory import PeakMemory
from giro_site.bench.served import edit
from giro_site.bench.synth import make_corpus
from giro_site.cli import BUILT_LINE, TIMINGS_LINE
from giro_site.site.build import sitesize


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


# Creating a small file here takes 0.03-0.06 ms on a quiet disk, and ten times that for
# minutes after many files were deleted (another benchmark's folder): a full build then
# spends seconds more of system time, and its figures are not comparable with another run's.
SLOW_CREATION_MS = 0.15


def creation_note(milliseconds: float) -> str | None:
    """What to tell about a slow disk, or None."""
    if milliseconds <= SLOW_CREATION_MS:
        return None
    return (f"注意：新建文件比平时慢（{milliseconds:.2f} 毫秒，平常约 0.05 毫秒；几分钟内删除过大量文件时常见），"
            "完整生成会多花几秒系统时间，与其他时候测得的结果不可比；请过几分钟再测")


def precompile() -> bool:
    """Write the package's bytecode once, as Python does on its first run on a usual machine
    (where PYTHONDONTWRITEBYTECODE is set, every build would compile ~40 modules again)."""
    package = Path(__file__).resolve().parents[1]
    try:
        return bool(compileall.compile_dir(str(package), quiet=1))
    except OSError:
        return False


@dataclass
class ServedRebuild:
    pages: float  # seconds until the changed pages were on disk
    downloads: float  # seconds until the downloads had followed
    cpu: float
    patched: bool


def served_rebuilds(content: Path, out: Path, rounds: int, jobs: int) -> list[ServedRebuild]:
    """Rebuilds as `serve` makes them (the model kept in memory), in one new process."""
    command = [sys.executable, "-m", "giro_site.bench.served", str(content), str(out), str(rounds), str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False,
                          cwd=Path(__file__).resolve().parents[2])
    if done.returncode != 0:
        raise RuntimeError(f"served rebuilds failed:\n{done.stdout}\n{done.stderr}")
    found = [orjson.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return [ServedRebuild(f["pages"], f["downloads"], f["cpu"], f["patched"]) for f in found]


@dataclass
class BenchFigures:
    reports: int
    agencies: int
    build_seconds: float  # the median of the cold full builds
    rebuild_seconds: list[float]  # one per round, each after a different one-report change
    peak_rss_mib: float
    output_mib: float
    agency_page_kib_mean: float
    agency_page_kib_max: float
    reference_seconds: float
    file_creation_ms: float
    bytes_per_report: float = 0.0  # the site without the original reports, per report
    files_per_report: float = 0.0
    build_rounds: list[float] = field(default_factory=list)  # each cold full build, wall seconds
    build_cpu: list[float] = field(default_factory=list)
    hugo_seconds: list[float] = field(default_factory=list)  # the Hugo reference, each round (none without hugo)
    hugo_cpu: list[float] = field(default_factory=list)
    served: list[ServedRebuild] = field(default_factory=list)

    @property
    def rebuild_median(self) -> float:
        return statistics.median(self.rebuild_seconds)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run_bench(count: int, *, keep: bool = False, jobs: int | None = None, rounds: int = 3,
              report: Callable[[str], None] = print, browser: bool = False, hugo: bool = True) -> BenchFigures:
    """The benchmark: ``rounds`` cold full builds alternating with the Hugo reference (when
    ``hugo`` and Hugo is installed), then ``rounds`` one-report rebuilds in new processes and
    ``rounds`` in one process that keeps its model (as `serve`)."""
    if rounds < 1:
        raise ValueError("the benchmark needs at least one rebuild round")
    jobs = jobs or os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix=f"giro-bench-{count}-"))
    content = folder / "content"
    try:
        compiled = precompile()
        reference = reference_seconds()
        creation = file_creation_ms(folder)
        report(f"本机：纯 Python 参考任务 {reference:.3f} 秒（越大越慢），新建一个小文件 {creation:.3f} 毫秒；"
               f"字节码{'已预编译' if compiled else '未能预编译'}；负载 {_load()}")
        if (note := creation_note(creation)) is not None:
            report(note)
        started = time.perf_counter()
        bodies = make_corpus(content, count)
        report(f"语料：{count} 份报告，{bodies} 个机关，生成用时 {time.perf_counter() - started:.1f} 秒（{folder}）")
        with_hugo = hugo and hugo_reference.available()
        if hugo and not with_hugo:
            report("Hugo 对照：本机没有 hugo（Debian：apt-get install hugo），略过")
        fulls: list[TimedBuild] = []
        hugos: list[hugo_reference.HugoBuild] = []
        out = folder / "public"
        for round_ in range(1, rounds + 1):
            out = folder / f"public-{round_}"  # each cold: a new output folder and cache
            fulls.append(_timed_build(content, out, jobs))
            if with_hugo:
                if round_ == 1:
                    pages = hugo_reference.make_site(hugo_reference.published(out), folder / "hugo")
                    report(f"Hugo 对照（{hugo_reference.version()}）：{pages} 个页面，"
                           "每页含同一份报告的三张表、核对结果和正文段落（数据已整理好，不含解析）")
                hugos.append(hugo_reference.build(folder / "hugo", folder / f"hugo-{round_}"))
        full = sorted(fulls, key=lambda f: f.seconds)[(len(fulls) - 1) // 2]  # the median round's stages
        build_median, cpu_median = _median([f.seconds for f in fulls]), _median([f.cpu_seconds for f in fulls])
        each = "、".join(f"{f.seconds:.2f}" for f in fulls)
        report(f"完整生成（冷，{rounds} 轮中位数）：{build_median:.2f} 秒，每份报告 {1000 * build_median / count:.2f} "
               f"毫秒（{jobs} 个进程）；CPU {cpu_median:.2f} 秒（含启动和导入）；各轮 {each} 秒")
        report(f"  {full.stages}")
        if hugos:
            hugo_median, hugo_cpu = _median([h.seconds for h in hugos]), _median([h.cpu_seconds for h in hugos])
            each = "、".join(f"{h.seconds:.2f}" for h in hugos)
            ratio, cpu_ratio = build_median / hugo_median, cpu_median / max(0.01, hugo_cpu)
            hugo_peak = max(h.peak_bytes for h in hugos) / 2**20
            report(f"Hugo 同样页面：{hugo_median:.2f} 秒（中位数，CPU {hugo_cpu:.2f} 秒，"
                   f"内存峰值 {hugo_peak:.0f} MiB）；各轮 {each} 秒；"
                   f"本程序是 Hugo 的 {ratio:.2f} 倍（CPU {cpu_ratio:.2f} 倍）")
        agencies = len(list((out / "agency").iterdir()))
        pages_found = list((out / "agency").glob("*/*.html"))
        sizes = [p.stat().st_size for p in pages_found]
        files = sorted((content / "reports").rglob("*.txt"))
        rebuilds = []
        for round_ in range(rounds):
            changed = files[(count // 2 + round_ * 997) % len(files)]
            changed.write_text(edit(changed.read_text(encoding="utf-8"), round_), encoding="utf-8")
            rebuilds.append(_timed_build(content, out, jobs))
        served = served_rebuilds(content, out, rounds, jobs)
        figures = BenchFigures(
            reports=count, agencies=agencies, build_seconds=build_median,
            rebuild_seconds=[r.seconds for r in rebuilds],
            peak_rss_mib=max([*(f.peak_bytes for f in fulls), *(r.peak_bytes for r in rebuilds)]) / 2**20,
            output_mib=_size(out) / 2**20,
            agency_page_kib_mean=sum(sizes) / max(1, len(sizes)) / 1024,
            agency_page_kib_max=max(sizes, default=0) / 1024,
            reference_seconds=reference, file_creation_ms=creation,
            build_rounds=[f.seconds for f in fulls], build_cpu=[f.cpu_seconds for f in fulls],
            hugo_seconds=[h.seconds for h in hugos], hugo_cpu=[h.cpu_seconds for h in hugos], served=served)
        shown = "、".join(f"{r.seconds:.2f}" for r in rebuilds)
        cpus = "、".join(f"{r.cpu_seconds:.2f}" for r in rebuilds)
        report(f"改动一份报告后重新生成（新进程，build 命令）：中位数 {figures.rebuild_median:.2f} 秒"
               f"（{rounds} 次：{shown}）；CPU {cpus} 秒（含启动和导入）")
        report(f"  {rebuilds[-1].summary}")
        report(f"  {rebuilds[-1].stages}")
        pages_each = "、".join(f"{s.pages:.3f}" for s in served)
        downloads_each = "、".join(f"{s.downloads:.2f}" for s in served)
        pages_median = _median([s.pages for s in served])
        downloads_median = _median([s.downloads for s in served])
        report(f"改动一份报告后重新生成（serve，模型留在内存）：页面写好 中位数 {pages_median:.3f} 秒（{pages_each}），"
               f"下载文件随后 中位数 {downloads_median:.2f} 秒（{downloads_each}）；"
               f"CPU {'、'.join(f'{s.cpu:.2f}' for s in served)} 秒；"
               f"{'均为局部更新' if all(s.patched for s in served) else '有的未能局部更新'}")
        report(f"内存峰值：{figures.peak_rss_mib:.0f} MiB（含子进程）；负载 {_load()}")
        report(f"输出：共 {figures.output_mib:.1f} MiB；{figures.agencies} 个机关的 {len(pages_found)} 个报告页面，"
               f"平均 {figures.agency_page_kib_mean:.1f} KiB，最大 {figures.agency_page_kib_max:.1f} KiB"
               "（不含共享资源）")
        site = sitesize.measure(out)
        figures.bytes_per_report, figures.files_per_report = (v / count for v in site.without_originals())
        report(f"  {sitesize.summary(site)}不含原始报告文件：每份报告 {figures.bytes_per_report / 1000:.1f} KB、"
               f"{figures.files_per_report:.2f} 个文件")
        for kind, (size, number) in sorted(site.by_kind.items(), key=lambda item: -item[1][0]):
            report(f"  {kind}：{size / 1e6:.1f} MB，{number:,} 个文件，每份报告 {size / count / 1000:.2f} KB")
        yearly = [p for p in (out / "data").glob("reports-*.zip") if not p.name.startswith("reports-all")]
        largest = max(yearly, key=lambda p: p.stat().st_size, default=None)
        every = sorted((out / "data").glob("reports-all*.zip"))
        if largest is not None:
            report(f"  最大的年度下载文件：{largest.name}，{largest.stat().st_size / 2**20:.1f} MiB；"
                   "全部年度的下载文件：" + "、".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MiB" for p in every))
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
