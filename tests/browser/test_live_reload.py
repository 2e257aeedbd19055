"""`python build.py serve`: an open page shows an edited report without the reader reloading."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP
from tests.test_serve import Served, served  # noqa: F401 - the fixture that starts `serve`

pytestmark = pytest.mark.browser


def settle_after_livereload_start(page: Any) -> None:
    """Mark the page as not reloaded once its live-reload socket is connected. livereload
    reloads, by design, every page connected at its first poll after the server starts (a
    restarted server refreshes open pages): a page opened within that first ~0.8 s reloads
    once, so the mark is set again until it survives a second."""
    for _ in range(5):
        try:
            page.evaluate("() => { window.__notReloaded = true; }")
            page.wait_for_timeout(1000)  # the socket connects after load; the first poll comes
            if page.evaluate("() => window.__notReloaded === true"):
                return
        except Exception:  # the reload destroyed the page's context mid-call
            page.wait_for_load_state("load")
    raise AssertionError("the page kept reloading before any report was edited")


def test_open_page_reloads_when_a_report_is_edited(browser: Any, served: Served) -> None:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # The preview keeps the pages' content security policy: live reload must not break it.
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(served.agency_url("gaoling"), wait_until="load")
        assert "共主动公开政府信息309条" in page.locator("main").inner_text()
        settle_after_livereload_start(page)
        report = served.content / "reports" / "2020" / "001_c2f37f7082ff9ace.txt"
        report.write_text(report.read_text(encoding="utf-8").replace("309条", "310条"), encoding="utf-8")
        try:
            # A locator's wait outlives the reload (a function polled in the page can be cut off by it).
            page.locator("main", has_text="共主动公开政府信息310条").wait_for(timeout=30_000)
        except Exception:
            print(served.output())
            raise
        assert page.evaluate("() => window.__notReloaded === undefined")  # the server reloaded it, not us
        assert served.process.poll() is None
        assert not errors, errors
    finally:
        context.close()
