"""All the reports under a content folder: find them, parse them (in parallel, through the
parse cache), and check each against the same body's report of the year before."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giro_site.checks import check_against_previous
from giro_site.errors import ReportError
from giro_site.fetch.sidecar import is_sidecar, report_of
from giro_site.findings import sort_findings
from giro_site.prose.identity import body_key
from giro_site.readers import candidate_suffixes
from giro_site.report import parse_report


@dataclass
class Problem:
    """A file that is not a report or cannot be read, and why."""

    file: str
    reason: str
    line: int | None = None

    def describe(self) -> str:
        where = self.file if self.line is None else f"{self.file} 第{self.line}行"
        return f"{where}：{self.reason}"


@dataclass
class Corpus:
    reports: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: int = 0  # how many files were parsed


def report_files(content: Path) -> tuple[list[Path], list[Problem]]:
    """Every candidate file under ``content/reports``, at any depth, in a stable order; and
    what was skipped, with the reason."""
    found, skipped = scan_reports(content)
    return [Path(path) for path, _ in found], skipped


def _shown(path: str, content: Path) -> str:
    """A path for a message, even when its name is not valid UTF-8."""
    return display_path(path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), content)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def scan_reports(content: Path, sidecars: dict[str, os.stat_result] | None = None,
                 ) -> tuple[list[tuple[str, os.stat_result]], list[Problem]]:
    """(path, stat) of every candidate report file, hidden folders and files skipped; and
    the entries skipped for a reason a maintainer should know. A provenance sidecar that
    ``fetch`` wrote (``x.pdf.source.json``) is never a candidate; with ``sidecars``, it is
    put there, by the path of the file it describes.

    One pass of os.scandir: at ten thousand files, pathlib's rglob and a stat per file
    cost a rebuild a tenth of a second more. A symbolic link is followed only to a place
    inside the content folder (or the reports folder, itself a link), and a folder is read
    once however many links lead to it (a link to a folder above it would loop); a site
    this tool built (it holds the output marker) is not read back as reports; a name that
    is not valid UTF-8 is named, not read. Special files (pipes, devices) are never opened."""
    from giro_site.site.build.output import MARKER

    found: list[tuple[str, os.stat_result]] = []
    skipped: list[Problem] = []
    root = str(content / "reports")
    allowed = (os.path.realpath(content), os.path.realpath(root))
    suffixes = candidate_suffixes()
    try:
        top = os.stat(root)
    except OSError:
        return found, skipped
    visited = {(top.st_dev, top.st_ino)}
    pending = [root]

    def skip(path: str, reason: str) -> None:
        skipped.append(Problem(_shown(path, content), reason))

    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            skip(folder, f"无法读取这个文件夹：{exc.strerror}")
            continue
        if any(entry.name == MARKER for entry in entries):
            skip(folder, "这是本程序生成的网站，不作为报告读取：请把输出文件夹（--out）放在内容文件夹以外")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if is_sidecar(entry.name):
                if sidecars is not None and entry.is_file(follow_symlinks=False):
                    sidecars[report_of(entry.path)] = entry.stat(follow_symlinks=False)
                continue
            link = entry.is_symlink()
            candidate = os.path.splitext(entry.name)[1].lower() in suffixes
            folder_here = not link and entry.is_dir(follow_symlinks=False)
            if not (link or candidate or folder_here):
                continue
            reason = _name_reason(entry.name) or (_link_reason(entry.path, allowed) if link else None)
            if reason is not None:
                skip(entry.path, reason)
            elif folder_here or (link and entry.is_dir()):
                info = entry.stat()
                if (info.st_dev, info.st_ino) in visited:
                    skip(entry.path, "符号链接指向已经读过的文件夹（或形成循环），已跳过")
                else:
                    visited.add((info.st_dev, info.st_ino))
                    pending.append(entry.path)
            elif candidate and entry.is_file():
                found.append((entry.path, entry.stat()))
    found.sort(key=lambda item: item[0])
    return found, skipped


def _name_reason(name: str) -> str | None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "文件名不是有效的 UTF-8 编码（多为从其他系统拷贝而来）：请重命名后再放入"
    return None


def _link_reason(path: str, allowed: tuple[str, ...]) -> str | None:
    """Why a symbolic link is not followed, or None."""
    try:
        os.stat(path)
    except OSError:
        return "符号链接无法打开（目标不存在，或链接形成循环），已跳过"
    target = os.path.realpath(path)
    if not any(_inside(target, folder) for folder in allowed):
        return "符号链接指向内容文件夹以外，未读取：请把文件本身复制到内容文件夹中"
    return None


def display_path(path: Path | str, content: Path) -> str:
    """A path as users see it: ``content/reports/2020/x.txt``, whatever the working folder."""
    text, root = str(path), str(content)
    if text.startswith(root + os.sep):
        return f"{content.name}/{text[len(root) + 1:]}".replace(os.sep, "/")
    return Path(path).as_posix()


def agency_key(report: dict[str, Any]) -> str | None:
    """Reports of the same body share this key (``identity.body_key``); None if it names none."""
    return body_key(report.get("agency"), report.get("region"), (report.get("division") or {}).get("code"))


def cross_year_findings(reports: list[dict[str, Any]], keys: list[str],
                        known: dict[str, list[dict[str, Any]]] | None = None,
                        hashes: list[str] | None = None,
                        used: dict[str, list[dict[str, Any]]] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Findings from comparing each report with the same body's report of the year before.

    ``reports`` need only ``year``, ``form``, ``applications`` (carry-overs) and
    ``proactive``; ``keys`` say which reports are of the same body. Returns the findings
    by the report's position. With ``hashes`` (each report's content hash), comparisons are
    looked up in ``known``, and every comparison made or looked up is put in ``used``."""
    by_key: dict[tuple[str, int], int] = {}
    for index, (report, key) in enumerate(zip(reports, keys, strict=True)):
        if report.get("year") is not None:
            by_key.setdefault((key, report["year"]), index)
    found: dict[int, list[dict[str, Any]]] = {}
    for (key, year), index in sorted(by_key.items()):
        previous = by_key.get((key, year - 1))
        if previous is None:
            continue
        pair = f"{hashes[index]}|{hashes[previous]}" if hashes is not None and known is not None else None
        if pair is not None and pair in known:  # type: ignore[operator]
            extra = known[pair]  # type: ignore[index]
        else:
            extra = check_against_previous(reports[index], reports[previous])
        if pair is not None and used is not None:
            used[pair] = extra
        if extra:
            found[index] = extra
    return found


def link_years(reports: list[dict[str, Any]]) -> None:
    """Add cross-year findings to the reports (replacing each one's findings list)."""
    keys = [agency_key(r) or f"\0{i}" for i, r in enumerate(reports)]
    for index, extra in cross_year_findings(reports, keys).items():
        reports[index]["findings"] = sort_findings(reports[index]["findings"] + extra)


def _parse(path: Path, content: Path) -> dict[str, Any] | Problem:
    shown = display_path(path, content)
    try:
        return parse_report(path, display_path=shown)
    except ReportError as exc:
        return Problem(shown, exc.reason, exc.line)


def load_corpus(content: Path, *, jobs: int = 1) -> Corpus:
    """Parse every report (in ``jobs`` processes) and check each against the year before."""
    files, skipped = report_files(content)
    corpus = Corpus(parsed=len(files), problems=skipped)
    if jobs > 1 and len(files) > 50:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(_parse, [(path, content) for path in files], chunksize=32)
    else:
        results = [_parse(path, content) for path in files]
    for result in results:
        if isinstance(result, Problem):
            corpus.problems.append(result)
        else:
            corpus.reports.append(result)
    link_years(corpus.reports)
    return corpus
