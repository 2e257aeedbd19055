"""Publishing on GitHub Pages: the workflow keeps the build cache between runs, lists the
build's problems in the job's summary, and one bad report never blocks publishing the rest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import ROOT, SEEDS, seed_text
from tests.test_cli import run

WORKFLOW = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")


def test_the_workflow_caches_the_build_cache_and_writes_a_summary() -> None:
    cache = WORKFLOW[WORKFLOW.index("uses: actions/cache@"):]
    assert re.search(r"path: \.giro-cache\n", cache) and "restore-keys: giro-cache-" in cache
    assert WORKFLOW.index("uses: actions/cache@") < WORKFLOW.index("python build.py")
    command = next(line.strip() for line in WORKFLOW.splitlines() if "python build.py" in line)
    assert command == 'python -m pip install -e . && python build.py build --summary "$GITHUB_STEP_SUMMARY"'
    assert "--strict" not in command  # a report with errors is published, marked, not a failed job
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command.split(" && ")[0] in readme  # the README's install command


def test_bad_files_are_summarised_and_the_rest_published(tmp_path: Path) -> None:
    content = tmp_path / "content"
    folder = content / "reports" / "2020"
    folder.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    (folder / "空_`|<b>x<i>.txt").write_bytes(b"")
    broken = seed_text("002").replace("\t8\n\t0\n\t0\n\t0\n\t8\n", "\t8\n\t0\n\t0\n\t0\n\t9\n")
    (folder / "002_6a7134ba6c38d59e.txt").write_text(broken, encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n", encoding="utf-8")
    result = run("build", "--content", str(content), "--out", str(tmp_path / "public"), "--summary", str(summary))
    assert result.returncode == 0, result.stderr  # published
    assert (tmp_path / "public" / "index.html").is_file()
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier steps' summary\n")  # appended, as GitHub expects
    assert "5 份报告" in text and "1 个文件无法读取" in text and "1 份报告核对发现错误" in text
    assert "空\\_\\`\\|&lt;b&gt;x&lt;i&gt;.txt" in text and "<b>" not in text  # inert in Markdown and HTML
    assert "content/reports/2020/002_6a7134ba6c38d59e.txt" in text.replace("\\_", "_")


def test_a_settings_mistake_is_summarised_as_a_failure(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "reports").mkdir(parents=True)
    (content / "site.toml").write_text("page_size = 0\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = run("build", "--content", str(content), "--out", str(tmp_path / "public"), "--summary", str(summary))
    assert result.returncode == 2
    text = summary.read_text(encoding="utf-8")
    assert "网站生成失败" in text and "page\\_size = 0" in text and "上一次发布的网站保持不变" in text
