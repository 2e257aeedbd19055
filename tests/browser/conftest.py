"""A real browser on the built site: Debian's Chromium driven by Playwright, the site served
from a local static server on 127.0.0.1, at the root and under ``/x/``.

Without Chromium or Playwright the tests skip on a developer's machine and fail under CI
(``CI`` set), where ``.ci/run`` installs both.
"""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from giro_site.bench.synth import random_report, render_text
from giro_site.report import parse_report
from giro_site.site.build.builder import BuildOptions, build_site
from tests.conftest import ROOT
from tests.ui_content import UI_BODIES, UI_CORPUS, UI_REPORTS, write_ui_content

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
MULTI_YEAR_AGENCY = "高岭镇人民政府"

pytestmark = pytest.mark.browser

# Relative luminance and contrast as WCAG 2.x defines them; the background is the first
# opaque one among the element and its ancestors (white at the root).
CONTRAST_FAILURES = """() => {
  function rgba(text) {
    const m = text.match(/[\\d.]+/g) || [0, 0, 0, 0];
    return m.map(Number).concat([1]).slice(0, 4);
  }
  function channel(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(c) { return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]); }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0.5) { return c; }
    }
    return [255, 255, 255, 1];
  }
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || el.closest("svg, script, style")) { continue; }
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width < 2 || box.height < 2 || el.closest("[hidden], .vh")) { continue; }
    const fg = rgba(style.color), bg = background(el);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      failures.push(el.tagName + " '" + el.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
    }
  }
  return failures;
}"""

FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex="0"]'))
  .filter(el => !el.closest('[hidden], .js-plotly-plot') && !el.disabled && el.getClientRects().length > 0
                && (el.tagName === 'SUMMARY' || !el.closest('details:not([open])'))
                && getComputedStyle(el).visibility !== 'hidden')
  .map(el => el.outerHTML.slice(0, 120))"""

FOCUS_STYLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {html: el.outerHTML.slice(0, 120), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none', background: s.backgroundColor};
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_api() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install playwright)")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    browser = playwright_api.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--disable-background-networking", "--disable-component-update",
              "--disable-default-apps", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
    yield browser
    browser.close()


@dataclass
class Site:
    """A built site behind a local server; ``url(path)`` gives a page's address."""

    root: str  # http://127.0.0.1:port/x/
    base: str  # the --base-url it was built with
    out: Path
    content: Path
    year_2021: dict[str, Any] = field(default_factory=dict)  # the added report, parsed

    def url(self, path: str = "") -> str:
        return self.root + path.lstrip("/")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def browser_content(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The shipped content plus a 2021 report for the agency of seed 001, so that one agency
    has two years (the year switch and the trend chart), with one blank cell in table 四."""
    content = tmp_path_factory.mktemp("browser") / "content"
    shutil.copytree(ROOT / "content", content)
    report = random_report(random.Random(7), MULTI_YEAR_AGENCY, "密云区", 2021, form="2021")
    report.review["litigation_after_review"]["pending"] = None  # a blank a chart must not draw as 0
    path = content / "reports" / "2021" / "gaolingzhen-2021.txt"
    path.parent.mkdir(parents=True)
    path.write_text(render_text(report), encoding="utf-8")
    return content, parse_report(path)


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session", params=["/", "/x/"], ids=["root", "base-x"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         browser_content: tuple[Path, dict[str, Any]]) -> Iterator[Site]:
    content, year_2021 = browser_content
    base = request.param
    served = tmp_path_factory.mktemp("served")
    out = served / base.strip("/") if base != "/" else served / "site"
    folder = served if base != "/" else out
    result = build_site(BuildOptions(content=content, out=out, base_url=base, build_date="2026-01-02"))
    assert result.reports == 6 and not result.problems
    server, origin = _serve(folder)
    yield Site(root=origin + base, base=base, out=out, content=content, year_2021=year_2021)
    server.shutdown()


@dataclass
class Watched:
    """A page with everything that went wrong while it was open."""

    page: Any
    errors: list[str]
    foreign: list[str]

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.foreign, f"requests to other hosts: {self.foreign}"


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_page(browser: Any, viewport: str) -> Iterator[Any]:
    """Opens pages at the test's viewport; nothing may be fetched from another host."""
    contexts: list[Any] = []

    def opener(url: str) -> Watched:
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN",
                                      device_scale_factor=1, is_mobile=viewport == "phone",
                                      has_touch=viewport == "phone")
        contexts.append(context)
        errors: list[str] = []
        foreign: list[str] = []

        def route(route: Any) -> None:
            host = urlparse(route.request.url).hostname
            if host not in ("127.0.0.1", None) and not route.request.url.startswith(("data:", "blob:")):
                foreign.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, wait_until="load")
        return Watched(page, errors, foreign)

    yield opener
    for context in contexts:
        context.close()


def keyboard_reach(page: Any) -> tuple[list[str], list[str]]:
    """Tabs through the page from the top: the focusable controls Tab never reached, and
    those it reached without a visible focus (an outline of 2px or more, or a shadow)."""
    wanted = page.evaluate(FOCUSABLE)
    reached: list[str] = []
    invisible: list[str] = []
    for _ in range(len(wanted) + 10):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["html"].startswith("<body"):
            break
        reached.append(style["html"])
        if not (style["outline"] or style["shadow"]):
            invisible.append(style["html"])
    return [html for html in wanted if html not in reached], invisible


# --- a site for the compare page, the search box and the defences ------------------------


@pytest.fixture(scope="session")
def ui_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shipped content with the bodies and files of ``tests/ui_content.py`` and 40
    generated reports (enough bodies that a search's results fill a screen)."""
    content = tmp_path_factory.mktemp("ui") / "content"
    bodies = write_ui_content(content, corpus=UI_CORPUS)
    out = content.parent / "public"
    result = build_site(BuildOptions(content=content, out=out, base_url="/", build_date="2026-01-02"))
    assert result.reports == UI_REPORTS + UI_CORPUS and result.agencies == UI_BODIES + bodies, result
    assert not result.problems, result.problems
    server, origin = _serve(out)
    yield Site(root=origin + "/", base="/", out=out, content=content)
    server.shutdown()


def index_rows(site: Site) -> dict[str, dict[str, Any]]:
    """The site's index of bodies, by name: slug, pinyin and reports (id, year, figures)."""
    data = json.loads((site.out / "data" / "index.json").read_text(encoding="utf-8"))
    rows = {}
    for values in data["rows"]:
        row = dict(zip(data["fields"], values, strict=True))
        row["reports"] = [dict(zip(data["report_fields"], r, strict=True)) for r in row["reports"]]
        rows[row["name"]] = row
    return rows
