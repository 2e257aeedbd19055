"""The build's problems as Markdown for a CI job's summary page (``build --summary FILE``;
the Pages workflow passes ``$GITHUB_STEP_SUMMARY``): what was published, the files that
could not be read and the reports with errors, so a maintainer sees them without reading
the log. File names and reasons come from outside: escaped for Markdown and HTML."""

from __future__ import annotations

import html
from pathlib import Path

from giro_site.site.build.builder import BuildResult
from giro_site.terminal import escape

SHOWN = 200  # at most this many lines a list: a summary page has a size limit (1 MiB)


_MARKDOWN = str.maketrans({char: "\\" + char for char in "\\`*_[]|#!~"})


def _text(value: str) -> str:
    """Outside text, inert in Markdown and HTML: control characters escaped, Markdown's
    marks backslashed, then HTML's special characters as entities."""
    return html.escape(escape(value).translate(_MARKDOWN), quote=True)


def _listed(items: list[str]) -> list[str]:
    lines = [f"- {_text(item)}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        lines.append(f"- ……另有 {len(items) - SHOWN} 项，见生成网站的“数据问题”页")
    return lines


def summary(result: BuildResult) -> str:
    lines = [f"### 网站已生成：{result.agencies} 个机关，{result.reports} 份报告",
             "",
             f"{len(result.problems)} 个文件无法读取，{result.errors} 份报告核对发现错误（已照常发布，"
             "错误在网站的“数据问题”页和各报告页面上标明）。", ""]
    if result.problems:
        lines += ["#### 无法读取的文件", "", *_listed(result.problems), ""]
    if result.error_reports:
        lines += ["#### 核对发现错误的报告", "", *_listed(result.error_reports), ""]
    if result.warnings:
        lines += ["#### 设置中的问题", "", *_listed(result.warnings), ""]
    return "\n".join(lines) + "\n"


def failure(message: str) -> str:
    return f"### 网站生成失败\n\n{_text(message)}\n\n改正后重新推送即可；上一次发布的网站保持不变。\n"


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
