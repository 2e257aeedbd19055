"""`python build.py bench --reports N`: a synthetic corpus, a full build, a one-change
rebuild, and the figures that matter (wall time, per report, peak memory, output size).

The corpus comes from ``synth``: both forms, many bodies with several years each, blanks,
sub-rows, a few broken identities and narratives of varied length, in the seeds' layout.
Peak memory is sampled from /proc over the whole process tree, so worker processes count.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from giro_site.synth import random_report, render_text

_CITIES = [
    "临江", "青州", "安平", "东阳", "清河", "长宁", "永安", "宁远", "新华", "石泉",
    "金川", "白山", "龙泉", "丰南", "兴平", "云溪", "泰和", "凤台", "桃源", "瑞金",
]
_DISTRICTS = ["东城", "西城", "南湖", "北塘", "高新", "城关", "江北", "河西", "湖滨", "山前"]
_SYLLABLES = list("青山河阳平安新华石桥林泉湖岭溪口龙凤金玉白马花园长乐福寿松柏云田沙洲水西东南北中")
_KINDS = ("镇人民政府", "乡人民政府", "街道办事处", "镇", "街道")
_DEPARTMENTS = ("市场监督管理局", "自然资源局", "住房和城乡建设局", "教育局", "民政局", "卫生健康委员会")


@dataclass
class BenchFigures:
    reports: int
    agencies: int
    build_seconds: float
    rebuild_seconds: float
    peak_rss_mib: float
    output_mib: float
    agency_page_kib_mean: float
    agency_page_kib_max: float


def make_corpus(folder: Path, count: int, seed: int = 2024) -> int:
    """Write ``count`` reports of bodies that report for one to five consecutive years."""
    rng = random.Random(seed)
    written = 0
    bodies = 0
    names: set[tuple[str, str]] = set()
    while written < count:
        region = f"{rng.choice(_CITIES)}市{rng.choice(_DISTRICTS)}区"
        if rng.random() < 0.2:
            name = f"{region[:3]}{rng.choice(_DEPARTMENTS)}"
            region_of_name = region[:3]
        else:
            name = "".join(rng.sample(_SYLLABLES, 2)) + rng.choice(_KINDS)
            region_of_name = region
        if (region_of_name, name) in names:
            continue
        names.add((region_of_name, name))
        bodies += 1
        first = rng.randint(2019, 2023)
        for year in range(first, min(2024, first + rng.randint(1, 5))):
            if written >= count:
                break
            region_shown = None if name.startswith(region_of_name) else region_of_name
            report = random_report(rng, name, region_shown, year,
                                   blanks=rng.random() < 0.3, subrows=rng.random() < 0.1,
                                   broken=rng.random() < 0.03, paragraphs=rng.choice([1, 2, 4, 8, 16]))
            target = folder / "reports" / str(year) / f"{bodies:05d}-{year}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_text(report), encoding="utf-8")
            written += 1
    return bodies


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


def _timed_build(content: Path, out: Path, jobs: int) -> tuple[float, int]:
    """Build in a fresh process, as a maintainer would run it; (seconds, peak bytes)."""
    command = [sys.executable, str(Path(__file__).resolve().parent.parent / "build.py"), "build",
               "--content", str(content), "--out", str(out), "--jobs", str(jobs), "--build-date", "2026-01-01"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"build failed:\n{stdout}\n{stderr}")
    return seconds, memory.peak


def _edit(text: str) -> str:
    """A maintainer's correction to one report's text."""
    if "六、其他需要报告的事项\n无。" in text:
        return text.replace("六、其他需要报告的事项\n无。", "六、其他需要报告的事项\n本年无其他需要报告的事项。")
    return text + "\n"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_bench(count: int, *, keep: bool = False, jobs: int | None = None,
              report: Callable[[str], None] = print) -> BenchFigures:
    jobs = jobs or os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix=f"giro-bench-{count}-"))
    content, out = folder / "content", folder / "public"
    try:
        started = time.perf_counter()
        bodies = make_corpus(content, count)
        report(f"语料：{count} 份报告，{bodies} 个机关，生成用时 {time.perf_counter() - started:.1f} 秒（{folder}）")
        build_seconds, peak = _timed_build(content, out, jobs)
        agencies = len(list((out / "agency").iterdir()))
        pages = [p for p in (out / "agency").glob("*/*.html") if p.name != "index.html"]  # index.html redirects
        sizes = [p.stat().st_size for p in pages]
        changed = sorted((content / "reports").rglob("*.txt"))[count // 2]
        changed.write_text(_edit(changed.read_text(encoding="utf-8")), encoding="utf-8")
        rebuild_seconds, rebuild_peak = _timed_build(content, out, jobs)
        figures = BenchFigures(
            reports=count, agencies=agencies, build_seconds=build_seconds, rebuild_seconds=rebuild_seconds,
            peak_rss_mib=max(peak, rebuild_peak) / 2**20, output_mib=_size(out) / 2**20,
            agency_page_kib_mean=sum(sizes) / max(1, len(sizes)) / 1024,
            agency_page_kib_max=max(sizes, default=0) / 1024)
        report(f"完整生成：{build_seconds:.2f} 秒，每份报告 {1000 * build_seconds / count:.2f} 毫秒（{jobs} 个进程）")
        report(f"改动一份报告后重新生成：{rebuild_seconds:.2f} 秒")
        report(f"内存峰值：{figures.peak_rss_mib:.0f} MiB（含子进程）")
        report(f"输出：共 {figures.output_mib:.1f} MiB；{figures.agencies} 个机关的 {len(pages)} 个报告页面，平均 "
               f"{figures.agency_page_kib_mean:.1f} KiB，最大 {figures.agency_page_kib_max:.1f} KiB（不含共享资源）")
        return figures
    finally:
        if keep:
            report(f"保留在 {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
