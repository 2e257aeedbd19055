"""The command line: one subcommand per thing a maintainer does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from giro_site.corpus import Corpus, load_corpus
from giro_site.errors import ReportError
from giro_site.findings import ERROR, SEVERITY_LABEL
from giro_site.report import parse_report, to_json


def _utf8_stdout() -> None:
    """Chinese must print on a terminal or pipe set to another encoding."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")


def cmd_parse(args: argparse.Namespace) -> int:
    try:
        report = parse_report(Path(args.file))
    except ReportError as exc:
        print(exc.describe(), file=sys.stderr)
        return 2
    print(to_json(report))
    return 0


def format_summary(corpus: Corpus) -> list[str]:
    """The check summary: one block per report, then the files that failed."""
    lines: list[str] = []
    for report in corpus.reports:
        findings = report["findings"]
        errors = sum(f["severity"] == ERROR for f in findings)
        warnings = sum(f["severity"] == "warning" for f in findings)
        name = "".join(filter(None, [report.get("region"), report.get("agency")])) or "（机关未知）"
        lines.append(f"{report['source']['file']}")
        lines.append(f"  {name} · {report.get('year') or '年度未知'}年 · {report['form']}年版表格 · "
                     f"{errors} 个错误，{warnings} 个提示")
        for item in findings:
            where = item["where"] + (f" 第{item['line']}行" if item.get("line") else "")
            lines.append(f"  [{SEVERITY_LABEL[item['severity']]}] {item['code']} {where}：{item['message']}")
    for problem in corpus.problems:
        lines.append(f"无法读取 {problem.describe()}")
    total_errors = sum(f["severity"] == ERROR for r in corpus.reports for f in r["findings"])
    lines.append(f"共 {len(corpus.reports)} 份报告，{total_errors} 个错误；{len(corpus.problems)} 个文件无法读取。")
    return lines


def cmd_check(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not (content / "reports").is_dir():
        print(f"{content}：找不到 reports 文件夹", file=sys.stderr)
        return 2
    corpus = load_corpus(content)
    print("\n".join(format_summary(corpus)))
    has_errors = any(f["severity"] == ERROR for r in corpus.reports for f in r["findings"])
    if corpus.problems:
        return 1
    return 1 if args.strict and has_errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="政府信息公开工作年度报告 → 透明度网站")
    sub = parser.add_subparsers(dest="command")

    parse = sub.add_parser("parse", help="解析一份报告，输出 JSON")
    parse.add_argument("file")
    parse.set_defaults(func=cmd_parse)

    check = sub.add_parser("check", help="解析并核对 content/reports 下的全部报告")
    check.add_argument("--content", default="content")
    check.add_argument("--strict", action="store_true", help="有错误时以 1 退出")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    _utf8_stdout()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args))
