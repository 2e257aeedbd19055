"""A real browser on the built site: Debian's Chromium driven by Playwright, the site served
from a local static server on 127.0.0.1, at the root and under ``/x/``.

Without Chromium or Playwright the tests skip on a developer's machine and fail under CI
(``CI`` set), where ``.ci/run`` installs both.
"""

from __future__ import annotations

import functools
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

from giro_site.report import parse_report
from giro_site.site.builder import BuildOptions, build_site
from giro_site.synth import random_report, render_text
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
MULTI_YEAR_AGENCY = "高岭镇人民政府"

pytestmark = pytest.mark.browser


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
    has two years (the year switch and the trend chart)."""
    content = tmp_path_factory.mktemp("browser") / "content"
    shutil.copytree(ROOT / "content", content)
    report = random_report(random.Random(7), MULTI_YEAR_AGENCY, "密云区", 2021, form="2021")
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
