"""Reading the maintainers' TOML files (``site.toml``, ``agencies.toml``) so that a mistake
stops the build with a message saying where it is, what was written, what was expected and
how to write it, in Chinese: the parser's English detail comes last, for the curious.

Only the checks of values live here; what the settings mean is ``config``'s business.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from giro_site.errors import ReportError

# tomllib's messages end with "(at line 3, column 5)" or "(at end of document)".
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_END = re.compile(r"\s*\(at end of document\)$")
# Characters a Chinese input method types where TOML wants their ASCII twins.
_WIDE = {"“": '"', "”": '"', "‘": "'", "’": "'", "＝": "=", "［": "[", "］": "]", "，": ",", "：": ":"}


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables, {} when it does not exist; a syntax error names line and column."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError("不是 UTF-8 编码的文本：请用 UTF-8 重新保存这个文件", path=str(path)) from exc
    except OSError as exc:
        raise ReportError(f"无法读取：{exc.strerror}", path=str(path)) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, str(exc)) from exc


def _syntax_error(path: Path, text: str, detail: str) -> ReportError:
    where = _WHERE.search(detail)
    line = column = None
    if where:
        line, column = int(where.group(1)), int(where.group(2))
        detail = detail[:where.start()]
    elif _END.search(detail):
        line = text.count("\n") + 1
        detail = _END.sub("", detail)
    hint = "请检查这一行的引号、方括号、逗号和等号"
    shown = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    wide = [char for char in _WIDE if char in shown]
    if wide:
        hint = ("这一行有中文标点 " + " ".join(wide) + "：TOML 的引号、等号、方括号和逗号要用英文半角符号（"
                + " ".join(_WIDE[char] for char in wide) + "）")
    place = f"第{column}列附近" if column else "文件末尾"
    return ReportError(f"{place} TOML 格式有误。{hint}（解析器的说明：{detail}）", path=str(path), line=line)


def shown(value: Any) -> str:
    """A value as it would be written in TOML, for a message: ``"50"`` (text) is not ``50``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {shown(item)}" for key, item in value.items()) + "}"
    return str(value)


def kind_of(value: Any) -> str:
    """What a maintainer wrote, in words: 文字, 整数, true/false…"""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "表"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return "日期或时间"
    return type(value).__name__


def wrong(where: str, key: str, value: Any, expected: str, example: str) -> str:
    """The message for a value of the wrong kind or out of range."""
    return f"{where}{key} = {shown(value)}（{kind_of(value)}）不对：应为{expected}，如 {example}"


_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def base_url_problem(value: str) -> str | None:
    """Why ``value`` is not a path the site can live under ("/" or "/giro/"), or None.

    A single "/" first (a "//host/" or "/\\host/" start is another host to a browser), one
    at the end, and only plain path segments between (what GitHub allows in a repository
    name): every page's links to its CSS and scripts start with it."""
    if "\\" in value:
        return "不能含反斜杠“\\”"
    if not value.startswith("/") or value.startswith("//"):
        return "要以一个“/”开头（不写 http:// 和网站域名，那是 site_url）"
    if not value.endswith("/"):
        return "要以“/”结尾"
    segments = value.strip("/").split("/") if value != "/" else []
    for segment in segments:
        if not _SEGMENT.fullmatch(segment) or segment in {".", ".."}:
            return f"路径中的“{segment}”只能用英文字母、数字和 . _ ~ -，也不能是 . 或 ..，各段之间只用一个“/”"
    return None


def web_url_problem(value: str) -> str | None:
    """Why ``value`` is not an http(s) address a page may link to, or None."""
    if any(ord(char) < 0x21 or char in '"<>\\`' or 0x7F <= ord(char) < 0xA0 for char in value):
        return "含有空格、引号、尖括号、反斜杠或控制字符"
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"}:
        return "只接受 http:// 或 https:// 开头的网址"
    if not parts.hostname:
        return "缺少网站域名"
    return None
