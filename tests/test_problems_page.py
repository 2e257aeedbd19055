"""The public 数据问题 page: report paths from ``reports/`` on (never the maintainer's folder
names), and each report's error messages as one sentence with clean punctuation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.pages.problems import public_file, sentences
from tests.conftest import SEEDS, seed_text
from tests.test_site import page_text


def test_paths_and_sentences() -> None:
    assert public_file("内部资料-张三/reports/2020/县/空.txt") == "2020/县/空.txt"
    assert public_file("content/reports/a.txt") == "a.txt"
    assert public_file("/home/zhangsan/secret/a.txt") == "a.txt"
    assert sentences(["第一句。", "第二句；", "第三句"]) == "第一句；第二句；第三句。"
    assert sentences([]) == ""


def test_the_problems_page_names_files_from_reports_and_reads_cleanly(tmp_path: Path) -> None:
    content = tmp_path / "县政务公开办-内部资料"
    folder = content / "reports" / "2020" / "乡镇"
    folder.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    (folder / "空.txt").write_bytes(b"")
    broken = seed_text("002").replace("\t8\n\t0\n\t0\n\t0\n\t8\n", "\t8\n\t0\n\t0\n\t0\n\t9\n")
    broken = broken.replace("\t0\n\t0\n\t0\n\t0\n\t0\n", "\t0\n\t1\n\t0\n\t0\n\t0\n", 1)  # a second error
    (folder / "002_6a7134ba6c38d59e.txt").write_text(broken, encoding="utf-8")
    out = tmp_path / "site"
    result = build_site(BuildOptions(content=content, out=out, build_date="2026-01-01"))
    assert result.errors >= 1
    html = (out / "problems" / "index.html").read_text(encoding="utf-8")
    text = page_text(out / "problems" / "index.html")
    assert "<code>2020/乡镇/空.txt</code>" in html
    assert "县政务公开办" not in text and "内部资料" not in text and str(tmp_path) not in text
    assert "文件为空" in text
    for item in re.findall(r"<li>(.*?)</li>", html, flags=re.S):
        assert not re.search(r"[。；;，,][；;。]", item), item
        assert item.rstrip().endswith("。") or item.rstrip().endswith("</a>"), item
