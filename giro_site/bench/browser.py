"""`python build.py bench --browser`: how the built index feels on a mid-range phone.

Chromium (Debian's, through Playwright, a test dependency) opens the index at 390×844 from a
local server on 127.0.0.1 and measures the index's first paint, the time from a keystroke in
the search box to the frame that shows the filtered table, and the size of the index data
gzipped. Each figure is taken in several fresh pages, two ways:

- **wall time with the CPU slowed four times** (DevTools' Emulation.setCPUThrottlingRate), the
  usual stand-in for a mid-range phone. Chromium slows its main thread by pausing it in a
  busy loop sized by wall time, so on a loaded machine the slowdown compounds with the load:
  these figures are only as good as the machine is quiet.
- **main-thread CPU time without throttling, times four**, read from a trace (each task's
  thread time): the work the page makes its main thread do, which the machine's load changes
  far less. For the first paint it is the main thread's CPU from navigation to first paint;
  for a keystroke, from the input event to the frame that shows it.
"""

from __future__ import annotations

import functools
import gzip
import json
import statistics
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
THROTTLE = 4
QUERY = "zhen"  # typed a letter at a time (each narrows: many bodies match), then deleted again
PAUSE = 200  # ms between a keystroke showing and the next one
TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline", "devtools.timeline", "loading", "blink.user_timing"]

# Brings the search box into view and focuses it, as a tap on it would; charts that come
# into view on the way start drawing, and the keystrokes wait until they are done.
_FOCUS = """() => {
  const input = document.querySelector('#q');
  input.scrollIntoView({block: 'start'});
  input.focus();
}"""
_SETTLED = """() => Array.from(document.querySelectorAll('.chart-plot.drawn'))
  .every(plot => plot.querySelector('svg') || !plot.querySelector('*'))"""

# Types the query a letter at a time, then deletes it a letter at a time, a keystroke every
# PAUSE ms after the last one showed (a quick typist on a phone); for each keystroke, the
# milliseconds from the input event to the frame after the table shows the box's value.
# index.js marks what the table shows in data-shown: it may draw in a later frame than the
# keystroke's, and that wait counts. Marks key-N and shown-N enclose each keystroke's tasks
# in a trace (the keystroke starts in a task of its own, after key-N).
_KEYSTROKES = """async ([query, pause]) => {
  const input = document.querySelector('#q');
  const root = input.closest('.compare');
  const frame = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const values = [];
  for (let i = 1; i <= query.length; i++) { values.push(query.slice(0, i)); }
  for (let i = query.length - 1; i >= 0; i--) { values.push(query.slice(0, i)); }
  const times = [];
  for (const [n, value] of values.entries()) {
    await new Promise(resolve => setTimeout(resolve, pause));
    performance.mark('key-' + n);
    await new Promise(resolve => setTimeout(resolve, 0));
    const start = performance.now();
    input.value = value;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await frame();
    while (root.getAttribute('data-shown') !== value) { await frame(); }
    times.push(performance.now() - start);
    performance.mark('shown-' + n);
  }
  return times;
}"""

_ENHANCED = "() => document.querySelector('.compare').classList.contains('enhanced')"
_FIRST_PAINT = "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
_PAINTED = "() => performance.getEntriesByName('first-contentful-paint').length > 0"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class BrowserFigures:
    first_paint_ms: list[float]  # wall, CPU slowed 4×
    keystroke_ms: list[float]  # wall, CPU slowed 4×: every keystroke of every round
    index_gzip_bytes: int
    index_bytes: int
    first_paint_cpu_ms: list[float] = field(default_factory=list)  # main-thread CPU unthrottled × 4
    keystroke_cpu_ms: list[float] = field(default_factory=list)  # the same, per keystroke


def _main_thread_cpu(trace: Path, marks: int) -> tuple[float, list[float]]:
    """Main-thread CPU milliseconds of the page from navigation to first contentful paint,
    and of each keystroke (tasks that start between its marks key-N and shown-N)."""
    events = json.loads(trace.read_text(encoding="utf-8"))
    events = events["traceEvents"] if isinstance(events, dict) else events
    navigation = [e for e in events if e.get("name") == "navigationStart"
                  and e.get("args", {}).get("data", {}).get("documentLoaderURL", "").startswith("http")][-1]
    pid = navigation["pid"]
    threads = {e["tid"] for e in events if e.get("name") == "thread_name" and e["pid"] == pid
               and e.get("args", {}).get("name") == "CrRendererMain"}
    tasks = sorted((e["ts"], e.get("tdur", 0)) for e in events if e.get("name") == "RunTask" and e.get("ph") == "X"
                   and e["pid"] == pid and e["tid"] in threads)
    paint = min(e["ts"] for e in events if e.get("name") == "firstContentfulPaint" and e["pid"] == pid)
    times = {e["name"]: e["ts"] for e in events if e.get("cat") == "blink.user_timing" and e["pid"] == pid}

    def cpu(start: float, end: float) -> float:
        return sum(t for ts, t in tasks if start <= ts < end) / 1000

    keys = [cpu(times[f"key-{n}"], times[f"shown-{n}"]) for n in range(marks) if f"shown-{n}" in times]
    return cpu(navigation["ts"], paint), keys


def _spread(values: list[float]) -> str:
    return f"中位数 {statistics.median(values):.0f} 毫秒（{min(values):.0f}–{max(values):.0f}）"


def measure(site: Path, rounds: int = 5, report: Callable[[str], None] = print, page: str = "") -> BrowserFigures:
    """Measures ``site``'s index (or ``page`` under it) in ``rounds`` fresh pages each way."""
    from playwright.sync_api import sync_playwright

    data = (site / "data" / "index.json").read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
    figures = BrowserFigures([], [], len(gzip.compress(data, 6)), len(data))
    keystrokes = 2 * len(QUERY)
    try:
        with sync_playwright() as api, tempfile.TemporaryDirectory(prefix="giro-trace-") as folder:
            browser = api.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=["--no-sandbox", "--disable-dev-shm-usage"])
            for round_ in range(2 * rounds):
                throttled = round_ % 2 == 0  # alternate, so both ways see the same spells of load
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
                tab = context.new_page()
                trace = Path(folder) / f"{round_}.json"
                if throttled:
                    context.new_cdp_session(tab).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                else:
                    browser.start_tracing(page=tab, path=str(trace), categories=TRACE_CATEGORIES)
                tab.goto(url, wait_until="load")
                tab.wait_for_function(_PAINTED, timeout=120_000)  # the load event may come first
                paint = float(tab.evaluate(_FIRST_PAINT))
                tab.wait_for_function(_ENHANCED, timeout=120_000)
                tab.evaluate(_FOCUS)
                tab.wait_for_load_state("networkidle")
                tab.wait_for_function(_SETTLED, timeout=120_000)
                tab.wait_for_timeout(500)
                keys = tab.evaluate(_KEYSTROKES, [QUERY, PAUSE])
                if throttled:
                    figures.first_paint_ms.append(paint)
                    figures.keystroke_ms += keys
                else:
                    browser.stop_tracing()
                    paint_cpu, keys_cpu = _main_thread_cpu(trace, keystrokes)
                    figures.first_paint_cpu_ms.append(THROTTLE * paint_cpu)
                    figures.keystroke_cpu_ms += [THROTTLE * k for k in keys_cpu]
                context.close()
            browser.close()
    finally:
        server.shutdown()
    report(f"浏览器（{PHONE['width']}×{PHONE['height']}，各 {rounds} 次）：索引数据 "
           f"{figures.index_bytes / 1024:.0f} KB，gzip 后 {figures.index_gzip_bytes / 1024:.0f} KB")
    report(f"  CPU 降速 {THROTTLE} 倍，墙钟时间：首页首次绘制 {_spread(figures.first_paint_ms)}；搜索每次按键到显示 "
           f"{_spread(figures.keystroke_ms)}（{len(figures.keystroke_ms)} 次按键）")
    report(f"  不降速时主线程 CPU 时间 × {THROTTLE}：首次绘制前 {_spread(figures.first_paint_cpu_ms)}；每次按键 "
           f"{_spread(figures.keystroke_cpu_ms)}（{len(figures.keystroke_cpu_ms)} 次按键）")
    return figures


# The milliseconds since the page's navigation began, once every chart within the first screen
# has drawn (its svg is in it).
_CHARTS_IN_VIEW_DRAWN = """() => {
  const plots = [...document.querySelectorAll('.chart-plot[data-chart]')]
    .filter(el => el.getBoundingClientRect().top < window.innerHeight);
  return plots.length > 0 && plots.every(el => el.querySelector('svg')) ? performance.now() : false;
}"""


@dataclass
class PageFigures:
    gzip_bytes: list[int]  # everything the first visit loaded, each file gzipped, per round
    charts_ms: list[float]  # navigation to the first screen's charts drawn
    all_charts_ms: list[float]  # navigation to every chart drawn (scrolled to in turn)


def _collect(into: list[Any], response: Any) -> None:
    into.append(response)


def agency_page(site: Path) -> Path:
    """The latest report page of the agency with the most years (the most charts)."""
    folders = sorted((site / "agency").iterdir(), key=lambda f: (-len(list(f.glob("*.html"))), f.name))
    return max(folders[0].glob("*.html"), key=lambda p: p.stem)


def measure_agency_page(site: Path, rounds: int = 5, report: Callable[[str], None] = print) -> PageFigures:
    """A first visit to an agency page at 390×844 with the CPU slowed four times: what it loads
    (each response gzipped, as a host serves it) and when its charts are drawn."""
    from playwright.sync_api import sync_playwright

    page_path = agency_page(site).relative_to(site).as_posix()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{page_path}"
    figures = PageFigures([], [], [])
    try:
        with sync_playwright() as api:
            browser = api.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=["--no-sandbox", "--disable-dev-shm-usage"])
            for _ in range(rounds):
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
                page = context.new_page()
                responses: list[Any] = []
                page.on("response", functools.partial(_collect, responses))
                session = context.new_cdp_session(page)
                session.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                page.goto(url, wait_until="load")
                figures.charts_ms.append(float(page.wait_for_function(_CHARTS_IN_VIEW_DRAWN, timeout=120_000,
                                                                      polling=50).json_value()))
                plots = page.locator(".chart-plot[data-chart]")
                for index in range(plots.count()):
                    plots.nth(index).scroll_into_view_if_needed()
                    plots.nth(index).locator("svg").first.wait_for(timeout=120_000)
                figures.all_charts_ms.append(float(page.evaluate("() => performance.now()")))
                page.wait_for_load_state("networkidle")
                figures.gzip_bytes.append(sum(len(gzip.compress(r.body(), 6)) for r in responses if r.ok))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    charts = figures.charts_ms
    report(f"机关页面首次访问（{page_path}，{PHONE['width']}×{PHONE['height']}，CPU 降速 {THROTTLE} 倍，{rounds} 次）："
           f"加载内容 gzip 后 {statistics.median(figures.gzip_bytes) / 1000:.1f} KB；首屏图表绘制完成 中位数 "
           f"{statistics.median(charts):.0f} 毫秒（{min(charts):.0f}–{max(charts):.0f}），"
           f"全部图表 中位数 {statistics.median(figures.all_charts_ms):.0f} 毫秒")
    return figures


if __name__ == "__main__":  # python -m giro_site.bench.browser SITE_FOLDER [ROUNDS [PAGE]]: measure a built site again
    import sys

    measure(Path(sys.argv[1]), rounds=int(sys.argv[2]) if len(sys.argv) > 2 else 5,
            page=sys.argv[3] if len(sys.argv) > 3 else "")
