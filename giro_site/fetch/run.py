"""Fetch a list of addresses: each one's page and attachments, decided and saved.

Requests run in a thread pool (the host gate keeps them polite); reading files and saving
them happen in the calling thread, one at a time, so the readers and the content index
need no locks and the PDF reader forks from one thread only.

For one address, what is saved:

- a report file (PDF, DOCX, text): itself, in its year's folder. A file the readers cannot
  read (a scan, a ``.doc``) is kept too when it was asked for or linked as the report,
  with the reason (the build will list it as unreadable);
- a page: the page when its tables are in it; each attachment linked as the report (its
  words or file name say 报告) or, failing that, the page's only attachment if it reads as
  a report; a page with neither tables nor attachment but a report's prose is kept, with a
  note. A page that is no report but links to a few disclosure-report pages leads to them
  (one step); one that links to many is a listing, whose report links are printed.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.fetch.classify import Reading, page_text, plausible_year, read_file, size_limit, sniff_suffix
from giro_site.fetch.client import USER_AGENT, Client, ClientOptions, FetchError, Response
from giro_site.fetch.links import Link, ascii_url, describe, names_report, page_links, suffix_of, usable
from giro_site.fetch.progress import Progress
from giro_site.fetch.save import EXISTS, SAVED, VERSION, ContentIndex, Saved, safe_stem
from giro_site.prose.identity import full_name

PAGE_SUFFIXES = (".html", ".htm", ".shtml")
KEPT_UNREADABLE = frozenset({".pdf", ".docx", ".doc", ".wps"})  # a report's own formats, to convert by hand
MAX_ATTACHMENTS = 3  # report attachments taken from one page
MAX_REPORT_PAGES = 3  # report pages a page may lead to; more is a listing
LISTED = 20  # report links printed for a listing page
_REPORT_BUG = "请把这一行报告给本工具的维护者；报告可以先在浏览器中打开，另存为文件放入 content/reports/<年度>/"


@dataclass
class FetchOptions:
    content: Path = Path("content")
    client: ClientOptions = field(default_factory=ClientOptions)
    workers: int = 8


@dataclass
class _Node:
    url: str
    depth: int  # 0: an address given; 1: linked from it; 2: an attachment of a linked page
    parent: _Node | None = None
    link: Link | None = None
    response: Response | None = None
    error: str | None = None
    suffix: str | None = None
    reading: Reading | None = None
    children: list[_Node] = field(default_factory=list)
    pending: int = 0
    listing: list[Link] = field(default_factory=list)  # a listing page's report links

    @property
    def root(self) -> _Node:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


@dataclass
class Summary:
    addresses: int = 0
    saved: int = 0
    exists: int = 0
    versions: int = 0
    failed: int = 0

    def line(self) -> str:
        return (f"共 {self.addresses} 个地址：新保存 {self.saved} 个文件，已有 {self.exists} 个（未改动），"
                f"新版本 {self.versions} 个，失败 {self.failed} 个地址。")


@dataclass
class _Outcome:
    lines: list[str] = field(default_factory=list)
    kept: list[Saved] = field(default_factory=list)


def read_list(text: str) -> list[str]:
    """The addresses of a list file: one a line; ``#`` starts a comment (a whole line, or after
    a space); blank lines are skipped."""
    addresses = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        addresses.append(line.split(" #", 1)[0].split("\t#", 1)[0].strip())
    return addresses


def check_address(address: str) -> str:
    """The address as requested (ASCII); ValueError with a Chinese reason if it cannot be."""
    try:
        parts = urllib.parse.urlsplit(address.strip())
    except ValueError:  # urllib's reason is English: ours says what to do
        raise ValueError("网址的格式不对（域名中有不能出现的字符，如全角冒号）：请从浏览器地址栏复制完整地址") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValueError("只能抓取 http:// 或 https:// 开头的网址：请从浏览器地址栏复制完整地址")
    if not parts.hostname:
        raise ValueError("网址中没有网站域名：请从浏览器地址栏复制完整地址")
    try:
        url = ascii_url(address)
    except ValueError:
        url = ""
    if not usable(url):
        raise ValueError("网址的格式不对（域名中有不能出现的字符，或端口不是数字）：请从浏览器地址栏复制完整地址")
    return url


class _Run:
    def __init__(self, options: FetchOptions, client: Client, index: ContentIndex):
        self.options, self.client, self.index = options, client, index
        self.pool = ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="fetch")
        self.pending: dict[Future[Response], _Node] = {}

    def submit(self, node: _Node) -> None:
        referer = node.parent.response.final_url if node.parent and node.parent.response else None
        self.pending[self.pool.submit(self.client.get, node.url, referer=referer)] = node

    def finished(self) -> list[_Node]:
        """Wait for a request to end; the given addresses now complete, in the order they did."""
        done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
        complete = []
        for future in done:
            node = self.pending.pop(future)
            try:
                node.response = future.result()
            except FetchError as exc:
                node.error = exc.message
            except Exception as exc:  # one address's surprise must not end the list
                node.error = f"请求时程序出错（{type(exc).__name__}: {exc}）：{_REPORT_BUG}"
            try:
                self.look_at(node)
            except Exception as exc:  # as above
                node.error, node.reading = f"读取时程序出错（{type(exc).__name__}: {exc}）：{_REPORT_BUG}", None
            complete += self.settle(node)
        return complete

    def settle(self, node: _Node) -> list[_Node]:
        """Count the node done with its parent; the root, if that completed it."""
        while node.pending == 0:
            if node.parent is None:
                return [node]
            node = node.parent
            node.pending -= 1
        return []

    def look_at(self, node: _Node) -> None:
        """Type and read the response; for a page, queue what it leads to."""
        response = node.response
        if response is None:
            return
        names = [response.file_name, node.link.name if node.link else None, response.final_url, node.url]
        node.suffix = sniff_suffix(response.body[:65536], response.content_type, *names)
        if node.suffix is None:
            node.error = f"无法判断文件类型（服务器声明为“{response.content_type or '未声明'}”）：请在浏览器中打开确认"
            return
        node.reading = read_file(response.body, node.suffix)
        if _is_page(node) and node.depth < 2:
            for child in self.followed(node):
                node.children.append(child)
                node.pending += 1
                self.submit(child)

    def followed(self, node: _Node) -> list[_Node]:
        assert node.response is not None and node.reading is not None
        decoded = page_text(node.response.body, node.response.content_type)
        if decoded is None:
            return []
        found = page_links(decoded[0], node.response.final_url, decoded[1])
        links = found.links
        if node.reading.report is None and found.refresh and node.depth == 0:
            return [_Node(found.refresh, 1, node, describe(found.refresh, ""))]  # a redirect written in the page
        files = [link for link in links if link.is_file]
        chosen = [link for link in files if link.names_report][:MAX_ATTACHMENTS]
        if not chosen and not node.reading.has_tables and (len(files) == 1 or names_report(found.title)):
            chosen = files[:MAX_ATTACHMENTS]  # the page's attachments: kept only if they read as reports
        children = [_Node(link.url, node.depth + 1, node, link) for link in chosen]
        if node.reading.report is None and node.depth == 0 and not chosen:
            pages = [link for link in links if not link.is_file and link.names_disclosure_report]
            if len(pages) > MAX_REPORT_PAGES:
                node.listing = pages
            else:
                children += [_Node(link.url, 1, node, link) for link in pages]
        return children

    def close(self, *, wait: bool = True) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


def _report_name(node: _Node | None) -> str | None:
    report = node.reading.report if node is not None and node.reading else None
    return (full_name(report.get("agency"), report.get("region")) or report.get("title")) if report else None


def _stem(node: _Node) -> str:
    """A file's name: the body the report names, else (an attachment) the page's, else the
    name the link, the server or the address give."""
    name = _report_name(node) or _report_name(node.parent)
    response = node.response
    assert response is not None
    for candidate in (node.link.name if node.link else None, response.file_name):
        if not name and candidate:
            name = candidate.rsplit(".", 1)[0] if suffix_of(candidate) else candidate
    if not name:
        last = urllib.parse.unquote(urllib.parse.urlsplit(response.final_url).path.rsplit("/", 1)[-1])
        name = last.rsplit(".", 1)[0] if "." in last else last
    return safe_stem(name, fallback=safe_stem(urllib.parse.urlsplit(node.url).hostname, "report"))


def _record(node: _Node) -> dict[str, Any]:
    response = node.response
    assert response is not None
    record: dict[str, Any] = {"url": node.url, "final_url": response.final_url}
    if node.parent is not None and node.parent.response is not None and node.parent.suffix in PAGE_SUFFIXES:
        record["page_url"] = node.parent.url
    record.update({"fetched_at": response.fetched_at, "content_type": response.content_type,
                   "sha256": hashlib.sha256(response.body).hexdigest(), "fetched_by": USER_AGENT.split(" ", 1)[0]})
    return record


def _is_page(node: _Node) -> bool:
    """A web page to look into: HTML that was not linked as an attachment."""
    return node.suffix in PAGE_SUFFIXES and (node.link is None or not node.link.is_file)


class _Decide:
    """What to keep of one address's tree, and the lines that say so."""

    def __init__(self, index: ContentIndex, content: Path):
        self.index, self.content = index, content
        self.outcome = _Outcome()

    def shown(self, path: Path) -> str:
        try:
            return f"{self.content.name}/{path.relative_to(self.content).as_posix()}"
        except ValueError:
            return path.as_posix()

    def keep(self, node: _Node, year: int | None, note: str | None = None) -> None:
        response = node.response
        assert response is not None and node.suffix is not None
        placed = year if plausible_year(year) else None
        saved = self.index.save(response.body, _record(node), year=placed, stem=_stem(node), suffix=node.suffix)
        self.outcome.kept.append(saved)
        where = self.shown(saved.path)
        if saved.status == EXISTS:
            extra = "，已补记来源" if saved.sidecar_added else ""
            self.outcome.lines.append(f"已有：{where} 内容相同，未改动{extra}（{node.url}）")
        elif saved.status == VERSION:
            old = self.shown(saved.other) if saved.other else ""
            self.outcome.lines.append(f"新版本：{where}（旧版本 {old} 保留；{node.url}）")
        else:
            self.outcome.lines.append(f"已保存：{where}（{node.url}）")
        if saved.status != EXISTS and placed is None:
            said = f"报告写的年度 {year} 不可信" if year is not None else "报告中读不出年度"
            self.outcome.lines.append(f"注意：{said}，已存入 {self.shown(self.index.reports / 'unsorted')}/："
                                      "请核对后移到对应年度的文件夹（网站按报告自己写明的年度显示）")
        if note:
            self.outcome.lines.append(f"注意：{note}")

    def file(self, node: _Node, inherited_year: int | None, *, page_kept: bool = False) -> bool:
        """Keep a report file; True if something was kept. What is not kept gets a line. An
        unreadable attachment of a page kept as the report (``page_kept``) adds nothing the
        build can read, and is not kept."""
        reading = node.reading
        asked = node.depth == 0 or (node.link is not None and node.link.names_report and not page_kept)
        if node.error or reading is None:
            said = "失败" if node.depth == 0 else "未能获取附件"
            self.outcome.lines.append(f"{said}：{node.url}：{node.error}")
            return False
        if reading.report is not None:
            self.keep(node, reading.year)
            return True
        if reading.unreadable and asked and reading.suffix in KEPT_UNREADABLE:
            self.keep(node, inherited_year, f"这个文件无法读取：{reading.unreadable}（生成网站时会列为无法读取的文件）")
            return True
        reason = reading.unreadable or reading.not_report
        if page_kept and reading.unreadable:
            reason += "（页面本身已作为报告保存）"
        self.outcome.lines.append(f"{'失败' if node.depth == 0 else '跳过'}：{node.url}：{reason}")
        return False

    def page(self, node: _Node) -> bool:
        """Keep what a page leads to, and the page where its tables are; True if anything was kept."""
        reading = node.reading
        assert reading is not None
        year = reading.year if plausible_year(reading.year) else None
        kept = False
        if reading.report is not None and reading.has_tables:
            self.keep(node, reading.year)
            kept = True
        reports_kept = False  # a report read from an attachment or a linked page
        for child in node.children:
            if _is_page(child) and child.reading is not None:
                got = self.page(child)
                reports_kept |= got
            else:
                got = self.file(child, year, page_kept=kept)
                reports_kept |= got and child.reading is not None and child.reading.report is not None
            kept |= got
        if reading.report is not None and not reading.has_tables and not reports_kept:
            self.keep(node, reading.year, "页面中没有国家表格（可能是图片，或在没有找到的附件里）：已保存页面，"
                                          "生成网站时会提示缺少表格；如有附件版本，请把附件的地址也给出")
            kept = True
        if not kept:
            self.outcome.lines.append(f"失败：{node.url}：{self.page_failure(node)}")
        return kept

    def page_failure(self, node: _Node) -> str:
        reading = node.reading
        assert reading is not None
        if node.listing:
            shown = "；".join(link.url for link in node.listing[:LISTED])
            more = f"（前 {LISTED} 个）" if len(node.listing) > LISTED else ""
            return (f"这是列表页面，链接了 {len(node.listing)} 份年度报告，本工具不逐个抓取列表："
                    f"请把要的报告地址逐个给出（可写入文件用 --list）。其中的报告地址{more}：{shown}")
        if node.children:
            return "页面本身不是年度报告，它链接的报告文件或页面也都没能保存（见上）"
        return reading.not_report or reading.unreadable or "页面中找不到可读取的年度报告"

    def decide(self, root: _Node) -> _Outcome:
        if root.error is not None or root.reading is None or not _is_page(root):
            self.file(root, None)
        else:
            self.page(root)
        return self.outcome


def fetch_addresses(addresses: list[str], options: FetchOptions, *,
                    progress: Progress | None = None, client: Client | None = None,
                    echo: Callable[[str], None] = print) -> Summary:
    """Fetch every address; print a line per address (``progress``) and return the counts."""
    summary = Summary(addresses=len(addresses))
    progress = progress or Progress(len(addresses))
    client = client or Client(options.client, limit=size_limit)
    index = ContentIndex(options.content)
    run = _Run(options, client, index)
    seen: set[str] = set()
    interrupted = True
    try:
        for address in addresses:
            try:
                url = check_address(address)
            except ValueError as exc:
                summary.failed += 1
                progress.address_done([f"失败：{address}：{exc}"])
                continue
            if url in seen:
                progress.address_done([f"跳过：{address}：与前面的地址重复"])
                continue
            seen.add(url)
            run.submit(_Node(url, 0))
        while run.pending:
            for root in run.finished():
                outcome = _Decide(index, options.content).decide(root)
                statuses = [saved.status for saved in outcome.kept]
                summary.saved += statuses.count(SAVED)
                summary.exists += statuses.count(EXISTS)
                summary.versions += statuses.count(VERSION)
                summary.failed += not outcome.kept
                progress.address_done(outcome.lines or [f"失败：{root.url}：没有找到报告"])
        interrupted = False
    finally:
        run.close(wait=not interrupted)  # on Ctrl-C, requests under way are not waited for
        progress.close()
    echo(summary.line())
    return summary
