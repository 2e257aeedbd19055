"""Site settings (``content/site.toml``) and hand-kept agency metadata
(``content/agencies.toml``): both optional, both edited by maintainers."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from giro_site.errors import ReportError
from giro_site.regions import LEVELS, gazetteer
from giro_site.site.settings import base_url_problem, read_toml, shown, web_url_problem, wrong


@dataclass(frozen=True)
class SiteConfig:
    title: str = "政府信息公开年度报告透明度看板"
    description: str = "各机关政府信息公开工作年度报告的数据、图表与核对结果。"
    base_url: str = "/"  # the path the site is served under: "/" or "/giro/"
    site_url: str = ""  # the public origin for sitemap and Open Graph, e.g. https://user.github.io
    build_date: str = ""  # YYYY-MM-DD; fixed so two builds of the same content are identical
    page_size: int = 50  # rows per page of the comparison table
    chart_top: int = 20  # agencies shown in the comparison charts
    # Copy each report's original file into the site (``source/``). Off: pages link to the
    # agency's source_url from agencies.toml, or say that the original is not published.
    publish_originals: bool = True

    def absolute(self, path: str) -> str:
        """A full URL for sitemap and Open Graph; a root-relative one if no site_url is set."""
        return f"{self.site_url.rstrip('/')}{path}" if self.site_url else path


def _build_date(configured: str) -> str:
    """The configured date, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if configured:
        return configured
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError) as exc:
            raise ReportError(f"环境变量 SOURCE_DATE_EPOCH = {epoch!r} 不对：应为 Unix 时间戳（整数秒），"
                              "如 $(git log -1 --format=%ct)") from exc
    return dt.date.today().isoformat()


def _text(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ReportError(wrong(where, key, value, "文字（加英文引号）", f'{key} = "…"'))
    return value


def _title(where: str, value: Any) -> str:
    if not (isinstance(value, str) and value.strip()):
        raise ReportError(wrong(where, "title", value, "不为空的文字（加英文引号）",
                                'title = "某某县政府信息公开年度报告"'))
    return value.strip()


def _check_base_url(where: str, value: Any) -> str:
    path = _text(where, "base_url", value)
    problem = base_url_problem(path)
    if problem:
        raise ReportError(f"{where}base_url = {shown(path)} 不对：{problem}。网站放在域名根目录写 "
                          'base_url = "/"，放在 GitHub 项目页面 https://用户名.github.io/仓库名/ '
                          '写 base_url = "/仓库名/"')
    return path


def _check_site_url(where: str, value: Any) -> str:
    url = _text(where, "site_url", value)
    problem = web_url_problem(url) if url else None
    if problem:
        raise ReportError(f"{where}site_url = {shown(url)} 不对：{problem}，如 "
                          'site_url = "https://用户名.github.io"（不写路径，路径是 base_url）')
    return url


def _check_int(where: str, key: str, value: Any, low: int, high: int, example: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ReportError(wrong(where, key, value, f"{low} 到 {high} 之间的整数（不加引号）", f"{key} = {example}"))
    return value


def _check_date(where: str, value: Any) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(_text(where, "build_date", value)).isoformat() if value else ""
    except ValueError as exc:
        raise ReportError(wrong(where, "build_date", value, "日期 YYYY-MM-DD", "build_date = 2026-01-31")) from exc


def _check_bool(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ReportError(wrong(where, key, value, "true 或 false（不加引号）", f"{key} = false"))
    return value


# Each setting's check: (where the value came from, the value) → the value the site uses.
_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "title": lambda where, value: _title(where, value),
    "description": lambda where, value: _text(where, "description", value),
    "base_url": _check_base_url,
    "site_url": _check_site_url,
    "build_date": _check_date,
    "page_size": lambda where, value: _check_int(where, "page_size", value, 1, 1000, 50),
    "chart_top": lambda where, value: _check_int(where, "chart_top", value, 1, 200, 20),
    "publish_originals": lambda where, value: _check_bool(where, "publish_originals", value),
}


def _given_base_url(value: str) -> str:
    """A base_url from the command line or the environment, where "" and "/giro" (GitHub's
    configure-pages gives both) mean "/" and "/giro/"."""
    value = value.strip()
    return value if value.endswith("/") else value + "/"


# Environment variables a deployment sets (the Pages workflow), over site.toml, under the CLI.
ENVIRONMENT = {"base_url": "GIRO_BASE_URL", "site_url": "GIRO_SITE_URL"}


def load_config(content: Path, *, base_url: str | None = None, build_date: str | None = None) -> SiteConfig:
    """Settings from ``site.toml``, then the environment, then command-line options; each
    checked, so that a mistake stops the build naming the key, the value and what it should be."""
    path = content / "site.toml"
    data = read_toml(path)
    unknown = set(data) - set(_CHECKS)
    if unknown:
        raise ReportError(f"有未知设置：{'、'.join(sorted(unknown))}（可用的设置：{'、'.join(_CHECKS)}）",
                          path=str(path))
    values: dict[str, Any] = {}
    try:
        for key, value in data.items():
            values[key] = _CHECKS[key]("", value)
    except ReportError as exc:
        raise exc.with_path(str(path)) from None
    for key, variable in ENVIRONMENT.items():
        given = os.environ.get(variable)
        if given is not None and (given.strip() or key == "base_url"):
            if key == "base_url":
                given = _given_base_url(given)
            values[key] = _CHECKS[key](f"环境变量 {variable} 给出的 ", given)
    if base_url is not None:
        values["base_url"] = _check_base_url("--base-url 给出的 ", _given_base_url(base_url))
    if build_date:
        values["build_date"] = _check_date("--build-date 给出的 ", build_date)
    config = SiteConfig(**values)
    return replace(config, build_date=_build_date(config.build_date))


# Older spellings of a body's level, as earlier agencies.toml files have them.
LEVEL_SYNONYMS = {"省级": "省", "市级": "市", "县级": "县", "区县": "县", "乡镇": "乡镇街道", "街道": "乡镇街道",
                  "乡级": "乡镇街道"}


@dataclass(frozen=True)
class AgencyMeta:
    """What a maintainer knows about a body that its reports do not say well."""

    match: tuple[str, ...] = ()  # names as the reports give them (region+name or name)
    files: tuple[str, ...] = ()  # globs of report paths under content/, e.g. "reports/*/001_*"
    name: str | None = None
    region: str | None = None  # its places as one string, "吉林省长春市双阳区", read against the gazetteer
    level: str | None = None  # 省 · 市 · 县 · 乡镇街道 · 部门
    source_url: str | None = None
    slug: str | None = None
    code: str | None = None  # the gazetteer code of its place (12 digits, or 6 for a county): wins over region


@dataclass
class AgencyDirectory:
    entries: list[AgencyMeta] = field(default_factory=list)
    # how a message names each entry ("第2个 [[agency]]（鹿乡镇人民政府）"), by position
    labels: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # the positions of entries ``find`` returned

    def find(self, file: str, agency: str | None, region: str | None) -> AgencyMeta | None:
        """The entry for a report: by file glob first, then by the name the report gives."""
        if not self.entries:
            return None
        relative = file.split("/", 1)[1] if "/" in file else file
        for position, entry in enumerate(self.entries):
            if any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(file, pattern) for pattern in entry.files):
                self.used.add(position)
                return entry
        names = {f"{region or ''}{agency or ''}", agency or ""}
        for position, entry in enumerate(self.entries):
            if names & set(entry.match):
                self.used.add(position)
                return entry
        return None

    def unused(self, reports: Iterable[tuple[str, str | None, str | None]] = ()) -> list[str]:
        """A warning for each entry no report was found for: after ``find`` saw every report,
        or, for the entries it has not returned yet, looking through ``reports`` (file,
        agency, region) until each is found (a rebuild that looked only at changed reports)."""
        if len(self.used) < len(self.entries):
            for file, agency, region in reports:
                self.find(file, agency, region)
                if len(self.used) == len(self.entries):
                    break
        return [f"agencies.toml {self.labels[position]} 没有对应任何报告：请核对 match 中的名称与报告标题中的"
                "机关名称（含或不含地区）是否一字不差，files 中的路径是否从 reports/ 写起"
                for position in range(len(self.entries)) if position not in self.used]


# A slug is a folder of the site (``agency/<slug>/``) and part of file names: nothing that
# could leave the output folder or need escaping in a URL.
_SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,78}[A-Za-z0-9])?")
_TEXT_FIELDS = ("name", "region", "level", "source_url", "slug")
_EXAMPLE = '''[[agency]]
match = ["密云区高岭镇人民政府"]
name = "北京市密云区高岭镇人民政府"'''


def _entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The [[agency]] tables, or an error naming the mistake in the file's shape."""
    unknown = set(data) - {"agency"}
    if unknown:
        raise ReportError(f"有未知的段落或字段：{'、'.join(sorted(unknown))}。每个机关写成一段，以 [[agency]] 开头，如"
                          f"\n{_EXAMPLE}")
    items = data.get("agency", [])
    if isinstance(items, dict):
        raise ReportError("写成了 [agency]（一层方括号）：每个机关一段，要写成 [[agency]]（两层方括号），如"
                          f"\n{_EXAMPLE}")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ReportError(f"agency = {shown(items)} 不对：每个机关写成一段，以 [[agency]] 开头，如\n{_EXAMPLE}")
    return items


def _label(index: int, item: dict[str, Any]) -> str:
    name = item.get("name") if isinstance(item.get("name"), str) else None
    match = item.get("match")
    name = name or (match[0] if isinstance(match, list) and match and isinstance(match[0], str) else None)
    return f"第{index}个 [[agency]]" + (f"（{name}）" if name else "")


def _check_entry(label: str, item: dict[str, Any]) -> dict[str, Any]:
    """The entry's fields, each of the kind it must be; ``match`` and ``files`` as tuples."""
    where = f"{label}的 "
    unknown = set(item) - set(AgencyMeta.__dataclass_fields__)
    if unknown:
        raise ReportError(f"{label} 有未知字段：{'、'.join(sorted(unknown))}（可用的字段："
                          f"{'、'.join(AgencyMeta.__dataclass_fields__)}）")
    checked = dict(item)
    for key in ("match", "files"):
        value = item.get(key, [])
        if isinstance(value, str):
            raise ReportError(f"{where}{key} = {shown(value)} 是一个文字，应为列表：即使只有一项也要加方括号，"
                              f"如 {key} = [{shown(value)}]")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ReportError(wrong(where, key, value, "列表，每项是加引号的文字", f'{key} = ["…", "…"]'))
        checked[key] = tuple(value)
    for key in _TEXT_FIELDS:
        if key in item and not (isinstance(item[key], str) and item[key].strip()):
            raise ReportError(wrong(where, key, item[key], "加英文引号的文字（不能为空）", f'{key} = "…"'))
    url = item.get("source_url")
    problem = web_url_problem(url) if url is not None else None
    if problem:
        raise ReportError(f"{where}source_url = {shown(url)} 不对：{problem}，如 "
                          'source_url = "https://www.bjmy.gov.cn/"')
    return checked


def load_agencies(content: Path) -> AgencyDirectory:
    path = content / "agencies.toml"
    try:
        return _load_agencies(read_toml(path))
    except ReportError as exc:
        raise exc if exc.path else exc.with_path(str(path)) from None


def _load_agencies(data: dict[str, Any]) -> AgencyDirectory:
    entries, labels = [], []
    slugs: dict[str, str] = {}  # a given slug, without case → the entry that gives it, as a message names it
    for index, raw in enumerate(_entries(data), start=1):
        label = _label(index, raw)
        item = _check_entry(label, raw)
        slug = item.get("slug")
        if slug is not None and not _SLUG.fullmatch(slug):
            raise ReportError(f"{label}的 slug {shown(slug)} 不能用作网址：只能用英文字母、数字和连字符“-”"
                              f"（不以连字符开头或结尾，最多 80 个字符），如 slug = \"gaolingzhen\"")
        if slug is not None:
            first = slugs.setdefault(slug.casefold(), label)
            if first != label:
                raise ReportError(f"{first}和{label}的 slug 都是“{slug}”（不分大小写）：两个机关不能用同一个网址，"
                                  "请改掉其中一个")
        level = item.get("level")
        if level is not None:
            level = LEVEL_SYNONYMS.get(level, level)
            if level not in LEVELS:
                raise ReportError(f"{label}的 level = {shown(item['level'])} 不对：应为 {'、'.join(LEVELS)} 之一")
        code = item.get("code")
        if code is not None:
            if isinstance(code, bool) or not isinstance(code, str | int) or not re.fullmatch(r"\d{2,12}", str(code)):
                raise ReportError(wrong(f"{label}的 ", "code", code, "行政区划代码（6 位或 12 位数字）",
                                        'code = "110118108000"'))
            code = str(code).ljust(12, "0")
            if code not in gazetteer().by_code:
                raise ReportError(f"{label}的 code = {shown(item['code'])} 不在行政区划地名库中：请核对代码"
                                  "（行政区划代码可在国家地名信息库 dmfw.mca.gov.cn 查到，县级 6 位、乡镇级 12 位）")
        entries.append(AgencyMeta(**{**item, "level": level, "code": code}))
        labels.append(label)
    return AgencyDirectory(entries, labels)
