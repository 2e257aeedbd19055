"""One polite HTTP GET with the standard library: what ``fetch`` asks of a web site.

Every request, redirect hops and retries included, goes through the host gate
(``politeness``). Redirects are followed here, one hop at a time and only to http(s), so each
hop is gated and the chain is known. 5xx answers, 429 and network failures are retried a
few times with growing pauses; other answers are final. A body is read in chunks and
given up as soon as it passes the size cap of its kind (the readers' caps) or the time
limit, so a hostile server costs neither memory nor an unbounded wait. Nothing a server
sends is run: there is no script engine here at all.
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.utils
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

from giro_site.fetch.politeness import MAX_PER_HOST, HostGate

VERSION = "0.1.0"
# ASCII only (HTTP headers are Latin-1): names the tool and what it does, for a site's logs.
USER_AGENT = (f"giro-site-fetch/{VERSION} (static site of government-information-disclosure annual reports; "
              "downloads published reports one by one when a maintainer asks; no crawling)")
CHUNK = 64 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# (head of the body, Content-Type, URL) → (most bytes such a file may have, what to call it)
SizeLimit = Callable[[bytes, str, str], tuple[int, str]]


def _default_limit(head: bytes, content_type: str, url: str) -> tuple[int, str]:
    return 200 * 1024 * 1024, "文件"


@dataclass(frozen=True)
class ClientOptions:
    user_agent: str = USER_AGENT
    timeout: float = 30.0  # seconds to connect, and between two reads of the body
    total_timeout: float = 300.0  # seconds for one response, body included
    retries: int = 3  # more attempts after the first, on 5xx, 429 and network errors
    backoff: float = 2.0  # seconds before the first retry; doubled each time
    max_retry_wait: float = 60.0  # the most a server's Retry-After is obeyed
    per_host: int = MAX_PER_HOST
    delay: float = 1.0  # seconds between the starts of two requests to one host
    max_redirects: int = 10
    max_bytes: int | None = None  # a lower cap than the readers', for tests


@dataclass
class Response:
    url: str  # the address asked for
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    fetched_at: str  # UTC, ISO 8601 with seconds: 2024-05-01T08:00:00Z
    file_name: str | None = None  # the name a Content-Disposition header gives
    redirects: list[str] = field(default_factory=list)  # the addresses passed through


class FetchError(Exception):
    """A request that failed for good; ``message`` is one Chinese sentence saying what to do."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class _Retry(Exception):
    def __init__(self, message: str, wait: float | None = None, status: int | None = None):
        super().__init__(message)
        self.message, self.wait, self.status = message, wait, status


def _announcing(http_class: Any, sent: Callable[[], None]) -> Callable[..., Any]:
    """``http_class`` whose connections call ``sent`` once a request's headers are out."""

    def make(*args: Any, **kwargs: Any) -> Any:
        connection = http_class(*args, **kwargs)
        send_headers = connection.endheaders

        def endheaders(*more: Any, **options: Any) -> None:
            send_headers(*more, **options)
            sent()

        connection.endheaders = endheaders
        return connection

    return make


class _AnnouncingHTTP(urllib.request.HTTPHandler):
    def do_open(self, http_class, req, **kwargs):  # type: ignore[no-untyped-def]
        sent = getattr(req, "sent", None)
        return super().do_open(_announcing(http_class, sent) if sent else http_class, req, **kwargs)


class _AnnouncingHTTPS(urllib.request.HTTPSHandler):
    def do_open(self, http_class, req, **kwargs):  # type: ignore[no-untyped-def]
        sent = getattr(req, "sent", None)
        return super().do_open(_announcing(http_class, sent) if sent else http_class, req, **kwargs)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back as they are: ``Client`` follows them itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        """Not even read here: urllib would join the Location first and raise on one it cannot
        split (``http://[bad``) before ``Client`` could say so in Chinese."""
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def _disposition_name(value: str | None) -> str | None:
    """The file name of ``Content-Disposition: attachment; filename*=UTF-8''…`` or ``filename=…``
    (Chinese servers send GBK or UTF-8 bytes raw in the plain form)."""
    if not value:
        return None
    message = email.message.Message()
    message["content-disposition"] = value
    name = message.get_filename()
    if not name:
        return None
    if any(ord(ch) > 0x7F for ch in name):
        try:  # raw bytes decoded by http.client as Latin-1
            raw = name.encode("latin-1")
            for codec in ("utf-8", "gb18030"):
                try:
                    return raw.decode(codec)
                except UnicodeDecodeError:
                    continue
        except UnicodeEncodeError:
            return name
    return urllib.parse.unquote(name)


class _Body:
    """Reads a body chunk by chunk under a size cap and a deadline, undoing gzip/deflate."""

    def __init__(self, response: http.client.HTTPResponse, limit: SizeLimit, url: str, options: ClientOptions,
                 deadline: float):
        self.response, self.limit, self.url, self.options, self.deadline = response, limit, url, options, deadline
        self.content_type = response.headers.get("Content-Type", "")
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        self.inflate = (zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in {"gzip", "x-gzip"}
                        else zlib.decompressobj() if encoding == "deflate" else None)

    def _cap(self, head: bytes) -> tuple[int, str]:
        cap, kind = self.limit(head, self.content_type, self.url)
        return (min(cap, self.options.max_bytes) if self.options.max_bytes else cap), kind

    def _too_large(self, size: int, cap: int, kind: str, *, declared: bool = False) -> FetchError:
        said = "服务器声明" if declared else "已超过"
        return FetchError(f"{kind}{said} {size / 1048576:.1f} MB，超出上限 {cap / 1048576:.0f} MB，不像是一份年度报告："
                          "请核对地址是否指向报告本身")

    def read(self) -> bytes:
        cap, kind = self._cap(b"")
        declared = self.response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and self.inflate is None and int(declared) > cap:
            raise self._too_large(int(declared), cap, kind, declared=True)
        parts: list[bytes] = []
        size = 0
        refined = False
        while True:
            if time.monotonic() > self.deadline:
                raise _Retry(f"{self.options.total_timeout:g} 秒内没有下载完")
            chunk = self.response.read(CHUNK)
            if not chunk:
                if self.inflate is not None:
                    parts.append(self.inflate.flush())
                    if sum(map(len, parts)) > cap:
                        raise self._too_large(sum(map(len, parts)), cap, kind)
                break
            if self.inflate is not None:
                try:
                    chunk = self.inflate.decompress(chunk, cap + 1 - size)
                except zlib.error as exc:
                    raise _Retry("服务器发来的压缩数据已损坏") from exc
            parts.append(chunk)
            size += len(chunk)
            if not refined and size:
                cap, kind = self._cap(b"".join(parts)[:CHUNK])
                refined = True
            if size > cap:
                raise self._too_large(size, cap, kind)
        return b"".join(parts)


class Client:
    """GETs with the politeness, retries and limits of ``ClientOptions``; thread-safe."""

    def __init__(self, options: ClientOptions | None = None, *, gate: HostGate | None = None,
                 limit: SizeLimit = _default_limit, sleep: Callable[[float], None] = time.sleep):
        self.options = options or ClientOptions()
        self.gate = gate or HostGate(self.options.per_host, self.options.delay)
        self.limit = limit
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect(), _AnnouncingHTTP(), _AnnouncingHTTPS(),
                                                   urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, url: str, *, referer: str | None = None) -> Response:
        """The body at ``url`` after redirects; FetchError with what to do when it cannot be had."""
        chain: list[str] = []
        current = url
        for _ in range(self.options.max_redirects + 1):
            status, headers, body = self._attempts(current, referer)
            if status in REDIRECT_STATUSES:
                location = headers.get("Location")
                if not location:
                    raise FetchError(f"服务器返回跳转（HTTP {status}）却没有给出新地址：请在浏览器中打开确认",
                                     status=status)
                try:
                    target = urllib.parse.urljoin(current, location.strip())
                    scheme = urllib.parse.urlsplit(target).scheme.lower()
                except ValueError:  # a host urllib refuses to split (full-width colon, …)
                    raise FetchError(f"网址跳转到了一个格式不对的地址（{location.strip()[:80]}）：请在浏览器中打开，"
                                     "确认报告的真实地址后再试", status=status) from None
                if scheme not in {"http", "https"}:
                    raise FetchError(f"网址跳转到了 {target[:80]}，本工具只跟随 http/https 跳转："
                                     "请在浏览器中打开，确认报告的真实地址后再试")
                chain.append(current)
                current = target
                continue
            return Response(url=url, final_url=current, status=status,
                            content_type=headers.get("Content-Type", ""), body=body, fetched_at=now_utc(),
                            file_name=_disposition_name(headers.get("Content-Disposition")), redirects=chain)
        raise FetchError(f"跳转超过 {self.options.max_redirects} 次（可能是循环跳转）："
                         "请在浏览器中打开，确认报告的真实地址")

    def _attempts(self, url: str, referer: str | None) -> tuple[int, http.client.HTTPMessage, bytes]:
        attempt = 0
        while True:
            try:
                return self._once(url, referer)
            except _Retry as retry:
                if attempt >= self.options.retries:
                    tried = f"，重试 {attempt} 次仍失败" if attempt else ""
                    raise FetchError(f"{retry.message}{tried}：{_LATER}", status=retry.status) from None
                wait = self.options.backoff * (2 ** attempt)
                if retry.wait is not None:
                    wait = max(wait, min(retry.wait, self.options.max_retry_wait))
                attempt += 1
                self._sleep(wait)

    def _once(self, url: str, referer: str | None) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {"User-Agent": self.options.user_agent, "Accept-Encoding": "gzip, identity",
                   "Accept": "text/html,application/xhtml+xml,application/pdf,application/msword,"
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.8",
                   "Accept-Language": "zh-CN,zh;q=0.9"}
        if referer:
            headers["Referer"] = referer
        request = urllib.request.Request(url, headers=headers)
        with self.gate.slot(host_of(url)) as sent:
            request.sent = sent  # type: ignore[attr-defined]
            started = time.monotonic()
            try:
                with self._opener.open(request, timeout=self.options.timeout) as response:
                    body = _Body(response, self.limit, url, self.options,
                                 started + self.options.total_timeout).read()
                    return response.status, response.headers, body
            except urllib.error.HTTPError as exc:
                return self._status(exc)
            except TimeoutError:
                raise _Retry(f"连接超时（{self.options.timeout:g} 秒内没有响应）") from None
            except urllib.error.URLError as exc:
                raise _network(exc.reason) from None
            except (http.client.HTTPException, ConnectionError, OSError) as exc:
                raise _network(exc) from None

    def _status(self, exc: urllib.error.HTTPError) -> tuple[int, http.client.HTTPMessage, bytes]:
        status = exc.code
        exc.close()
        if status in REDIRECT_STATUSES:
            return status, exc.headers, b""
        if status in RETRY_STATUSES:
            raise _Retry(f"服务器出错（HTTP {status}）", _retry_after(exc.headers.get("Retry-After")), status)
        advice = (_STATUS_ADVICE.get(status)
                  or f"服务器拒绝了请求（HTTP {status}）：请在浏览器中打开这个地址，确认能看到报告")
        raise FetchError(advice, status=status)


_LATER = "请稍后再试；多次失败时，请在浏览器中打开这个地址确认网站能访问"
_BROWSER = "请在浏览器中打开，把报告另存为文件（网页存为“网页，仅 HTML”），放入 content/reports/<年度>/"
_STATUS_ADVICE = {
    400: "服务器认为地址有误（HTTP 400）：请核对地址，注意不要漏掉“?”后面的部分",
    401: f"这个地址需要登录（HTTP 401）：{_BROWSER}",
    403: f"网站拒绝程序访问（HTTP 403）：{_BROWSER}",
    404: "网页不存在（HTTP 404）：请核对地址，或在机关网站上重新找到这份报告",
    410: "网页已被删除（HTTP 410）：请在机关网站上重新找到这份报告",
    412: f"网站要求先在浏览器中运行脚本做验证（HTTP 412，常见的防爬虫保护），本工具不运行网页脚本：{_BROWSER}",
}


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds()) if when.tzinfo else None


def _network(reason: object) -> Exception:
    """A network failure as a retry, or as final when retrying cannot help."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return FetchError(f"网站的 HTTPS 证书无法验证（{reason.verify_message}）：{_BROWSER}")
    if isinstance(reason, ssl.SSLError):
        return _Retry("HTTPS 连接出错")
    if isinstance(reason, socket.gaierror):
        if reason.errno == socket.EAI_AGAIN:
            return _Retry("暂时无法解析网站的域名")
        return FetchError("找不到这个网站（域名无法解析）：请核对地址中的域名")
    if isinstance(reason, TimeoutError):
        return _Retry("连接超时")
    if isinstance(reason, ConnectionRefusedError):
        return _Retry("网站拒绝连接")
    if isinstance(reason, http.client.HTTPException | ConnectionError):
        return _Retry("连接中断")
    return _Retry(f"网络出错（{reason}）")
