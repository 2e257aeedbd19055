"""Site settings (``content/site.toml``) and hand-kept agency metadata
(``content/agencies.toml``): both optional, both edited by maintainers."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from giro_site.errors import ReportError
from giro_site.regions import LEVELS, gazetteer


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


def normalise_base_url(base: str) -> str:
    base = "/" + base.strip().strip("/")
    return base if base == "/" else base + "/"


def _build_date(configured: str) -> str:
    """The configured date, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if configured:
        return str(dt.date.fromisoformat(str(configured)))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"设置文件格式有误：{exc}", path=str(path)) from exc


# Environment variables a deployment sets (the Pages workflow), over site.toml, under the CLI.
ENVIRONMENT = {"base_url": "GIRO_BASE_URL", "site_url": "GIRO_SITE_URL"}


def load_config(content: Path, *, base_url: str | None = None, build_date: str | None = None) -> SiteConfig:
    """Settings from ``site.toml``, then the environment, then command-line options."""
    data = _read_toml(content / "site.toml")
    known = {f for f in SiteConfig.__dataclass_fields__}
    unknown = set(data) - known
    if unknown:
        raise ReportError(f"site.toml 中有未知设置：{'、'.join(sorted(unknown))}", path=str(content / "site.toml"))
    for key, variable in ENVIRONMENT.items():
        if os.environ.get(variable):
            data[key] = os.environ[variable]
    try:
        config = SiteConfig(**data)
    except TypeError as exc:
        raise ReportError(f"site.toml 设置有误：{exc}", path=str(content / "site.toml")) from exc
    config = replace(config, base_url=normalise_base_url(base_url if base_url is not None else config.base_url))
    return replace(config, build_date=_build_date(build_date or config.build_date))


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

    def find(self, file: str, agency: str | None, region: str | None) -> AgencyMeta | None:
        """The entry for a report: by file glob first, then by the name the report gives."""
        if not self.entries:
            return None
        relative = file.split("/", 1)[1] if "/" in file else file
        for entry in self.entries:
            if any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(file, pattern) for pattern in entry.files):
                return entry
        names = {f"{region or ''}{agency or ''}", agency or ""}
        for entry in self.entries:
            if names & set(entry.match):
                return entry
        return None


# A slug is a folder of the site (``agency/<slug>/``) and part of file names: nothing that
# could leave the output folder or need escaping in a URL.
_SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,78}[A-Za-z0-9])?")


def load_agencies(content: Path) -> AgencyDirectory:
    path = content / "agencies.toml"
    data = _read_toml(path)
    entries = []
    slugs: dict[str, str] = {}  # a given slug, without case → the entry that gives it, as a message names it
    for index, item in enumerate(data.get("agency", []), start=1):
        unknown = set(item) - set(AgencyMeta.__dataclass_fields__)
        if unknown:
            raise ReportError(f"第{index}个 [[agency]] 有未知字段：{'、'.join(sorted(unknown))}", path=str(path))
        slug = item.get("slug")
        if slug is not None and not (isinstance(slug, str) and _SLUG.fullmatch(slug)):
            raise ReportError(f"第{index}个 [[agency]] 的 slug “{slug}”不能用作网址：只能用英文字母、数字和连字符“-”"
                              f"（不以连字符开头或结尾，最多 80 个字符），如 gaolingzhen", path=str(path))
        if slug is not None:
            named = f"第{index}个 [[agency]]" + (f"（{item['name']}）" if isinstance(item.get("name"), str) else "")
            first = slugs.setdefault(slug.casefold(), named)
            if first != named:
                raise ReportError(f"{first}和{named}的 slug 都是“{slug}”（不分大小写）：两个机关不能用同一个网址，"
                                  "请改掉其中一个", path=str(path))
        level = item.get("level")
        if level is not None:
            level = LEVEL_SYNONYMS.get(level, level)
            if level not in LEVELS:
                raise ReportError(f"第{index}个 [[agency]] 的 level “{level}” 不是 {'、'.join(LEVELS)} 之一",
                                  path=str(path))
        code = item.get("code")
        if code is not None:
            code = str(code).ljust(12, "0")
            if code not in gazetteer().by_code:
                raise ReportError(f"第{index}个 [[agency]] 的 code “{item['code']}” 不在行政区划地名库中",
                                  path=str(path))
        entries.append(AgencyMeta(**{**item, "match": tuple(item.get("match", ())), "level": level, "code": code,
                                     "files": tuple(item.get("files", ()))}))
    return AgencyDirectory(entries)
