"""The command line: one subcommand per thing a maintainer does."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from giro_site.errors import ReportError
from giro_site.fetch.command import add_fetch_parser
from giro_site.findings import ERROR, SEVERITY_LABEL
from giro_site.progress import for_terminal
from giro_site.site import pinyin
from giro_site.site.build.options import BuildOptions
from giro_site.terminal import echo

# The parser and the site are imported by the commands that use them: a build starts its
# pinyin helper before it imports them (``pinyin``), ``fetch`` needs neither.
if TYPE_CHECKING:
    from giro_site.corpus import Corpus
    from giro_site.site.build.builder import BuildResult
    from giro_site.site.config import AgencyDirectory

# How `build` starts its closing lines, for the benchmark that reads them back.
BUILT_LINE = "已生成"
TIMINGS_LINE = "各阶段用时"


def _utf8_stdout() -> None:
    """Chinese must print on a terminal or pipe set to another encoding."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")


def cmd_parse(args: argparse.Namespace) -> int:
    from giro_site.report import parse_report, to_json

    try:
        report = parse_report(Path(args.file))
    except ReportError as exc:
        echo(exc.describe(), err=True)
        return 2
    # JSON escapes C0 controls itself; C1 controls and direction overrides are written as
    # \u escapes too (the same JSON), so that the output is safe on a terminal.
    print(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", to_json(report)))
    return 0


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def place_text(item: dict[str, Any]) -> str:
    """Where a finding points: " 第3页第12行" in a PDF, " 第12行" in a file with lines."""
    page = f"第{item['page']}页" if item.get("page") else ""
    line = f"第{item['line']}行" if item.get("line") else ""
    return f" {page}{line}" if page or line else ""


def _unused_entries(corpus: Corpus, directory: AgencyDirectory | None) -> list[str]:
    """The agencies.toml entries no report belongs to."""
    if directory is None:
        return []
    for report in [*corpus.reports, *(r for r, _ in corpus.others)]:
        directory.find(report["source"]["file"], report.get("agency"), report.get("region"))
    return directory.unused()


def format_summary(corpus: Corpus, directory: AgencyDirectory | None = None) -> list[str]:
    """The check summary: one block per report, then the files that failed."""
    from giro_site.prose.identity import full_name

    lines: list[str] = []
    notes = {id(report): note for report, note in corpus.others}
    for report in sorted([*corpus.reports, *(r for r, _ in corpus.others)], key=lambda r: r["source"]["file"]):
        findings = report["findings"]
        errors = sum(f["severity"] == ERROR for f in findings)
        warnings = sum(f["severity"] == "warning" for f in findings)
        name = full_name(report.get("agency"), report.get("region")) or report.get("region") or "（机关未知）"
        note = f"（不计入：{notes[id(report)]}）" if id(report) in notes else ""
        lines.append(f"{report['source']['file']}{note}")
        lines.append(f"  {name} · {report.get('year') or '年度未知'}年 · {report['form']}年版表格 · "
                     f"{errors} 个错误，{warnings} 个提示")
        for item in findings:
            where = item["where"] + place_text(item)
            lines.append(f"  [{SEVERITY_LABEL[item['severity']]}] {item['code']} {where}：{item['message']}")
    for problem in corpus.problems:
        lines.append(f"无法读取 {problem.describe()}")
    lines += [f"注意：{warning}" for warning in _unused_entries(corpus, directory)]
    total_errors = sum(f["severity"] == ERROR for r in corpus.reports for f in r["findings"])
    lines.append(f"共 {len(corpus.reports)} 份报告，{total_errors} 个错误；{len(corpus.problems)} 个文件无法读取"
                 + (f"；{len(corpus.others)} 个文件是重复的报告，不计入" if corpus.others else "") + "。")
    return lines


def _missing_reports(content: Path) -> bool:
    if (content / "reports").is_dir():
        return False
    echo(f"{content}：找不到 reports 文件夹。报告放在 {content / 'reports'} 下（可按年份分文件夹，如 reports/2024/）；"
         "其他位置的内容文件夹用 --content 指定", err=True)
    return True


def cmd_check(args: argparse.Namespace) -> int:
    from giro_site.corpus import load_corpus
    from giro_site.site.config import load_agencies, load_config

    content = Path(args.content)
    if _missing_reports(content):
        return 2
    try:  # the settings first: a mistake there would stop the build
        config = load_config(content)
        directory = load_agencies(content)
    except ReportError as exc:
        echo(f"设置有误：{exc.describe()}", err=True)
        return 2
    corpus = load_corpus(content, jobs=os.cpu_count() or 1, build_year=int(config.build_date[:4]),
                         progress=for_terminal(sys.stderr, quiet=args.quiet))
    for line in format_summary(corpus, directory):
        echo(line)
    has_errors = any(f["severity"] == ERROR for r in [*corpus.reports, *(r for r, _ in corpus.others)]
                     for f in r["findings"])
    if corpus.problems:
        return 1
    return 1 if args.strict and has_errors else 0


def _build_options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(content=Path(args.content), out=Path(args.out), base_url=args.base_url,
                        build_date=getattr(args, "build_date", None),
                        jobs=getattr(args, "jobs", None) or os.cpu_count() or 1,
                        fresh=getattr(args, "fresh", False), force=args.force,
                        progress=for_terminal(sys.stderr, quiet=getattr(args, "quiet", False)))


def report_build(result: BuildResult) -> None:
    """What a build (or a rebuild of ``serve``) has to tell on stderr: files it could not read,
    what it did beside the output, settings to correct."""
    for problem in result.problems:
        echo(f"无法读取 {problem}", err=True)
    for note in result.notes:
        echo(note, err=True)
    for warning in result.warnings:
        echo(f"注意：{warning}", err=True)


def cmd_build(args: argparse.Namespace) -> int:
    if _missing_reports(Path(args.content)):
        return 2
    options = _build_options(args)
    one_shot = getattr(args, "quick_exit", False)
    # A process of its own (``build.py``) whose build has no pinyin of an earlier one: the
    # helper that loads pypinyin is forked first, while this process imports the build.
    if one_shot and pinyin.wanted(options.cache_folder(), options.fresh):
        pinyin.start_helper()
    from giro_site.site.build import jobsummary, sitesize
    from giro_site.site.build.builder import BuildSession, build_site

    try:
        result = build_site(options, BuildSession(one_shot=one_shot))  # (which ends the helper once it has the model)
    except (ReportError, OSError) as exc:
        message = (exc.describe() if isinstance(exc, ReportError)  # a full disk, a folder without write permission
                   else f"{exc.filename or ''} {exc.strerror or exc}：请检查磁盘空间和文件夹的写入权限")
        echo(f"生成失败：{message}", err=True)
        if args.summary:
            jobsummary.append(Path(args.summary), jobsummary.failure(message))
        return 2
    finally:
        pinyin.stop_helper()  # (a build that failed before its plan)
    report_build(result)
    if args.summary:
        jobsummary.append(Path(args.summary), jobsummary.summary(result))
    how = ("完整生成" if result.mode == "full"
           else f"增量生成（重新解析 {result.parsed} 份，重新生成 {result.rendered_agencies} 个机关）")
    echo(f"{BUILT_LINE} {result.out}：{result.agencies} 个机关，{result.reports} 份报告，{result.pages} 个页面，"
         f"{result.errors} 份报告有错误，{len(result.problems)} 个文件无法读取；{how}，用时 {result.seconds:.2f} 秒。")
    if args.timings:
        stages = "，".join(f"{name} {seconds:.2f}（CPU {result.cpu.get(name, 0.0):.2f}）"
                          for name, seconds in result.timings.items())
        echo(f"{TIMINGS_LINE}（秒）：{stages}；写入 {result.written} 个文件。")
    size = result.size or sitesize.measure(result.out)
    echo(sitesize.summary(size))
    for warning in sitesize.warnings(size):
        echo(f"注意：{warning}", err=True)
    if args.strict and (result.problems or result.errors):
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from giro_site.site.build.serve import serve

    if _missing_reports(Path(args.content)):
        return 2
    return serve(_build_options(args), args.port, report_build)


def cmd_bench(args: argparse.Namespace) -> int:
    from giro_site.bench.run import run_bench

    run_bench(args.reports, keep=args.keep, jobs=args.jobs, rounds=args.rounds, browser=args.browser,
              hugo=not args.no_hugo)
    return 0


def _site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", help="内容文件夹（默认 content）")
    parser.add_argument("--out", default="public", help="输出文件夹（默认 public）；只替换本程序生成的网站或空文件夹")
    parser.add_argument("--force", action="store_true",
                        help="输出文件夹不是空的、也不是本程序生成的网站时仍然使用：原有内容移到旁边，不删除")
    parser.add_argument("--quiet", "-q", action="store_true", help="不显示进度")


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"“{text}”不是端口号：应为 1 到 65535 之间的整数，如 8000")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="政府信息公开工作年度报告 → 透明度网站")
    sub = parser.add_subparsers(dest="command")

    build = sub.add_parser("build", help="生成网站（默认命令）")
    _site_arguments(build)
    build.add_argument("--base-url", default=None, help="网站所在路径，如 /giro/（GitHub 项目页面）")
    build.add_argument("--jobs", type=int, default=None, help="并行进程数（默认等于 CPU 核数）")
    build.add_argument("--fresh", action="store_true", help="不用缓存，全部重新解析和生成")
    build.add_argument("--strict", action="store_true", help="有无法读取的文件或错误时以 1 退出")
    build.add_argument("--build-date", default=None, help="页面上显示的生成日期（YYYY-MM-DD）")
    build.add_argument("--timings", action="store_true", help="显示各阶段用时")
    build.add_argument("--summary", metavar="FILE", default=None,
                       help="把无法读取的文件和有错误的报告以 Markdown 追加到 FILE"
                            "（GitHub Actions 的 $GITHUB_STEP_SUMMARY）")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="生成网站并在本机预览，修改后自动刷新")
    _site_arguments(serve)
    # The preview server serves the site at "/", whatever base_url site.toml sets for publishing.
    serve.set_defaults(base_url="/")
    serve.add_argument("--port", type=_port, default=8000, help="端口（默认 8000）")
    serve.set_defaults(func=cmd_serve)

    parse = sub.add_parser("parse", help="解析一份报告，输出 JSON")
    parse.add_argument("file")
    parse.set_defaults(func=cmd_parse)

    check = sub.add_parser("check", help="检查设置，解析并核对 content/reports 下的全部报告")
    check.add_argument("--content", default="content")
    check.add_argument("--strict", action="store_true", help="有错误时以 1 退出")
    check.add_argument("--quiet", "-q", action="store_true", help="不显示进度")
    check.set_defaults(func=cmd_check)

    bench = sub.add_parser("bench", help="用合成报告测量生成速度、内存和输出大小")
    bench.add_argument("--reports", type=int, default=1000)
    bench.add_argument("--jobs", type=int, default=None, help="并行进程数（默认等于 CPU 核数）")
    bench.add_argument("--keep", action="store_true", help="保留合成的内容和输出")
    bench.add_argument("--rounds", type=int, default=3,
                       help="完整生成（与 Hugo 对照交替）和改动后重新生成各测几轮（默认 3，取中位数）")
    bench.add_argument("--no-hugo", action="store_true", help="不测 Hugo 对照（没有安装 hugo 时自动略过）")
    bench.add_argument("--browser", action="store_true",
                       help="再用 Chromium 按中端手机（CPU 降速4倍）测首页首次绘制、搜索按键响应和索引数据大小")
    bench.set_defaults(func=cmd_bench)

    add_fetch_parser(sub)
    return parser


def main(argv: list[str] | None = None, *, quick_exit: bool = False) -> int:
    """The command line. ``quick_exit`` (``build.py``, a process of its own): once a build
    has returned, end the process without freeing its objects one by one, which took a
    one-report rebuild at 10,000 reports 0.1 s (the model, the store's index, the gazetteer);
    all the build writes is written and closed by then, its output flushed here."""
    _utf8_stdout()
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("-") and argv[0] not in {"-h", "--help"}):
        argv = ["build", *argv]  # `python build.py` builds the site
    args = parser.parse_args(argv)
    args.quick_exit = quick_exit
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, not at exit, where a closed pipe would print a traceback
    except BrokenPipeError:
        return _reader_gone()
    if quick_exit and args.func is cmd_build:
        sys.stderr.flush()
        os._exit(code)
    return code


def _reader_gone() -> int:
    """The reader of our output left (``build.py parse X | head``): stop quietly, as Unix
    tools do, with the status of a process ended by SIGPIPE. Output still buffered goes to
    /dev/null so Python's own flush at exit finds nothing to complain about."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE
