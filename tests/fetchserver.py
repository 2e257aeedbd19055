"""A local web site for the fetch tests: routes that behave as government sites do (GBK
pages without a charset header, download scripts, redirects, errors, slow answers), and a
log of every request with its host, its start and end, and how many ran at once, so the
tests can measure the politeness limits from the server's side. Serves 127.0.0.1 only.

``serve`` runs in the test's process; ``serve_process`` runs a folder's files in a process
of its own, so that its clock is not held up by the client's threads (one interpreter
lock): the timing measurements use it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html"  # None: no Content-Type header at all
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    failures: int = 0  # answer 500 this many times first
    length: int | None = None  # a Content-Length to declare instead of the body's
    stream: int = 0  # after the body, this many more bytes of filler, without Content-Length


@dataclass
class Hit:
    host: str
    path: str
    start: float
    end: float = 0.0
    user_agent: str = ""
    referer: str = ""


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.active: dict[str, int] = {}
        self.most_at_once: dict[str, int] = {}
        self.lock = threading.Lock()
        self.port = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes = b"", **options: object) -> str:
        self.routes[path] = Route(body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, target: str, status: int = 302) -> str:
        return self.add(path, status=status, headers={"Location": target}, content_type=None)

    def hits_of(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def _begin(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)
            self.active[hit.host] = self.active.get(hit.host, 0) + 1
            self.most_at_once[hit.host] = max(self.most_at_once.get(hit.host, 0), self.active[hit.host])

    def _end(self, hit: Hit) -> None:
        with self.lock:
            hit.end = time.monotonic()
            self.active[hit.host] -= 1


class _Server(ThreadingHTTPServer):
    """Notes when each connection was accepted, before a thread is made for it: the closest
    this side gets to when a request arrived."""

    daemon_threads = True

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.accepted: dict[int, float] = {}

    def process_request(self, request: object, client_address: object) -> None:
        self.accepted[id(request)] = time.monotonic()
        super().process_request(request, client_address)  # type: ignore[arg-type]


def _handler(site: Site, pause: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            """A request counts as running from its arrival until just before its answer is
            sent: within the time the client holds it, so what overlaps here overlapped there."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            accepted = self.server.accepted.pop(id(self.request), None)  # type: ignore[attr-defined]
            self.hit = Hit(host, self.path, accepted or time.monotonic(), user_agent=self.headers.get("User-Agent", ""),
                           referer=self.headers.get("Referer", ""))
            self.ended = False
            site._begin(self.hit)
            try:
                if pause and self.path != "/__log":
                    time.sleep(pause)  # take a while to answer, so overlapping requests show
                self._answer(site.routes.get(self.path))
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                self._end()

        def _end(self) -> None:
            if not self.ended:
                self.ended = True
                site._end(self.hit)

        def _answer(self, route: Route | None) -> None:
            if route is None:
                self._end()
                self.send_error(404)
                return
            if route.delay:
                time.sleep(route.delay)
            if route.failures > 0:
                route.failures -= 1
                self._end()
                self.send_error(500)
                return
            self.send_response(route.status)
            if route.content_type is not None:
                self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if not route.stream:
                self.send_header("Content-Length", str(route.length if route.length is not None else len(route.body)))
            self._end()
            self.end_headers()
            self.wfile.write(route.body)
            filler = b"0" * 65536
            for _ in range(route.stream // len(filler)):
                self.wfile.write(filler)

    return Handler


@contextmanager
def serve(pause: float = 0.0) -> Iterator[Site]:
    """A site on a free port of 127.0.0.1 (reachable as ``localhost`` too: a second host)."""
    site = Site()
    server = _Server(("127.0.0.1", 0), _handler(site, pause))
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()




@contextmanager
def serve_process(folder: str, pause: float) -> Iterator[tuple[int, Callable[[], dict[str, object]]]]:
    """The files of ``folder`` served by a child process, those named ``slow*`` after ``pause``
    seconds: (port, a call that returns the
    child's log of requests, ``{"hits": [[host, path, start, end, user agent]…], "most": {host: n}}``)."""
    child = subprocess.Popen([sys.executable, "-m", "tests.fetchserver", folder, str(pause)],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline().split()[1])

        def log() -> dict[str, object]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__log", timeout=10) as answer:
                return json.loads(answer.read())  # type: ignore[no-any-return]

        yield port, log
    finally:
        child.terminate()
        child.wait(timeout=10)


def _serve_folder(folder: Path, pause: float) -> None:
    """Serve the folder's files; those named ``slow*`` answer after ``pause`` seconds."""
    site = Site()
    for path in folder.iterdir():
        kind = "text/plain; charset=utf-8" if path.suffix == ".txt" else "text/html"
        site.add(f"/{path.name}", path.read_bytes(), content_type=kind,
                 delay=pause if path.name.startswith("slow") else 0.0)
    server = _Server(("127.0.0.1", 0), _handler(site, 0.0))
    site.routes["/__log"] = _LogRoute(site)  # type: ignore[assignment]
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


class _LogRoute(Route):
    """The log as the body, made when asked for."""

    def __init__(self, site: Site):
        super().__init__(content_type="application/json")
        self.site = site

    @property  # type: ignore[override]
    def body(self) -> bytes:
        with self.site.lock:
            hits = [[h.host, h.path, h.start, h.end, h.user_agent] for h in self.site.hits if h.path != "/__log"]
            most = {host: n for host, n in self.site.most_at_once.items()}
        return json.dumps({"hits": hits, "most": most}).encode()

    @body.setter
    def body(self, value: bytes) -> None:
        pass


if __name__ == "__main__":
    _serve_folder(Path(sys.argv[1]), float(sys.argv[2]))
