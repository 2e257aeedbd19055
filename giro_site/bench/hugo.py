"""The Hugo reference of the benchmark: the same number of pages holding the same tables,
built by Hugo (a compiled static site generator) on the same machine, so our build's time
can be read against what a fast generator needs for the same pages.

Each report the built site published becomes a Hugo page whose front matter holds its
three tables as the site shows them (row labels, then each cell as the page shows it: a
figure, or "—" for a blank), its findings and its narrative paragraphs; one Go template lays
them out in a page with the site's head, navigation and footer. Hugo reads prepared data,
where our build also parses every report's text: the comparison says so beside it.

Hugo is optional: ``available()`` is False without it and the benchmark leaves the column out.
"""

from __future__ import annotations

import gzip
import resource
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from giro_site.bench.memory import PeakMemory
from giro_site.site.tables import layouts, show

_CONFIG = """baseURL = "https://example.org/"
languageCode = "zh-CN"
title = "政府信息公开年度报告"
disableKinds = ["taxonomy", "term", "RSS"]
"""

_BASEOF = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/site.js" defer></script>
</head>
<body>
<header class=site-header><nav><ul class=nav>
<li><a href="/">首页</a><li><a href="/regions/">按地区</a><li><a href="/agencies/">全部机关</a>
<li><a href="/compare/">对比</a><li><a href="/downloads/">数据下载</a><li><a href="/problems/">数据问题</a>
</ul></nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p>数据来自各机关公开发布的政府信息公开工作年度报告。空白单元格显示为“—”，不等于0。</p></footer>
</body>
</html>
"""

_SINGLE = """{{ define "main" }}
<h1>{{ .Params.agency }}</h1>
<section class=year><h2>{{ .Params.year }}年度报告</h2>
<p class=meta>{{ .Params.form }}年版国家表格</p>
{{ with .Params.findings }}<ul class=findings>{{ range . }}<li class="{{ .severity }}">
<b>{{ .code }}</b>：{{ .message }}{{ end }}</ul>{{ end }}
{{ range .Params.tables }}<section class=form-table><h3>{{ .caption }}</h3>
<table class=form><tbody>
{{ range .rows }}<tr>{{ range .labels }}<th scope=row>{{ . }}</th>{{ end }}
{{- range .cells }}<td class="{{ if eq . "—" }}b{{ end }}">{{ . }}</td>{{ end }}</tr>
{{ end }}</tbody></table></section>
{{ end }}
{{ range .Params.narrative }}<p>{{ . }}</p>
{{ end }}</section>
{{ end }}
"""

_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</ul>
{{ end }}
"""


def available() -> bool:
    return shutil.which("hugo") is not None


def version() -> str:
    done = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=False)
    return done.stdout.strip().split(" ")[1] if done.returncode == 0 and done.stdout else "?"


def published(site: Path) -> Iterator[dict[str, Any]]:
    """Every report a built site published (its agencies' data files)."""
    for data in sorted((site / "agency").glob("*/reports.json.gz")):
        yield from orjson.loads(gzip.decompress(data.read_bytes()))


def _tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    tables = []
    for layout in layouts(report["form"]):
        values = report[layout.id]
        rows = []
        for row in layout.rows:
            cells = [show(values.get(key, {}).get(column), False).text for _, key, column in row.parts]
            rows.append({"labels": [head.text for head in row.labels], "cells": cells})
        tables.append({"caption": layout.caption, "rows": rows})
    return tables


def front_matter(report: dict[str, Any]) -> dict[str, Any]:
    narrative = [para for text in report["narrative"].values() if text for para in text.split("\n")]
    return {"title": f"{report.get('agency') or '机关'} {report.get('year')}", "agency": report.get("agency") or "",
            "year": report.get("year"), "form": report["form"], "tables": _tables(report),
            "findings": [{"code": f["code"], "severity": f["severity"], "message": f["message"]}
                         for f in report["findings"]],
            "narrative": narrative}


def make_site(reports: Iterator[dict[str, Any]], folder: Path) -> int:
    """A Hugo site with one page per report; returns the number of pages."""
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "config.toml").write_text(_CONFIG, encoding="utf-8")
    for name, text in (("baseof.html", _BASEOF), ("single.html", _SINGLE), ("list.html", _LIST)):
        (folder / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    pages = folder / "content" / "reports"
    pages.mkdir(parents=True)
    count = 0
    for count, report in enumerate(reports, start=1):
        (pages / f"r{count}.md").write_bytes(orjson.dumps(front_matter(report), option=orjson.OPT_INDENT_2)
                                             + b"\n")
    return count


@dataclass
class HugoBuild:
    seconds: float
    cpu_seconds: float
    pages: int
    peak_bytes: int = 0  # of the process and its children, sampled as our build's is


def build(folder: Path, destination: Path) -> HugoBuild:
    """A cold Hugo build of ``folder`` into a new ``destination`` (its own cache folder, new)."""
    cache = destination.with_name(destination.name + ".cache")
    command = ["hugo", "--quiet", "--source", str(folder), "--destination", str(destination),
               "--cacheDir", str(cache)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:  # (as our build is timed: the same sampler beside it)
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"hugo failed:\n{stdout}\n{stderr}")
    pages = sum(1 for _ in destination.rglob("*.html"))
    return HugoBuild(seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, pages,
                     memory.peak)
