"""``python build.py fetch URL [URL…]`` and ``fetch --list FILE``: the command's arguments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from giro_site.errors import ReportError
from giro_site.fetch.politeness import MAX_PER_HOST
from giro_site.terminal import echo

MIN_DELAY = 0.5  # seconds: the least pause between two requests to one site a maintainer may ask for


def add_fetch_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fetch = sub.add_parser("fetch", help="按网址下载年度报告，存入 content/reports/<年度>/，并记下来源",
                           description="下载报告页面、报告文件或只链接报告的页面；同一内容不重复保存，从不覆盖已有文件。")
    fetch.add_argument("urls", nargs="*", metavar="URL", help="报告页面或报告文件的网址")
    fetch.add_argument("--list", action="append", default=[], metavar="FILE",
                       help="从文件读取网址：每行一个，# 开头为注释（可多次使用）")
    fetch.add_argument("--content", default="content", help="内容文件夹（默认 content）")
    fetch.add_argument("--delay", type=float, default=1.0,
                       help=f"同一网站两次请求之间至少间隔的秒数（默认 1，至少 {MIN_DELAY}）")
    fetch.add_argument("--timeout", type=float, default=30.0, help="等待网站响应的秒数（默认 30）")
    fetch.add_argument("--retries", type=int, default=3, help="服务器出错或网络中断时的重试次数（默认 3）")
    fetch.add_argument("--per-host", type=int, default=MAX_PER_HOST, choices=range(1, MAX_PER_HOST + 1),
                       help=f"同一网站同时进行的请求数（默认 {MAX_PER_HOST}）")
    fetch.set_defaults(func=cmd_fetch)


def _addresses(args: argparse.Namespace) -> list[str]:
    from giro_site.fetch.run import read_list
    from giro_site.readers.encoding import decode_text  # (here: the command line loads no reader to start)

    addresses = list(args.urls)
    for name in args.list:
        try:
            text = decode_text(Path(name).read_bytes())
        except OSError as exc:
            raise ReportError(f"无法读取网址列表：{exc.strerror}", path=name) from exc
        except ReportError as exc:
            raise exc.with_path(name) from exc
        addresses += read_list(text)
    return addresses


def cmd_fetch(args: argparse.Namespace) -> int:
    from giro_site.fetch.client import ClientOptions  # the HTTP modules load only for this command
    from giro_site.fetch.run import FetchOptions, fetch_addresses

    try:
        addresses = _addresses(args)
    except ReportError as exc:
        echo(exc.describe(), err=True)
        return 2
    if not addresses:
        print("没有要下载的网址：用法 python build.py fetch 网址 [网址…]，或 --list 网址列表文件", file=sys.stderr)
        return 2
    content = Path(args.content)
    if not content.is_dir():
        echo(f"{content}：找不到内容文件夹（用 --content 指定）", err=True)
        return 2
    client = ClientOptions(timeout=max(1.0, args.timeout), retries=max(0, min(args.retries, 10)),
                           delay=max(MIN_DELAY, args.delay), per_host=args.per_host)
    summary = fetch_addresses(addresses, FetchOptions(content=content, client=client))
    return 1 if summary.failed else 0
