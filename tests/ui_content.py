"""Content for the tests of the compare page, the search box and the site's defences: the
shipped content, bodies whose years a comparison must put in order with gaps (one reports
2022 and 2023 beside a seed's 2020, the other 2019, 2020 and 2023), one whose name is markup,
one no report names in a file whose name is a link, and a maintainer's page holding a script,
an image's error handler and links by every scheme that runs code (the audit's exact inputs,
and spellings a browser still reads as them)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from giro_site.bench.synth import make_corpus, random_report, render_text
from tests.conftest import ROOT

ZHANGSHANZI = "张山子镇人民政府"  # a seed reports its 2020
PINGTAN = "平潭综合实验区管委会"
MARKUP_NAME = "<b>粗体</b><i>斜体</i><sup>2</sup><br>镇人民政府"
LINK_FILE = '<a href="https:evil.example" target="_blank">点此领取补贴.txt'
UNKNOWN_NAME = "（名称不详）2022年"  # what the site calls the body of LINK_FILE
UI_YEARS = {ZHANGSHANZI: [2022, 2023], PINGTAN: [2019, 2020, 2023], MARKUP_NAME: [2022, 2023]}
UI_CORPUS = 40  # generated reports the browser tests add, so that a search's results fill a screen
UI_REPORTS = 5 + sum(len(years) for years in UI_YEARS.values()) + 1  # the seeds, these, LINK_FILE
UI_BODIES = 8  # the seeds' five (张山子镇 among them), 平潭, the markup name and the unnamed one
HOSTILE_PAGE = """title: 说明
order: 20

# 说明

<script>alert("script")</script>

<img src=x onerror="alert('onerror')">

[javascript 链接](javascript:alert('javascript'))
[data 链接](data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+)
[vbscript 链接](vbscript:msgbox('vbscript'))

<a href="JaVa&#x09;ScRiPt:alert('entity')">实体写法</a> <a href=" javascript:alert('space')">前置空格</a>

[站内链接](../downloads/) [外部链接](https://example.org/)
"""
REFUSED_LINKS = ("javascript 链接", "data 链接", "vbscript 链接", "实体写法", "前置空格")


def write_ui_content(content: Path, corpus: int = 0) -> int:
    """Writes the content into ``content`` (a new folder) with ``corpus`` generated reports
    besides; returns the number of bodies those make."""
    shutil.copytree(ROOT / "content", content)
    bodies = make_corpus(content, corpus, seed=22) if corpus else 0
    rng = random.Random(22)
    for name, years in UI_YEARS.items():
        for year in years:
            report = random_report(rng, name, "密云区" if name == MARKUP_NAME else None, year)
            path = content / "reports" / str(year) / f"ui-{years[0]}-{len(name)}-{year}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_text(report), encoding="utf-8")
    nameless = render_text(random_report(rng, "无名", None, 2022)).split("\n", 1)[1]  # no name before the title
    (content / "reports" / "2022" / LINK_FILE).write_text(nameless, encoding="utf-8")
    (content / "pages" / "hostile.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    return bodies
