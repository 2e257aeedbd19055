"""All the reports under a content folder: find them, parse them (in parallel, through the
parse cache), and check each against the same body's report of the year before.

Also the rules that make a body-year count once (``choose_versions``) and the checks of a
report's year against the folder it is in and the build's year (``year_findings``): they
need the whole corpus, or the build's date, so they are not the parser's."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import orjson

from giro_site.checks import check_against_previous
from giro_site.errors import ReportError
from giro_site.fetch.sidecar import SUFFIX as SIDECAR
from giro_site.fetch.sidecar import report_of
from giro_site.findings import ERROR, INFO, WARNING, finding, sort_findings
from giro_site.progress import Progress
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
    reports: list[dict[str, Any]] = field(default_factory=list)  # one per body and year (``choose_versions``)
    problems: list[Problem] = field(default_factory=list)
    parsed: int = 0  # how many files were parsed
    others: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # reports not counted, and why


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


_NAME, _FIRST = attrgetter("name"), itemgetter(0)


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
                entries = sorted(listing, key=_NAME)
        except OSError as exc:
            skip(folder, f"无法读取这个文件夹：{exc.strerror}")
            continue
        if MARKER in map(_NAME, entries):
            skip(folder, "这是本程序生成的网站，不作为报告读取：请把输出文件夹（--out）放在内容文件夹以外")
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if name.endswith(SIDECAR):  # (``is_sidecar``, inline: once a file of tens of thousands)
                if sidecars is not None and entry.is_file(follow_symlinks=False):
                    sidecars[report_of(entry.path)] = entry.stat(follow_symlinks=False)
                continue
            if entry.is_file(follow_symlinks=False):  # the usual entry, at once
                dot = name.rfind(".")
                if dot > 0 and name[dot:].lower() in suffixes:
                    reason = None if name.isascii() else _name_reason(name)
                    if reason is not None:
                        skip(entry.path, reason)
                    else:
                        found.append((entry.path, entry.stat(follow_symlinks=False)))
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
    found.sort(key=_FIRST)
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


def public_file(file: str) -> str:
    """A report's path relative to ``reports/`` ("2020/x.txt"): the maintainer's folder names
    (the content folder's, or any folder above it) are not the public's business."""
    parts = file.split("/")
    if "reports" in parts[:2]:
        return "/".join(parts[parts.index("reports") + 1:])
    return parts[-1]


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


# --- a body-year counts once -------------------------------------------------------------

# The Regulation on the Disclosure of Government Information took effect on 1 May 2008: no
# annual report is for an earlier year.
FIRST_YEAR = 2008
FORM_TABLES = ("proactive", "applications", "review_litigation")


@dataclass(frozen=True)
class Candidate:
    """What choosing between versions needs to know of a report."""

    name: str  # content/reports/2020/x.txt
    body: str | None  # which body it is (reports of one body share it); None: not known
    year: int | None
    errors: int  # its error findings
    stated: int  # how many cells of the form's tables it fills in
    sha256: str  # of the file's bytes ("" when not known)
    figures: str = ""  # a digest of its figures: two versions with equal ones differ only in form


@dataclass
class Versions:
    """Which reports count, and why the others do not. Indexes are into the candidates."""

    used: list[int] = field(default_factory=list)
    same_bytes: dict[int, int] = field(default_factory=dict)  # a copy → the file read in its place
    others: dict[int, int] = field(default_factory=dict)  # another version of a body's year → the one used
    reasons: dict[int, str] = field(default_factory=dict)  # another version → why the used one was chosen
    findings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # used → DUPLICATE_REPORT findings


def stated_cells(report: dict[str, Any]) -> int:
    """How many cells of the form's three tables the report fills in (a blank is not one)."""
    rows = chain.from_iterable(map(dict.values, map(report.__getitem__, FORM_TABLES)))
    cells = list(chain.from_iterable(map(dict.values, rows)))  # at C speed: every report is counted
    return len(cells) - cells.count(None)


def figures_digest(report: dict[str, Any]) -> str:
    """A digest of every figure the report gives: equal for a .txt and a .docx of one report."""
    figures = [report[table] for table in FORM_TABLES] + [report["metrics"]["proactive_items"]["value"]]
    return hashlib.sha1(orjson.dumps(figures, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def candidate_of(report: dict[str, Any]) -> Candidate:
    return Candidate(report["source"]["file"], agency_key(report), report.get("year"),
                     sum(f["severity"] == ERROR for f in report["findings"]), stated_cells(report),
                     report["source"].get("sha256") or "", figures_digest(report))


def folder_year(name: str) -> int | None:
    """The year of the nearest folder named as one (``reports/2022/town/x.txt`` → 2022)."""
    for part in reversed(name.split("/")[:-1]):
        if len(part) == 4 and part.isdigit() and part[:2] in ("19", "20"):
            return int(part)
    return None


def year_findings(name: str, year: int | None, build_year: int) -> list[dict[str, Any]]:
    """A year no report can be for (before the regulation, after the build's year) is an
    error; a year folder that says another year than the report is a warning (the report's
    own year is used: folders are sorted by hand, the title is the body's own word)."""
    found = []
    if year is not None and not FIRST_YEAR <= year <= build_year:
        why = f"早于《政府信息公开条例》施行的{FIRST_YEAR}年" if year < FIRST_YEAR else f"晚于本站生成的{build_year}年"
        found.append(finding("YEAR_INVALID", f"报告所写的年度{year}年{why}，不可能是报告所属的年度：这份报告不计入"
                                             "任何年度的合计和下载文件的年度分组，也不作为本机关的最新报告；请核对原文的标题。",
                             "year"))
    folder = folder_year(name)
    if year is not None and folder is not None and folder != year:
        found.append(finding("YEAR_FOLDER_MISMATCH", f"报告所写的年度是{year}年，但文件放在“{folder}”文件夹中；"
                                                     f"本站按报告所写的{year}年计。如果文件放错了文件夹，请移到正确的文件夹。",
                             "year"))
    return found


def _reason(used: Candidate, other: Candidate) -> str:
    if used.errors != other.errors:
        return f"它的核对错误较少（{used.errors} 个，另一份 {other.errors} 个）"
    if used.stated != other.stated:
        return f"它填写的数字较多（{used.stated} 格，另一份 {other.stated} 格）"
    return "两份的核对错误和填写的数字一样多，按文件路径取在前的一份"


def choose_versions(candidates: list[Candidate]) -> Versions:
    """One report per body and year, and each file's bytes read once.

    Files with the same bytes are one report: the one in the folder of its own year is read,
    else the first by path; the others are copies. Of two or more different reports of one
    body and year (a corrected version, another format) the one used has the fewest error
    findings, then the most cells stated, then the first path; each other one is a version
    of that year, named in a ``DUPLICATE_REPORT`` finding on the one used (a warning when
    their figures differ, a note when they are the same)."""
    result = Versions()
    first_copy: dict[str, int] = {}
    order = sorted(range(len(candidates)), key=lambda i: (
        folder_year(candidates[i].name) not in (None, candidates[i].year), candidates[i].name))
    for index in order:
        digest = candidates[index].sha256
        if digest and digest in first_copy:
            result.same_bytes[index] = first_copy[digest]
        elif digest:
            first_copy[digest] = index
    read = [i for i in range(len(candidates)) if i not in result.same_bytes]
    groups: dict[tuple[str, int], list[int]] = {}
    for index in read:
        candidate = candidates[index]
        if candidate.body is not None and candidate.year is not None:
            groups.setdefault((candidate.body, candidate.year), []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda i: (candidates[i].errors, -candidates[i].stated, candidates[i].name))
        chosen = candidates[ranked[0]]
        for other_index in ranked[1:]:
            other = candidates[other_index]
            result.others[other_index] = ranked[0]
            reason = result.reasons[other_index] = _reason(chosen, other)
            same = bool(chosen.figures) and chosen.figures == other.figures
            message = (f"本机关{chosen.year}年度另有一份报告 {public_file(other.name)}；"
                       f"本站采用 {public_file(chosen.name)}，因为{reason}。"
                       + ("两份的数字相同。" if same else "两份的数字不同，请核对哪一份是机关正式发布的。")
                       + "另一份列在本页的“本年度的其他版本”中，不计入任何合计、图表和下载文件。")
            result.findings.setdefault(ranked[0], []).append(
                finding("DUPLICATE_REPORT", message, "source", severity=INFO if same else WARNING))
    result.used = [i for i in read if i not in result.others]
    return result


Settled = tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]


def settle(reports: list[dict[str, Any]], build_year: int) -> Settled:
    """The reports that count (one per body and year, each file's bytes once), with the
    findings about their year and versions added; and each report not counted, with why."""
    versions = choose_versions([candidate_of(r) for r in reports])
    used = []
    for index in versions.used:
        report = reports[index]
        extra = year_findings(report["source"]["file"], report.get("year"), build_year)
        extra += versions.findings.get(index, [])
        if extra:
            report = {**report, "findings": sort_findings(report["findings"] + extra)}
        used.append(report)
    others = [(reports[i], f"与 {reports[kept]['source']['file']} 内容完全相同，只读取一次")
              for i, kept in sorted(versions.same_bytes.items())]
    others += [(reports[i], f"同一机关同一年度的另一版本，未计入；采用 {reports[kept]['source']['file']}，"
                            f"因为{versions.reasons[i]}") for i, kept in sorted(versions.others.items())]
    return used, others


def _parse(path: Path, content: Path) -> dict[str, Any] | Problem:
    shown = display_path(path, content)
    try:
        return parse_report(path, display_path=shown)
    except ReportError as exc:
        return Problem(shown, exc.reason, exc.line)


def _parse_pair(pair: tuple[Path, Path]) -> dict[str, Any] | Problem:
    return _parse(*pair)


def load_corpus(content: Path, *, jobs: int = 1, build_year: int | None = None,
                progress: Progress | None = None) -> Corpus:
    """Parse every report (in ``jobs`` processes), keep one per body and year, and check each
    against the year before. ``build_year``: the year no report may be later than (today's).
    ``progress`` hears of each report parsed (``check`` shows a bar on a terminal)."""
    files, skipped = report_files(content)
    corpus = Corpus(parsed=len(files), problems=skipped)
    progress = progress or Progress()
    progress.stage("解析报告", len(files), "个文件")
    results: list[dict[str, Any] | Problem] = []
    pairs = [(path, content) for path in files]
    if jobs > 1 and len(files) > 50:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for result in pool.imap(_parse_pair, pairs, chunksize=32):  # in order, as they come
                results.append(result)
                progress.advance()
    else:
        for pair in pairs:
            results.append(_parse_pair(pair))
            progress.advance()
    progress.close()
    reports = []
    for result in results:
        if isinstance(result, Problem):
            corpus.problems.append(result)
        else:
            reports.append(result)
    corpus.reports, corpus.others = settle(reports, build_year or dt.date.today().year)
    link_years(corpus.reports)
    return corpus
