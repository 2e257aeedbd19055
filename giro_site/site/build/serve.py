"""`python build.py serve`: build, serve on 127.0.0.1 with livereload, rebuild on change.

The server serves the output folder by path, so the atomic swap of a rebuild is picked
up without restarting; livereload then reloads the open browser.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler

from giro_site.errors import ReportError
from giro_site.site.build.builder import BuildOptions, BuildSession, build_site


def serve(options: BuildOptions, port: int, *, open_browser: bool = False) -> None:
    # The model stays in memory between rebuilds, and a rebuild's downloads follow its pages
    # in the background (the next rebuild waits for them).
    session = BuildSession(background=True)

    def rebuild() -> None:
        try:
            result = build_site(options, session)
        except ReportError as exc:  # a broken site.toml or agencies.toml: keep serving the last site
            print(f"重新生成失败：{exc.describe()}", file=sys.stderr, flush=True)
            return
        print(f"已重新生成：{result.reports} 份报告，页面 {result.pages_seconds:.2f} 秒（下载文件随后更新）",
              file=sys.stderr, flush=True)

    rebuild()
    # livereload rebuilds on every change but tells the browser only if its last reload was
    # more than ~3 s ago: a second save soon after a first left the page showing the first.
    # The browser test caught it. Every rebuild must reach the open page.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    server = Server()
    server.SFH = type("PreviewFiles", (_PreviewFiles,), {"port": port})
    for folder in (options.content, options.templates, options.assets):
        server.watch(str(Path(folder) / "**" / "*"), rebuild, delay=None)
    print(f"本地预览：http://127.0.0.1:{port}{_base(options)}（Ctrl+C 结束）", file=sys.stderr, flush=True)
    server.serve(host="127.0.0.1", port=port, root=str(options.out), open_url_delay=1 if open_browser else None,
                 restart_delay=0)


def _base(options: BuildOptions) -> str:
    return options.base_url or "/"


def with_reload_script(html: bytes, port: int) -> bytes:
    """A page with live reload's client as a script file of the server. livereload would add
    an inline script before ``</head>``, which the pages' content security policy refuses
    (rightly: the preview shows the pages as they are published, policy included). The end
    tag goes (HTML lets a page leave it out), so livereload finds nowhere to add its own."""
    return html.replace(b"</head>", f'<script src="/livereload.js?port={port}"></script>'.encode(), 1)


class _PreviewFiles(StaticFileHandler):
    """The built site's files; pages with live reload's script (``with_reload_script``)."""

    port = 0

    @classmethod
    def get_content(cls, abspath: str, start: int | None = None, end: int | None = None) -> Any:
        if not abspath.endswith(".html"):
            return super().get_content(abspath, start, end)
        return with_reload_script(Path(abspath).read_bytes(), cls.port)[start:end]

    def get_content_size(self) -> int:
        path = self.absolute_path or ""
        if not path.endswith(".html"):
            return super().get_content_size()
        return len(with_reload_script(Path(path).read_bytes(), self.port))
