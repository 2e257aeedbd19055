"""``build.py fetch``: reports added by their address, from a web site served on 127.0.0.1 by
the test itself (``fetchserver``); nothing here reaches the internet.

The pages are the seeds written as government sites publish them (``writers``: a CMS page
around the article, GBK without a charset header) and printed to PDF (``pdfs``)."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import itertools
import json
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from giro_site.cli import main
from giro_site.fetch.classify import sniff_suffix
from giro_site.fetch.client import ClientOptions
from giro_site.fetch.links import page_links
from giro_site.fetch.politeness import HostGate
from giro_site.fetch.progress import Progress
from giro_site.fetch.run import FetchOptions, Summary, fetch_addresses, read_list
from giro_site.fetch.save import safe_stem
from giro_site.fetch.sidecar import SUFFIX, official_url, origin, safe_url
from giro_site.progress import Lines
from giro_site.readers.text import parse_text
from giro_site.site.build.builder import BuildOptions, build_site
from tests.conftest import SEEDS
from tests.fetchserver import Site, serve, serve_process
from tests.pdfs import Printer
from tests.writers import document_to_docx, document_to_html

FAST = {"timeout": 2.0, "total_timeout": 10.0, "retries": 2, "backoff": 0.01, "delay": 0.0}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def seed_text(index: int) -> str:
    return SEEDS[index].read_text(encoding="utf-8")


def page(index: int, *, encoding: str = "utf-8", declare: str | None = "utf-8", extra: str = "",
         text: str | None = None) -> bytes:
    """Seed ``index`` as a CMS article; ``extra`` markup (an attachment link) after the article."""
    html = document_to_html(parse_text(text or seed_text(index)), encoding=encoding, declare=declare)
    return html.replace(b"</body>", extra.encode(encoding) + b"</body>")


@functools.cache
def docx(index: int) -> bytes:
    """Seed ``index`` as a Word file; the same bytes each time (a zip records when it was made)."""
    return document_to_docx(parse_text(seed_text(index)))


def wrapper(title: str, link: str) -> bytes:
    """A CMS article that only points to its attachment."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><h1>{title}</h1><p>详见附件。</p><p>{link}</p>'
            '<div class="footer">主办单位：某某镇人民政府</div></body></html>').encode()


def fetch(urls: list[str], content: Path, **client: float) -> tuple[Summary, str]:
    out = io.StringIO()
    options = FetchOptions(content=content, client=ClientOptions(**{**FAST, **client}))  # type: ignore[arg-type]
    summary = fetch_addresses(urls, options, progress=Progress(len(urls), Lines(out)),
                              echo=lambda line: out.write(line + "\n"))
    return summary, out.getvalue().split("\n", 1)[1]  # after the stage's line ("下载报告…")


def files(content: Path) -> dict[str, bytes]:
    reports = content / "reports"
    return {p.relative_to(reports).as_posix(): p.read_bytes() for p in sorted(reports.rglob("*")) if p.is_file()}


def stamps(content: Path) -> dict[Path, tuple[int, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (content / "reports").rglob("*") if p.is_file()}


def record(path: Path) -> dict[str, str]:
    return json.loads(path.with_name(path.name + SUFFIX).read_text(encoding="utf-8"))


@pytest.fixture
def site() -> Site:
    with serve() as served:
        yield served


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "reports").mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def seed_printer(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    printer = Printer(tmp_path_factory.mktemp("fetch-pdf"))
    printer.add_web("seed2", page(2))
    return printer


@pytest.fixture(scope="module")
def printed(seed_printer: Printer) -> dict[str, bytes]:
    """Seed 2 as a browser prints its page to PDF, and the same PDF scanned (no text layer)."""
    from tests.test_pdf_refusals import scanned

    pdf = seed_printer.pdf("seed2")
    return {"pdf": pdf.read_bytes(), "scanned": scanned(pdf)}


# --- what an address is ---------------------------------------------------------------------


def test_a_gbk_page_without_any_charset_is_saved_as_served_in_its_year(site: Site, content: Path) -> None:
    body = page(1, encoding="gbk", declare=None)
    assert b"charset" not in body
    url = site.add("/art/2021/3/1/art_1229_1.html", body, content_type="text/html")
    summary, out = fetch([url], content)
    saved = content / "reports" / "2020" / "密云区高岭镇人民政府.html"
    assert saved.read_bytes() == body, out
    assert (summary.saved, summary.failed) == (1, 0)
    side = record(saved)
    assert side["url"] == side["final_url"] == url
    assert TIME.fullmatch(side["fetched_at"]) and side["content_type"] == "text/html"
    assert side["sha256"] == __import__("hashlib").sha256(body).hexdigest()
    assert "已保存：content/reports/2020/密云区高岭镇人民政府.html" in out
    assert "giro-site-fetch/" in site.hits[0].user_agent


def test_a_page_with_its_tables_and_a_pdf_attachment_keeps_both(site: Site, content: Path,
                                                                printed: dict[str, bytes]) -> None:
    """A relative link whose words name the report: the PDF is saved beside the page; the
    build reads the better of the two as one report (the duplicates rule)."""
    link = '<p>附件：<a href="../../../files/202103/a8f3.pdf">台儿庄区张山子镇2020年度报告.pdf</a></p>'
    url = site.add("/col/art/2021/x.html", page(2, extra=link))
    site.add("/files/202103/a8f3.pdf", printed["pdf"], content_type="application/pdf")
    summary, out = fetch([url], content)
    assert summary.saved == 2, out
    year = content / "reports" / "2020"
    saved_pdf = next(year.glob("*.pdf"))
    assert saved_pdf.read_bytes() == printed["pdf"]
    assert next(year.glob("*.html")).stem == saved_pdf.stem  # one body, one name, two formats
    side = record(saved_pdf)
    assert side["url"] == site.url("/files/202103/a8f3.pdf") and side["page_url"] == url
    assert site.hits_of("/files/202103/a8f3.pdf")[0].referer == url  # sites that check the referer


def test_a_download_script_link_named_only_by_its_words(site: Site, content: Path) -> None:
    """``download.jsp?id=`` served as octet-stream without a file name: the bytes say .docx;
    the page that only points to it is not saved (its report is the attachment)."""
    url = site.add("/art/2021/4/2/art_9_9.html", wrapper(
        "鹿乡镇2020年政府信息公开工作年度报告",
        '<a href="/module/download/download.jsp?id=9&classid=0">附件：鹿乡镇2020年政府信息公开工作年度报告.docx</a>'))
    site.add("/module/download/download.jsp?id=9&classid=0", docx(3), content_type="application/octet-stream")
    summary, out = fetch([url], content)
    assert summary.saved == 1 and summary.failed == 0, out
    assert list(files(content)) == ["2020/长春市双阳区鹿乡镇人民政府.docx",
                                    "2020/长春市双阳区鹿乡镇人民政府.docx.source.json"], out
    assert record(content / "reports/2020/长春市双阳区鹿乡镇人民政府.docx")["page_url"] == url


def test_attachments_with_meaningless_names_under_a_report_title(site: Site, content: Path) -> None:
    """Two attachments named by hashes under a page titled as the report: each is read, the
    one that is a report kept, the other named with the reason."""
    links = '<a href="/attach/P0201.docx">P0201.docx</a> <a href="/attach/P0202.docx">P0202.docx</a>'
    url = site.add("/art/t.html", wrapper("岑港街道2020年政府信息公开工作年度报告", links))
    site.add("/attach/P0201.docx", document_to_docx(parse_text("政府信息公开申请表\n申请人姓名：\n联系电话：")),
             content_type="application/octet-stream")
    site.add("/attach/P0202.docx", docx(4), content_type="application/octet-stream")
    summary, out = fetch([url], content)
    assert summary.saved == 1 and summary.failed == 0, out
    assert [k for k in files(content) if not k.endswith(SUFFIX)] == ["2020/岑港街道.docx"]
    assert f"跳过：{site.url('/attach/P0201.docx')}：不像是政府信息公开工作年度报告" in out


def test_an_unreadable_attachment_of_a_report_page_is_not_kept(site: Site, content: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    url = site.add("/art/d.html", page(0, extra='<a href="/f/1.doc">岭子镇2020年度报告.doc</a>'))
    site.add("/f/1.doc", ole, content_type="application/msword")
    summary, out = fetch([url], content)
    assert [k for k in files(content) if not k.endswith(SUFFIX)] == ["2020/岭子镇.html"], out
    assert "旧版 Word（.doc）文件无法读取" in out and "（页面本身已作为报告保存）" in out
    alone = site.add("/art/e.html", wrapper("岭子镇2020年度报告", '<a href="/f/1.doc">岭子镇2020年度报告.doc</a>'))
    summary, out = fetch([alone], content)
    assert summary.saved == 1 and (content / "reports" / "unsorted" / "岭子镇2020年度报告.doc").read_bytes() == ole


def test_a_javascript_wrapped_attachment(site: Site, content: Path) -> None:
    url = site.add("/a.html", wrapper("岑港街道2020年度报告", '<a href="javascript:void(0)" '
                                      "onclick=\"window.open('/u/cms/2021/岑港.docx')\">岑港街道2020年度报告</a>"))
    site.add("/u/cms/2021/%E5%B2%91%E6%B8%AF.docx", docx(4), content_type="application/msword")
    summary, out = fetch([url], content)
    assert summary.saved == 1, out
    assert next((content / "reports" / "2020").glob("*.docx")).read_bytes() == docx(4)


def test_a_redirect_chain_is_followed_and_recorded(site: Site, content: Path) -> None:
    target = site.add("/final/report.html", page(0))
    site.redirect("/mid", "/final/report.html", 301)
    start = site.redirect("/old?id=1", site.url("/mid"))
    summary, out = fetch([start], content)
    assert summary.saved == 1, out
    side = record(next((content / "reports" / "2020").glob("*.html")))
    assert (side["url"], side["final_url"]) == (start, target)
    assert official_url(side) == target  # same host: the address it settled on


def test_redirects_only_to_http_and_not_forever(site: Site, content: Path) -> None:
    ftp = site.redirect("/to-ftp", "ftp://127.0.0.1/report.pdf")
    loop = site.redirect("/loop", "/loop")
    bad = site.redirect("/to-bad-host", "http://[bad/report.pdf")  # an address urllib refuses to split
    summary, out = fetch([ftp, loop, bad, "http://附件：/report.pdf"], content)
    assert summary.failed == 4 and not files(content)
    assert f"失败：{bad}：网址跳转到了一个格式不对的地址（http://[bad/report.pdf）" in out
    assert "失败：http://附件：/report.pdf：网址的格式不对" in out and "netloc" not in out and "IPv6" not in out
    assert f"失败：{ftp}：网址跳转到了 ftp://127.0.0.1/report.pdf，本工具只跟随 http/https 跳转" in out
    assert f"失败：{loop}：跳转超过 10 次" in out


def test_a_404_says_to_check_the_address_and_writes_nothing(site: Site, content: Path) -> None:
    missing = site.url("/art/2021/gone.html")
    summary, out = fetch([missing], content)
    assert (summary.failed, summary.saved) == (1, 0) and not files(content)
    line = out.splitlines()[0]
    assert line == f"失败：{missing}：网页不存在（HTTP 404）：请核对地址，或在机关网站上重新找到这份报告"


def test_a_500_is_retried_until_it_recovers(site: Site, content: Path) -> None:
    url = site.add("/flaky.html", page(0), failures=2)
    summary, out = fetch([url], content, retries=2)
    assert summary.saved == 1, out
    assert len(site.hits_of("/flaky.html")) == 3
    broken = site.add("/broken.html", page(0), failures=99)
    summary, out = fetch([broken], content, retries=1)
    assert summary.failed == 1
    assert f"失败：{broken}：服务器出错（HTTP 500），重试 1 次仍失败：请稍后再试" in out
    assert len(site.hits_of("/broken.html")) == 2


def test_a_gzip_answer_is_inflated_and_kept_as_the_page(site: Site, content: Path) -> None:
    body = page(0)
    url = site.add("/gz.html", gzip.compress(body), headers={"Content-Encoding": "gzip"})
    summary, out = fetch([url], content)
    assert summary.saved == 1, out
    assert next((content / "reports" / "2020").glob("*.html")).read_bytes() == body
    bomb = site.add("/bomb.html", gzip.compress(b"<html>" + b" " * (3 << 20)), headers={"Content-Encoding": "gzip"})
    summary, out = fetch([bomb], content, max_bytes=1 << 20)
    assert summary.failed == 1 and "超出上限 1 MB" in out


def test_a_slow_server_times_out(site: Site, content: Path) -> None:
    url = site.add("/slow.html", page(0), delay=1.5)
    started = time.monotonic()
    summary, out = fetch([url], content, timeout=0.3, retries=1)
    assert summary.failed == 1 and not files(content)
    assert "连接超时（0.3 秒内没有响应），重试 1 次仍失败" in out
    assert time.monotonic() - started < 1.5  # two tries of 0.3 s, not the server's pace


def test_an_oversized_file_is_refused_before_it_is_read(site: Site, content: Path) -> None:
    declared = site.add("/big.pdf", b"%PDF-1.4\n", content_type="application/pdf", length=100 * 1024 * 1024)
    streamed = site.add("/endless.html", b"<html><body>", stream=4 * 1024 * 1024)
    summary, out = fetch([declared, streamed], content, retries=0)
    assert summary.failed == 2 and not files(content)
    assert "PDF 文件服务器声明 100.0 MB，超出上限 64 MB" in out  # the PDF reader's cap
    # no Content-Length: given up once past the cap (a test cap, so the test stays fast)
    summary, out = fetch([streamed], content, retries=0, max_bytes=1024 * 1024)
    assert "超出上限 1 MB" in out and summary.failed == 1


def test_a_page_that_is_not_a_report_says_which_words_are_missing(site: Site, content: Path) -> None:
    notice = site.add("/notice.html", "<html><head><meta charset=utf-8></head><body><h1>关于举办运动会的通知</h1>"
                      "<p>各单位：定于五月举办职工运动会，请踊跃报名。</p></body></html>".encode())
    scripted = site.add("/waf.html", b"<html><head><script>var _$ts=1;eval(atob('...'));</script>"
                        b"</head><body></body></html>")
    summary, out = fetch([notice, scripted], content)
    assert summary.failed == 2 and not files(content)
    assert (f"失败：{notice}：不像是政府信息公开工作年度报告：其中没有“政府信息公开”、“年度报告”字样，也没有国家表格"
            in out), out
    assert f"失败：{scripted}：网页的内容由脚本生成（或要求先运行脚本做验证），本工具不运行网页脚本" in out


def test_a_scanned_pdf_is_kept_and_said_to_be_unreadable(site: Site, content: Path,
                                                        printed: dict[str, bytes]) -> None:
    url = site.add("/scan.pdf", printed["scanned"], content_type="application/pdf")
    summary, out = fetch([url], content)
    assert summary.saved == 1, out
    assert (content / "reports" / "unsorted" / "scan.pdf").read_bytes() == printed["scanned"]
    assert "注意：这个文件无法读取：PDF 是扫描件或图片" in out and "生成网站时会列为无法读取的文件" in out


def test_the_same_address_twice_is_a_no_op_that_says_so(site: Site, content: Path) -> None:
    url = site.add("/r.html", page(4))
    fetch([url], content)
    before = stamps(content)
    summary, out = fetch([url, url], content)
    assert (summary.saved, summary.exists, summary.versions) == (0, 1, 0)
    assert re.search(r"已有：content/reports/2020/\S+\.html 内容相同，未改动", out), out
    assert "与前面的地址重复" in out
    assert stamps(content) == before


def test_changed_bytes_at_the_same_address_are_a_new_version_beside_the_old(site: Site, content: Path) -> None:
    url = site.add("/r.html", page(4))
    fetch([url], content)
    first = files(content)
    site.routes["/r.html"].body = page(4, extra="<p>（2021年3月5日更正）</p>")
    summary, out = fetch([url], content)
    assert summary.versions == 1, out
    now = files(content)
    assert {k: v for k, v in now.items() if k in first} == first  # nothing overwritten
    new = sorted(set(now) - set(first))
    assert [n for n in new if not n.endswith(SUFFIX)] == ["2020/岑港街道-v2.html"]
    assert "新版本：content/reports/2020/岑港街道-v2.html（旧版本 content/reports/2020/岑港街道.html 保留" in out


def test_a_file_put_there_by_hand_gets_its_sidecar(site: Site, content: Path) -> None:
    body = docx(1)
    (content / "reports" / "2020").mkdir()
    by_hand = content / "reports" / "2020" / "高岭镇.docx"
    by_hand.write_bytes(body)
    summary, out = fetch([site.add("/x.docx", body, content_type="application/octet-stream")], content)
    assert summary.exists == 1 and "已补记来源" in out
    assert record(by_hand)["url"] == site.url("/x.docx")
    assert sorted(files(content)) == ["2020/高岭镇.docx", "2020/高岭镇.docx" + SUFFIX]


def test_a_report_of_no_plausible_year_goes_to_unsorted(site: Site, content: Path) -> None:
    url = site.add("/future.html", page(0, text=seed_text(0).replace("2020", "2099")))
    summary, out = fetch([url], content)
    assert summary.saved == 1
    assert [k for k in files(content) if not k.endswith(SUFFIX)] == ["unsorted/岭子镇.html"]
    assert "注意：报告写的年度 2099 不可信，已存入 content/reports/unsorted/" in out


def test_a_listing_page_names_its_reports_instead_of_crawling(site: Site, content: Path) -> None:
    links = "".join(f'<li><a href="/art/{n}.html">某某镇20{n}年政府信息公开工作年度报告</a></li>'
                    for n in range(10, 22))
    url = site.add("/col/list.html", f"<html><body><ul>{links}</ul></body></html>".encode())
    summary, out = fetch([url], content)
    assert summary.failed == 1 and len(site.hits) == 1  # only the listing itself was requested
    assert "这是列表页面，链接了 12 份年度报告" in out and site.url("/art/10.html") in out


# --- the command line and the politeness limits ---------------------------------------------


def test_fetch_command_with_a_list_file(site: Site, content: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    good = site.add("/good.html", page(0))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# 岭子镇\n{good}  # 2020\n\n{site.url('/gone.html')}\n", encoding="utf-8")
    assert main(["fetch", "--content", str(content), "--list", str(listing), "--delay", "0.5"]) == 1
    printed_out = capsys.readouterr().out
    assert "[1/2]" in printed_out and "[2/2]" in printed_out
    assert "共 2 个地址：新保存 1 个文件，已有 0 个（未改动），新版本 0 个，失败 1 个地址。" in printed_out
    assert main(["fetch", "--content", str(content), "ftp://x/y"]) == 1
    assert "只能抓取 http:// 或 https:// 开头的网址" in capsys.readouterr().out
    assert main(["fetch", "--content", str(content)]) == 2


def test_fifty_addresses_within_the_politeness_limits(content: Path, tmp_path: Path) -> None:
    """``fetch --list`` of 50 addresses on two hosts (127.0.0.1 and localhost; one server in a
    process of its own, where a few answers take 0.8 s): per host never more than two requests
    at once, and request starts the delay apart, both measured by the server."""
    delay = 0.3
    served = tmp_path / "served"
    served.mkdir()
    names = [f"{'slow' if n % 5 == 0 else 'r'}{n}.txt" for n in range(50)]
    for number, name in enumerate(names):
        text = seed_text(number % 5).replace("2020", str(2010 + number % 10))
        (served / name).write_text(text, encoding="utf-8")
    listing = tmp_path / "urls.txt"
    with serve_process(str(served), pause=0.8) as (port, log):
        listing.write_text("".join(f"http://{'127.0.0.1' if n % 2 else 'localhost'}:{port}/{name}  # {n}\n"
                                   for n, name in enumerate(names)), encoding="utf-8")
        summary, out = fetch(read_list(listing.read_text(encoding="utf-8")), content, delay=delay)
        seen = log()
    assert summary.saved + summary.exists == 50 and summary.failed == 0, out
    starts_of = {}
    for host in ("127.0.0.1", "localhost"):
        starts = starts_of[host] = sorted(hit[2] for hit in seen["hits"] if hit[0] == host)
        assert len(starts) == 25
        gaps = sorted(b - a for a, b in itertools.pairwise(starts))
        # Most gaps are the delay; none is less than half of it. A busy machine delays the
        # server's reading of the clock now and then (0.14 s once at a load of 19 on 2 cores),
        # which shortens one gap and lengthens the one before; a request sent without waiting
        # makes a gap near 0, a shorter delay shortens the median.
        assert gaps[0] >= delay / 2 and gaps[len(gaps) // 2] >= delay * 0.98, gaps
        assert seen["most"][host] == 2, seen["most"]  # two at a time (slow answers overlap the next), never three
    assert {hit[4].split(" ")[0] for hit in seen["hits"]} == {"giro-site-fetch/0.1.0"}
    one, other = starts_of.values()  # the two hosts were fetched side by side, not one after the other
    assert sum(one[0] < start < one[-1] for start in other) >= 20
    lines = out.splitlines()
    assert [line.split("]")[0] for line in lines if line.startswith("[")] == [f"[{n}/50" for n in range(1, 51)]


def test_the_host_gate_spaces_and_limits_requests() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    gate = HostGate(2, 1.5, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        with gate.slot("WWW.Example.gov.cn"):
            pass
    with gate.slot("other.gov.cn"):
        pass
    assert slept == [1.5, 1.5]  # the second host waits for nobody
    with pytest.raises(ValueError):
        HostGate(3)


# --- pieces ------------------------------------------------------------------------------------


def test_links_of_a_cms_page() -> None:
    html = """<html><head><title>某某区2023年政府信息公开工作年度报告</title><base href="/col/"></head><body>
    <a href="../attach/0/a.pdf">2023年度报告.pdf</a>
    <a href="javascript:void(0)" onclick="window.open('/u/cms/x.docx')">下载</a>
    <a href="javascript:openFile('/files/报告.pdf')">报告</a>
    <a href="/module/download/downfile.jsp?classid=0&amp;id=9">附件：某某区2023年度报告.pdf</a>
    <a href="/art/2022/1/1/art_1.html">某某区2022年政府信息公开工作年度报告</a>
    <a href="/a/sq.doc">政府信息公开申请表.doc</a><a href="/tu.html">图解2023年度报告</a>
    <a href="mailto:x@y.cn">信箱</a><iframe src="/pdfjs/web/viewer.html?file=/attach/b.pdf"></iframe></body></html>"""
    found = page_links(html, "http://www.x.gov.cn/art/2023/1/1/art_2.html")
    links = found.links
    assert found.title == "某某区2023年政府信息公开工作年度报告" and found.refresh is None
    shown = {link.url.removeprefix("http://www.x.gov.cn"): (link.is_file, link.names_report, link.name)
             for link in links}
    assert shown == {
        "/attach/0/a.pdf": (True, True, "2023年度报告.pdf"),
        "/u/cms/x.docx": (True, False, "x.docx"),
        "/files/%E6%8A%A5%E5%91%8A.pdf": (True, True, "报告.pdf"),
        "/module/download/downfile.jsp?classid=0&id=9": (True, True, "某某区2023年度报告.pdf"),
        "/art/2022/1/1/art_1.html": (False, True, None),
        "/a/sq.doc": (True, False, "政府信息公开申请表.doc"),
        "/tu.html": (False, False, None),
        "/attach/b.pdf": (True, False, "b.pdf"),
    }
    assert [link.names_disclosure_report for link in links if not link.is_file] == [True, False]


def test_links_a_script_writes_and_a_refresh() -> None:
    """TRS-style pages write their attachment links with a script; some index pages only
    refresh to the article."""
    html = """<html><head><meta http-equiv="refresh" content="0; URL='/art/2023/x.html'"></head><body><script>
    var file_appendix = '<a href="./P020240125.pdf">某某区2023年政府信息公开工作年度报告.pdf<\\/a>';
    document.write(file_appendix); var other = "/upload/form.docx";</script></body></html>"""
    found = page_links(html, "http://www.x.gov.cn/col/col1/index.html")
    assert found.refresh == "http://www.x.gov.cn/art/2023/x.html"
    assert [(link.url, link.names_report) for link in found.links] == [
        ("http://www.x.gov.cn/col/col1/P020240125.pdf", True), ("http://www.x.gov.cn/upload/form.docx", False)]


def test_a_page_that_refreshes_to_the_report(site: Site, content: Path) -> None:
    target = site.add("/art/2021/r.html", page(0))
    start = site.add("/index.html", b'<html><head><meta http-equiv="refresh" content="0;url=/art/2021/r.html">'
                     b"</head><body></body></html>")
    summary, out = fetch([start], content)
    assert summary.saved == 1, out
    assert record(next((content / "reports" / "2020").glob("*.html")))["url"] == target


def test_a_file_named_only_by_its_content_disposition(site: Site, content: Path,
                                                     printed: dict[str, bytes]) -> None:
    """A scanned PDF's name comes from the server's Content-Disposition (raw GBK, as Chinese
    servers send it, or RFC 5987 UTF-8)."""
    raw = '附件；某某镇2020年度报告.pdf'.encode("gbk").decode("latin-1")
    one = site.add("/get?fid=1", printed["scanned"], content_type="application/octet-stream",
                   headers={"Content-Disposition": f'attachment; filename="{raw}"'})
    two = site.add("/get?fid=2", printed["scanned"] + b"\n", content_type="application/octet-stream",
                   headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf"})
    summary, out = fetch([one, two], content)
    assert summary.saved == 2, out
    assert sorted(p.name for p in (content / "reports" / "unsorted").glob("*.pdf")) == [
        "年报.pdf", "附件；某某镇2020年度报告.pdf"]


def test_file_types_from_bytes_then_headers_then_names() -> None:
    assert sniff_suffix(b"%PDF-1.7 ...", "application/octet-stream") == ".pdf"
    assert sniff_suffix(b"PK\x03\x04....word/document.xml", "application/octet-stream") == ".docx"
    assert sniff_suffix(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "", "附件.wps") == ".wps"
    assert sniff_suffix(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/octet-stream") == ".doc"
    assert sniff_suffix(b"\r\n<!DOCTYPE html><html>", "application/octet-stream") == ".html"
    assert sniff_suffix("一、总体情况".encode("gbk"), "text/plain") == ".txt"
    assert sniff_suffix(b"\x00\x01", "application/octet-stream", "http://x/download.jsp?id=1") is None


def test_list_files_names_and_sidecar_addresses() -> None:
    assert read_list("# 注释\n\nhttp://a/1.html  # 第一份\nhttp://a/2.html\n\t#x\n") == [
        "http://a/1.html", "http://a/2.html"]
    assert safe_stem("  某某区/人民政府:2023 年度报告?.pdf") == "某某区_人民政府_2023_年度报告_.pdf"
    assert safe_stem("..") == "report" and safe_stem("CON") == "report_CON" and len(safe_stem("长" * 300)) == 60
    assert safe_url("javascript:alert(1)") is None and safe_url("http://x/a b") is None
    assert safe_url("https://www.gov.cn/a?b=1") == "https://www.gov.cn/a?b=1"
    assert official_url({"url": "http://a.gov.cn/1", "final_url": "https://cdn.example.com/x"}) == "http://a.gov.cn/1"
    assert official_url({"url": "http://a.gov.cn/1", "page_url": "http://a.gov.cn/p"}) == "http://a.gov.cn/p"


# --- the build publishes where each report came from ------------------------------------------------


def _csv_rows(out: Path, year: int) -> list[dict[str, str]]:
    with zipfile.ZipFile(out / "data" / f"reports-{year}.csv.zip") as archive:
        raw = archive.read(f"reports-{year}.csv")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_fetch_then_build_shows_the_official_link_and_fetch_date(site: Site, content: Path, tmp_path: Path) -> None:
    """End to end: fetched into a content folder, built; the body's page links to the official
    address with the date, the downloads carry source_url and fetched_at; sidecars are neither
    reports nor unreadable files; agencies.toml's source_url still wins in the downloads."""
    article = site.add("/art/2021/3/8/art_1_2.html", page(1, encoding="gbk", declare=None))
    attachment_page = site.add("/art/2021/3/9/art_1_3.html", wrapper(
        "鹿乡镇2020年政府信息公开工作年度报告", '<a href="/download.jsp?id=77">附件：鹿乡镇2020年度报告.docx</a>'))
    site.add("/download.jsp?id=77", docx(3), content_type="application/octet-stream")
    summary, out = fetch([article, attachment_page], content)
    assert summary.saved == 2, out
    (content / "reports" / "2020" / "orphan.txt.source.json").write_text("{not json", encoding="utf-8")
    (content / "agencies.toml").write_text('[[agency]]\nmatch = ["长春市双阳区鹿乡镇人民政府"]\n'
                                           'source_url = "https://www.shuangyang.gov.cn/xxgk/"\n', encoding="utf-8")
    built = build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02",
                                    cache_dir=tmp_path / "cache"))
    assert built.problems == [] and built.reports == 2
    rows = {row["source_format"]: row for row in _csv_rows(tmp_path / "public", 2020)}
    gaoling, luxiang = rows["html"], rows["docx"]
    fetched = record(content / "reports" / "2020" / "密云区高岭镇人民政府.html")["fetched_at"]
    assert (gaoling["source_url"], gaoling["fetched_at"]) == (article, fetched)
    assert luxiang["source_url"] == "https://www.shuangyang.gov.cn/xxgk/"  # the maintainer's wins
    assert TIME.fullmatch(luxiang["fetched_at"])
    html = (tmp_path / "public" / gaoling["page_url"].lstrip("/")).read_text(encoding="utf-8")
    day = time.strftime("%Y-%m-%d", time.gmtime(time.mktime(time.strptime(fetched, "%Y-%m-%dT%H:%M:%SZ"))
                                                 - time.timezone + 8 * 3600))
    assert (f'<a href="{article}" rel="noopener noreferrer" class=origin>原文链接</a>（127.0.0.1，{day} 下载）'
            in html)
    luxiang_page = (tmp_path / "public" / luxiang["page_url"].lstrip("/")).read_text(encoding="utf-8")
    assert f'<a href="{attachment_page}" rel="noopener noreferrer" class=origin>原文链接</a>' in luxiang_page
    with zipfile.ZipFile(tmp_path / "public" / "data" / "reports-2020.sqlite.zip") as archive:
        archive.extractall(tmp_path / "db")
    db = sqlite3.connect(tmp_path / "db" / "reports-2020.sqlite")
    assert db.execute("SELECT fetched_at FROM reports WHERE source_format = 'html'").fetchone() == (fetched,)
    with zipfile.ZipFile(tmp_path / "public" / "data" / "reports-2020.json.zip") as archive:
        reports = json.loads(archive.read("reports-2020.json"))
    assert {r["source"].get("url") for r in reports} == {article, attachment_page}

    # a file changed after it was fetched: the link stays, the date goes (the copy is not what was fetched)
    saved = content / "reports" / "2020" / "密云区高岭镇人民政府.html"
    saved.write_bytes(saved.read_bytes() + b"<!-- edited -->")
    build_site(BuildOptions(content=content, out=tmp_path / "public", build_date="2026-01-02",
                            cache_dir=tmp_path / "cache"))
    row = next(r for r in _csv_rows(tmp_path / "public", 2020) if r["source_format"] == "html")
    assert (row["source_url"], row["fetched_at"]) == (article, "")
    html = (tmp_path / "public" / row["page_url"].lstrip("/")).read_text(encoding="utf-8")
    assert "原文链接</a>（127.0.0.1）" in html


def test_a_sidecar_with_a_script_address_publishes_no_link(tmp_path: Path) -> None:
    content = tmp_path / "content"
    folder = content / "reports" / "2020"
    folder.mkdir(parents=True)
    (folder / "r.txt").write_text(seed_text(0), encoding="utf-8")
    (folder / ("r.txt" + SUFFIX)).write_text(json.dumps({"url": "javascript:alert(1)"}), encoding="utf-8")
    assert origin(folder / ("r.txt" + SUFFIX), None) is None
    built = build_site(BuildOptions(content=content, out=tmp_path / "public", cache_dir=tmp_path / "cache"))
    assert built.problems == []
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "public" / "agency").rglob("*.html")]
    assert pages and not any("javascript:alert" in p or "原文链接" in p for p in pages)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.sampled_from(['<a href="', '">', "</a>", '<a href="javascript:x(\'', "')\">", "<base href=\"", "<iframe src=\"",
                     "?file=", ".pdf", ".docx", "download.jsp?id=1", "附件：", "年度报告", "../", "//", "#", " ",
                     "http://", "ftp://", "&amp;", "<", ">", '"', "'", "\x00", "报告.doc", "信息公开"]),
    st.text(max_size=8)), max_size=40))
@example(['<a href="', "http://", "附件：", '">'])  # a host urllib refuses to split
@example(['<a href="javascript:x(\'', "//", "附件：", ".pdf", "')\">"])  # the same in a script wrapper
@example(["<script>", "'", "//附件：.pdf", "'", "</script>"])  # and in a page's script
@example(['<a href="', "http://", '<a href="', '">'])  # a host of markup
def test_any_markup_gives_safe_absolute_addresses(parts: list[str]) -> None:
    """Whatever a page holds, its links come out as http(s) addresses a request can carry:
    absolute, ASCII, no spaces or fragment."""
    found = page_links("".join(parts), "http://www.x.gov.cn/a/b/c.html")
    for link in found.links:
        assert link.url.startswith(("http://", "https://")) and link.url.isascii()
        assert not re.search(r"[\s#\x00-\x1f]", link.url)


def test_the_published_json_with_an_origin_is_the_report_with_two_more_keys() -> None:
    """The downloads splice the origin into the parsed JSON's bytes: the same bytes as adding
    the keys to the object, with and without cross-year findings."""
    import orjson

    from giro_site.report import parse_report
    from giro_site.site.build.summary import summarize
    from giro_site.site.downloads.aggregates import full_json
    from giro_site.site.model import ReportInfo, as_published

    report = parse_report(SEEDS[1])
    raw = orjson.dumps(report)
    summary = {**summarize(report), "origin": {"url": 'http://a.gov.cn/x?a=1&b="', "fetched_at": None}}
    for linked in ([], [{"code": "CARRY_OVER", "severity": "warning", "message": "…", "where": "applications"}]):
        info = ReportInfo("content/reports/2020/x.txt", summary, linked)
        published = full_json(info, lambda name: raw)
        assert published == orjson.dumps(as_published(orjson.loads(raw), info))
        assert orjson.loads(published)["source"] == {**report["source"], "url": 'http://a.gov.cn/x?a=1&b="',
                                                     "fetched_at": None}
