"""How big a built site is, by kind of file, against the limits of free static hosts: the
build prints it and warns near a limit, the benchmark breaks it down per report."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The limits a site of this kind meets first on free hosting.
GITHUB_PAGES_BYTES = 1_000_000_000  # GitHub Pages: a published site of at most 1 GB
CLOUDFLARE_FILES = 20_000  # Cloudflare Pages (free plan): at most 20,000 files a site
CLOUDFLARE_FILE_BYTES = 25 * 2**20  # Cloudflare Pages: at most 25 MiB a file
NEAR = 0.8  # warn from this share of a limit on

ORIGINALS = "原始报告文件"
_PREFIXES = (("source/", ORIGINALS), ("data/reports-all", "全部年度下载文件"),
             ("data/reports-", "年度下载文件"), ("regions/", "地区页面"),
             ("agencies/", "机关列表页面"), ("assets/", "静态资源"))


_BY_FOLDER = {prefix[:-1]: kind for prefix, kind in _PREFIXES if prefix.endswith("/")}


def kind_of(relative: str) -> str:
    """The kind of a file by where it is in the site (by its top folder at once: the build
    tallies tens of thousands of region pages)."""
    folder, inside, _ = relative.partition("/")
    if not inside:
        return "其他页面和文件"
    if folder == "agency":
        return "报告页面" if relative.endswith(".html") else "机关数据文件"
    kind = _BY_FOLDER.get(folder)
    if kind is not None:
        return kind
    return next((kind for prefix, kind in _PREFIXES if relative.startswith(prefix)), "其他页面和文件")


@dataclass
class SiteSize:
    bytes: int = 0
    files: int = 0
    largest: tuple[int, str] = (0, "")  # bytes, path
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [bytes, files]

    def without_originals(self) -> tuple[int, int]:
        kept = self.by_kind.get(ORIGINALS, [0, 0])
        return self.bytes - kept[0], self.files - kept[1]


def tally(files: Iterable[tuple[str, int]]) -> SiteSize:
    """The size of a site from (path in the site, bytes) of each of its files: a build knows
    what it wrote (its manifest), so it need not scan the output again."""
    size = SiteSize()
    by_kind = size.by_kind
    largest = size.largest
    for relative, length in files:
        size.bytes += length
        size.files += 1
        if length > largest[0]:
            largest = (length, relative)
        counts = by_kind.get(kind := kind_of(relative))
        if counts is None:
            counts = by_kind[kind] = [0, 0]
        counts[0] += length
        counts[1] += 1
    size.largest = largest
    return size


def _kinds(first: dict[str, list[int]], second: dict[str, list[int]], sign: int) -> dict[str, list[int]]:
    """``first``'s [bytes, files] by kind with ``second``'s added (``sign`` 1) or taken away (-1);
    kinds left with no file dropped."""
    by_kind = {kind: list(counts) for kind, counts in first.items()}
    for kind, (length, count) in second.items():
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += sign * length
        counts[1] += sign * count
    return {kind: counts for kind, counts in by_kind.items() if counts[1]}


def merged(first: SiteSize, second: SiteSize) -> SiteSize:
    """The size of two sets of files that share none."""
    return SiteSize(first.bytes + second.bytes, first.files + second.files, max(first.largest, second.largest),
                    _kinds(first.by_kind, second.by_kind, 1))


def without(size: SiteSize, files: Iterable[tuple[str, int]]) -> SiteSize | None:
    """``size`` less the files given (which it counted); None when the largest is among them
    (the next largest is not known: tally again)."""
    gone = tally(files)
    if gone.files and gone.largest[0] >= size.largest[0]:
        return None
    return SiteSize(size.bytes - gone.bytes, size.files - gone.files, size.largest,
                    _kinds(size.by_kind, gone.by_kind, -1))


def as_record(size: SiteSize) -> dict[str, object]:
    return {"bytes": size.bytes, "files": size.files, "largest": list(size.largest), "by_kind": size.by_kind}


def from_record(record: object) -> SiteSize | None:
    """A size saved by ``as_record`` (in the manifest); None for anything else."""
    if not isinstance(record, dict):
        return None
    try:
        largest = record["largest"]
        by_kind = {str(kind): [int(counts[0]), int(counts[1])] for kind, counts in record["by_kind"].items()}
        return SiteSize(int(record["bytes"]), int(record["files"]), (int(largest[0]), str(largest[1])), by_kind)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _scan(out: Path) -> Iterator[tuple[str, int]]:
    pending = [(str(out), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, relative + "/"))
                elif entry.is_file(follow_symlinks=False):
                    yield relative, entry.stat(follow_symlinks=False).st_size


def measure(out: Path) -> SiteSize:
    """Every file under ``out``, by kind (one directory scan, no file is read)."""
    return tally(_scan(out))


def warnings(size: SiteSize) -> list[str]:
    """What a maintainer should know before publishing: limits reached or near."""
    found = []
    if size.bytes >= NEAR * GITHUB_PAGES_BYTES:
        state = "超过" if size.bytes > GITHUB_PAGES_BYTES else "接近"
        found.append(f"网站大小 {size.bytes / 1e9:.2f} GB，{state} GitHub Pages 的 1 GB 上限"
                     "（可在 content/site.toml 中设 publish_originals = false，不发布原始报告文件）")
    if size.files >= NEAR * CLOUDFLARE_FILES:
        state = "超过" if size.files > CLOUDFLARE_FILES else "接近"
        found.append(f"共 {size.files:,} 个文件，{state} Cloudflare Pages 免费版每个网站 20,000 个文件的上限")
    if size.largest[0] > CLOUDFLARE_FILE_BYTES:
        found.append(f"{size.largest[1]} 有 {size.largest[0] / 2**20:.1f} MiB，"
                     "超过 Cloudflare Pages 每个文件 25 MiB 的上限")
    return found


def summary(size: SiteSize) -> str:
    return (f"网站共 {size.bytes / 1e6:,.1f} MB，{size.files:,} 个文件"
            f"（最大的文件 {size.largest[1]}，{size.largest[0] / 1e6:.1f} MB）。")
