"""`python build.py bench --browser`: how the built index feels on a mid-range phone.

Chromium (Debian's, through Playwright, a test dependency) opens the index at 390×844 with
the CPU slowed four times (DevTools' Emulation.setCPUThrottlingRate), from a local server on
127.0.0.1, and measures the index's first paint, the time from a keystroke in the search box
to the next frame with the filtered table, and the size of the index data gzipped. Each figure
is taken several times in fresh pages: the machine is shared, so the spread is printed too.
"""

from __future__ import annotations

import functools
import gzip
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
THROTTLE = 4
QUERY = "zhen"  # typed one letter at a time; matches many bodies, so every keystroke filters

# Types the query a letter at a time; for each, the milliseconds from the input event to the
# frame after the table was redrawn.
_KEYSTROKES = """async (query) => {
  const input = document.querySelector('#q');
  const times = [];
  for (const ch of query) {
    const start = performance.now();
    input.value += ch;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(performance.now() - start);
  }
  return times;
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class BrowserFigures:
    first_paint_ms: list[float]
    keystroke_ms: list[float]  # every keystroke of every round
    index_gzip_bytes: int
    index_bytes: int


def measure(site: Path, rounds: int = 5, report: Callable[[str], None] = print) -> BrowserFigures:
    from playwright.sync_api import sync_playwright

    data = (site / "data" / "index.json").read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    paints: list[float] = []
    keys: list[float] = []
    try:
        with sync_playwright() as api:
            browser = api.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=["--no-sandbox", "--disable-dev-shm-usage"])
            for _ in range(rounds):
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
                page = context.new_page()
                session = context.new_cdp_session(page)
                session.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                page.goto(url, wait_until="load")
                paint = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || "
                                      "performance.getEntriesByType('paint')[0] || {startTime: null}).startTime")
                paints.append(float(paint))
                page.wait_for_function("() => document.querySelector('.compare').classList.contains('enhanced')",
                                       timeout=120_000)
                keys += page.evaluate(_KEYSTROKES, QUERY)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    figures = BrowserFigures(paints, keys, len(gzip.compress(data, 6)), len(data))
    report(f"浏览器（{PHONE['width']}×{PHONE['height']}，CPU 降速 {THROTTLE} 倍，{rounds} 次）：首页首次绘制 中位数 "
           f"{statistics.median(paints):.0f} 毫秒（{min(paints):.0f}–{max(paints):.0f}）；搜索每次按键到重绘 中位数 "
           f"{statistics.median(keys):.0f} 毫秒，最慢 {max(keys):.0f} 毫秒（{len(keys)} 次按键）；索引数据 "
           f"{figures.index_bytes / 1024:.0f} KB，gzip 后 {figures.index_gzip_bytes / 1024:.0f} KB")
    return figures


if __name__ == "__main__":  # python -m giro_site.browser_bench SITE_FOLDER [ROUNDS]: measure a built site again
    import sys

    measure(Path(sys.argv[1]), rounds=int(sys.argv[2]) if len(sys.argv) > 2 else 5)


# The milliseconds since the page's navigation began, once every chart within the first screen
# has drawn (plotly's svg is in it).
_CHARTS_IN_VIEW_DRAWN = """() => {
  const plots = [...document.querySelectorAll('.chart-plot[data-chart]')]
    .filter(el => el.getBoundingClientRect().top < window.innerHeight);
  return plots.length > 0 && plots.every(el => el.querySelector('svg.main-svg')) ? performance.now() : false;
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
                    plots.nth(index).locator("svg.main-svg").first.wait_for(timeout=120_000)
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
