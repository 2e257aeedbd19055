"""`python build.py serve`: build, serve on 127.0.0.1 with livereload, rebuild on change.

* The server answers from its own thread while a rebuild runs in another (``_Rebuilder``):
  a slow file never makes the preview go silent. It serves the output folder by path, so
  the atomic swap of a rebuild is picked up without restarting; the open pages are told to
  reload once the rebuild is done, not before.
* Changes are found by comparing the sizes and times of the files under the content,
  template and asset folders once a second (what livereload's own watcher does), here
  outside the server's thread.
* Only this module speaks to the maintainer: livereload's and tornado's English log lines
  are not printed, and a port already in use is a sentence saying to use ``--port``.
* Pages get the live-reload client as a script file (``<script src>``), never as inline
  script, so a page's content security policy stays as it is published.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import web
from tornado.ioloop import IOLoop

from giro_site.errors import ReportError
from giro_site.site.build.builder import BuildOptions, BuildResult, BuildSession, build_site
from giro_site.terminal import echo

HOST = "127.0.0.1"
_CLIENT = b'<script src="/livereload.js"></script>'


def port_problem(port: int, error: OSError | None = None) -> str | None:
    """Why the preview cannot listen on ``port`` (a sentence saying what to do), or None."""
    if error is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado listens
            try:
                probe.bind((HOST, port))
            except OSError as exc:
                error = exc
    if error is None:
        return None
    if error.errno == errno.EADDRINUSE:
        return (f"端口 {port} 已被占用（也许另一个预览还开着）：请关掉它，或换一个端口，"
                f"如 python build.py serve --port {port + 1 if port < 65535 else 8001}")
    if error.errno == errno.EACCES:
        return (f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）：请换一个端口，"
                "如 python build.py serve --port 8000")
    return (f"无法在端口 {port} 上启动预览（{error.strerror or error}）：请换一个端口，"
            "如 python build.py serve --port 8001")


class _ClientScript(web.OutputTransform):
    """Adds the live-reload client to every HTML page, as a script file before ``</head>``."""

    def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                              finishing: bool) -> tuple[int, Any, bytes]:
        if "html" in headers.get("Content-Type", "") and b"</head>" in chunk:
            chunk = chunk.replace(b"</head>", _CLIENT + b"</head>", 1)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(int(headers["Content-Length"]) + len(_CLIENT))
        return status_code, headers, chunk


class _OwnChanges(Watcher):  # type: ignore[misc]
    """livereload's watcher, told to look at nothing: ``_Rebuilder`` finds the changes, off
    the server's thread. (With no task at all, livereload would watch the working folder.)"""

    def __init__(self) -> None:
        super().__init__()
        self.watch("(giro-site rebuilds on its own)")

    def examine(self) -> tuple[str | None, Any]:
        return self._changes.pop() if self._changes else (None, None)


class _PreviewServer(Server):  # type: ignore[misc]
    """livereload's server, without its log lines and with the client as a script file."""

    def _setup_logging(self) -> None:
        for name in ("livereload", "tornado"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [logging.NullHandler()]
            logger.propagate = False

    def application(self, port: int, host: str, liveport: Any = None, debug: Any = None,
                    live_css: bool = True) -> None:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        handlers = [(r"/livereload", LiveReloadHandler), (r"/livereload.js", LiveReloadJSHandler),
                    (r"/(.*)", StaticFileHandler, {"path": self.root, "default_filename": "index.html"})]
        app = web.Application(handlers=handlers, transforms=[_ClientScript], log_function=lambda handler: None)
        app.listen(port, address=host)


def _snapshot(folders: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """Every file's size and modification time under ``folders`` (hidden ones skipped:
    editors' swap files)."""
    found: dict[str, tuple[int, int]] = {}
    pending = [str(folder) for folder in folders if folder.is_dir()]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        if entry.is_dir():
                            pending.append(entry.path)
                        else:
                            info = entry.stat()
                            found[entry.path] = (info.st_size, info.st_mtime_ns)
                    except OSError:
                        continue  # removed while we looked
        except OSError:
            continue
    return found


class _Rebuilder(threading.Thread):
    """Builds once, then again whenever a watched file changes, and tells the open pages."""

    interval = 1.0  # seconds between two looks at the files
    settle = 0.2  # after a change, wait this long for the editor to finish writing

    def __init__(self, options: BuildOptions, report: Callable[[BuildResult], None], address: str):
        super().__init__(name="giro-rebuild", daemon=True)
        self.options, self.report, self.address = options, report, address
        self.folders = (options.content, options.templates, options.assets)
        self.loop: IOLoop | None = None  # the server's: where to send "reload"
        # The model stays in memory between rebuilds, and a rebuild's downloads follow its
        # pages in the background (the next rebuild waits for them).
        self.session = BuildSession(background=True)

    def build(self, first: bool) -> None:
        try:
            result = build_site(self.options, self.session)
        except ReportError as exc:  # a broken site.toml or agencies.toml: keep serving the last site
            echo(f"{'生成' if first else '重新生成'}失败：{exc.describe()}（改正后会自动重新生成）", err=True)
            return
        except OSError as exc:
            echo(f"{'生成' if first else '重新生成'}失败：{exc.filename or ''} {exc.strerror or exc}", err=True)
            return
        self.report(result)
        later = "（下载文件随后更新）" if result.mode == "rebuild" else ""
        echo(f"{'已生成' if first else '已重新生成'}：{result.agencies} 个机关，{result.reports} 份报告，"
             f"{len(result.problems)} 个文件无法读取；页面用时 {result.pages_seconds:.2f} 秒{later}", err=True)
        if self.loop is not None:
            self.loop.add_callback(LiveReloadHandler.reload_waiters)

    def run(self) -> None:
        seen = _snapshot(self.folders)
        self.build(first=True)
        echo(f"本地预览：{self.address}（Ctrl+C 结束；修改内容、模板或样式后自动重新生成，打开的页面随之刷新）",
             err=True)
        while True:
            time.sleep(self.interval)
            now = _snapshot(self.folders)
            if now == seen:
                continue
            time.sleep(self.settle)
            seen = _snapshot(self.folders)
            try:
                self.build(first=False)
            except Exception as exc:  # a bug must not end the preview: say it, keep serving
                echo(f"重新生成时出错：{exc!r}", err=True)


def serve(options: BuildOptions, port: int, report: Callable[[BuildResult], None] = lambda result: None,
          *, open_browser: bool = False) -> int:
    """Serve until Ctrl+C; returns the exit status (2 when the port cannot be used). The server
    answers at once (the last site built, if any) while the first build runs."""
    problem = port_problem(port)
    if problem:
        echo(problem, err=True)
        return 2
    rebuilder = _Rebuilder(options, report, f"http://{HOST}:{port}/")
    rebuilder.loop = IOLoop.current()
    rebuilder.start()
    try:
        _PreviewServer(watcher=_OwnChanges()).serve(host=HOST, port=port, root=str(options.out),
                                                    open_url_delay=1 if open_browser else None, restart_delay=0)
    except OSError as exc:
        echo(port_problem(port, exc) or str(exc), err=True)
        return 2
    return 0
