"""The defences in a real browser, on the audit's inputs (``tests/ui_content.py``): every page
carries its content security policy and logs no violation of it; the maintainers' Markdown
page runs nothing even with the policy taken away; the compare page's charts show a name that
is markup as its characters and never as a link. An alert, a new window or a request to
another host fails a test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest

from tests.browser.conftest import DESKTOP, Site, index_rows
from tests.browser.test_pages import screenshot
from tests.ui_content import MARKUP_NAME, REFUSED_LINKS, UNKNOWN_NAME

pytestmark = pytest.mark.browser

# Runs before any script of the page: keeps every violation of the page's policy it reports.
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' +
                           (e.lineNumber || '')));"""
POLICY = 'meta[http-equiv="Content-Security-Policy"]'


@dataclass
class Guarded:
    """A page and whatever it did that it must not: errors, dialogs (alerts), windows it
    opened, requests to other hosts."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__violations"))

    def assert_clean(self) -> None:
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.popups, f"a window opened: {self.popups}"
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, self.errors
        assert self.violations() == []


@pytest.fixture
def guarded(browser: Any) -> Iterator[Callable[..., Guarded]]:
    """Opens a page at desktop size, watched; ``without_policy`` serves the site's pages with
    their policy taken out, to show a defence holds on its own."""
    contexts: list[Any] = []

    def opener(url: str, *, without_policy: bool = False) -> Guarded:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        contexts.append(context)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        watched = Guarded(page)

        def route(route: Any) -> None:
            request = route.request
            if urlparse(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("blob:"):
                watched.foreign.append(request.url)
                route.abort()
            elif without_policy and request.resource_type == "document":
                response = route.fetch()
                body = response.text()
                start = body.index("<meta http-equiv=\"Content-Security-Policy\"")
                body = body[:start] + body[body.index(">", start) + 1:]
                route.fulfill(response=response, body=body)
            else:
                route.continue_()

        context.route("**/*", route)
        context.on("page", lambda popup: watched.popups.append(popup.url))
        page.on("dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: watched.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        page.goto(url, wait_until="load")
        return watched

    yield opener
    for context in contexts:
        context.close()


def pages_to_visit(site: Site) -> list[str]:
    """Every page of the site but the other years of a body (the same template as its first)."""
    paths = []
    bodies: set[Path] = set()
    for page in sorted(site.out.rglob("*.html")):
        relative = page.relative_to(site.out)
        if relative.parts[0] == "source":
            continue  # the reports' originals as published
        if relative.parts[0] == "agency":
            if page.parent in bodies:
                continue
            bodies.add(page.parent)
        paths.append(relative.as_posix().removesuffix("index.html"))
    return paths


def scroll_through(page: Any) -> None:
    """Scrolls to the end a screen at a time, so every chart draws."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
          scrollTo(0, y); await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        }
      }""")


def test_every_page_carries_the_policy_and_none_breaks_it(ui_site: Site, guarded: Callable[..., Guarded]) -> None:
    paths = pages_to_visit(ui_site)
    assert len(paths) >= 40 and "hostile/" in paths and "404.html" in paths
    watched = guarded(ui_site.url())
    page = watched.page
    for path in paths:
        page.goto(ui_site.url(path), wait_until="load")
        policy = page.locator(POLICY)
        assert policy.count() == 1, path
        assert "script-src 'self'" in (policy.get_attribute("content") or "")
        scroll_through(page)
        if path == "hostile/":  # its image (its handler gone) points at a file that is not there
            watched.errors = [e for e in watched.errors if "404" not in e]
        assert watched.violations() == [], path
        watched.assert_clean()
    # The compare page with plotly.js drawing, and a median column.
    rows = index_rows(ui_site)
    slugs = [rows[name]["slug"] for name in sorted(rows)[:2]]
    watched = guarded(ui_site.url("compare/?" + urlencode([("a", s) for s in slugs] + [("median", "1")])))
    watched.page.wait_for_function("() => document.querySelectorAll('.compare-results svg.main-svg').length >= 2",
                                   timeout=15_000)
    watched.page.locator(".compare-results .js-plotly-plot").first.hover()
    watched.assert_clean()


def test_the_policy_is_in_force(ui_site: Site, guarded: Callable[..., Guarded]) -> None:
    """The check above can fail: a script added inline is refused and reported."""
    watched = guarded(ui_site.url())
    page = watched.page
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.head.appendChild(s); }""")
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("() => window.__ran") is None
    assert watched.violations()[0].startswith("script-src")


@pytest.mark.parametrize("without_policy", [False, True], ids=["with-policy", "without-policy"])
def test_a_markdown_page_runs_nothing(ui_site: Site, guarded: Callable[..., Guarded], without_policy: bool) -> None:
    """The maintainers' page with a script, an image's error handler and links by every scheme
    that runs code: nothing runs, with the policy and without it (the sanitiser alone)."""
    watched = guarded(ui_site.url("hostile/"), without_policy=without_policy)
    page = watched.page
    assert page.locator(POLICY).count() == (0 if without_policy else 1)
    article = page.locator("article")
    assert article.locator("script, [onerror]").count() == 0
    page.wait_for_timeout(300)  # an image's error handler would have run by now
    watched.errors = [e for e in watched.errors if "404" not in e]  # that image's file is not there
    for text in REFUSED_LINKS:
        link = article.locator("a", has_text=text)
        assert link.count() == 1 and link.get_attribute("href") is None, text
        link.click()
        page.wait_for_timeout(100)
        assert page.url == ui_site.url("hostile/"), text
    assert article.locator("a", has_text="站内链接").get_attribute("href") == "../downloads/"
    watched.assert_clean()


def test_the_compare_charts_show_names_as_text(ui_site: Site, guarded: Callable[..., Guarded]) -> None:
    """A name that is markup is drawn as its characters, and a body no report names is
    （名称不详） with its year, never its file (whose name is a link to another host)."""
    rows = index_rows(ui_site)
    markup = next(name for name in rows if MARKUP_NAME in name)
    watched = guarded(ui_site.url("compare/?" + urlencode([("a", rows[markup]["slug"]),
                                                            ("a", rows[UNKNOWN_NAME]["slug"])])))
    page = watched.page
    page.locator(".compare-results .chart-plot").last.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.compare-results svg.main-svg').length >= 2",
                           timeout=15_000)
    plots = page.locator(".compare-results .js-plotly-plot")
    for index in range(plots.count()):
        plot = plots.nth(index)
        assert plot.locator(".legendtext").all_text_contents() == [markup, UNKNOWN_NAME]
        assert plot.locator("svg a, tspan[style*='bold'], tspan[style*='italic']").count() == 0
        assert plot.locator(".legendtext tspan").count() == 0  # one line of plain text, no <br>, no <sup>
        for legend in plot.locator(".legendtext").all():
            legend.click(force=True)  # where a reader clicks: a link there would open another host
            page.wait_for_timeout(100)
        plot.locator(".bars path, .points path").first.hover(force=True)
        page.wait_for_function("el => el.querySelector('.hoverlayer .hovertext')", arg=plot.element_handle())
        label = " ".join(plot.locator(".hoverlayer").all_text_contents())
        assert "粗体" not in label or "<b>粗体</b>" in label, label  # a name in the tip: as its characters
        assert plot.locator(".hoverlayer a, .hoverlayer tspan[style*='bold']").count() == 0
    text = page.locator("main").inner_text()
    assert "evil.example" not in text and "点此领取补贴" not in text and "reports/" not in text
    watched.assert_clean()
    screenshot(watched, "compare-markup-names", "desktop")
