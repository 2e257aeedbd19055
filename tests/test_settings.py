"""Mistakes in site.toml and agencies.toml stop the build with a message in Chinese naming the
key, the value and what to write instead; an agencies.toml entry no report belongs to is a
warning in `build` and `check`. The inputs are the ones maintainers (and an audit) wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from giro_site.errors import ReportError
from giro_site.site.config import load_agencies, load_config
from tests.conftest import ROOT, SEEDS
from tests.test_cli import run


def _content(tmp_path: Path, *, site: str | None = None, agencies: str | None = None) -> Path:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, content / "reports" / "2020" / seed.name)
    if site is not None:
        (content / "site.toml").write_text(site, encoding="utf-8")
    if agencies is not None:
        (content / "agencies.toml").write_text(agencies, encoding="utf-8")
    return content


def _site_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ReportError) as caught:
        load_config(_content(tmp_path, site=text))
    return caught.value.describe()


def _agencies_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ReportError) as caught:
        load_agencies(_content(tmp_path, agencies=text))
    return caught.value.describe()


@pytest.mark.parametrize(("line", "said"), [
    ("page_size = 0", ["site.toml", "page_size = 0", "整数", "1 到 1000", "page_size = 50"]),
    ('page_size = "50"', ["page_size = \"50\"", "（文字）", "不加引号", "page_size = 50"]),
    ("base_url = 5", ["base_url = 5", "（整数）", "文字"]),
    ('publish_originals = "false"', ['publish_originals = "false"', "（文字）", "true 或 false", "不加引号"]),
    ("chart_top = 2.5", ["chart_top = 2.5", "（小数）", "整数"]),
    ('build_date = "2026-13-01"', ['build_date = "2026-13-01"', "YYYY-MM-DD"]),
    ("title = ''", ["title", "不为空"]),
])
def test_a_site_setting_of_the_wrong_kind_names_key_value_and_kind(tmp_path: Path, line: str,
                                                                   said: list[str]) -> None:
    message = _site_error(tmp_path, line + "\n")
    for part in said:
        assert part in message, message


@pytest.mark.parametrize("line", [
    'base_url = "/\\\\evil.example/"',  # the audit's: a browser reads "/\evil.example/" as another host
    'base_url = "//evil.example/"', 'base_url = "https://evil.example/"', 'base_url = "giro/"', 'base_url = "/giro"',
    'base_url = "/a//b/"', 'base_url = "/../"', 'base_url = "/a b/"', """base_url = '/"onload/'""",
])
def test_base_url_is_a_plain_path_under_one_slash(tmp_path: Path, line: str) -> None:
    message = _site_error(tmp_path, line + "\n")
    assert "base_url" in message and 'base_url = "/仓库名/"' in message


@pytest.mark.parametrize("base_url", ["/", "/giro/", "/a/b-c_d.e~/"])
def test_good_base_urls_are_taken_as_written(tmp_path: Path, base_url: str) -> None:
    assert load_config(_content(tmp_path, site=f'base_url = "{base_url}"\n')).base_url == base_url


def test_the_environment_and_the_command_line_are_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _content(tmp_path)
    monkeypatch.setenv("GIRO_BASE_URL", "/giro")  # what GitHub's configure-pages gives: no trailing slash
    assert load_config(content).base_url == "/giro/"
    monkeypatch.setenv("GIRO_BASE_URL", "")  # a user page
    assert load_config(content).base_url == "/"
    monkeypatch.setenv("GIRO_BASE_URL", "/\\evil.example")
    with pytest.raises(ReportError, match="环境变量 GIRO_BASE_URL"):
        load_config(content)
    monkeypatch.delenv("GIRO_BASE_URL")
    with pytest.raises(ReportError, match="--base-url"):
        load_config(content, base_url="//evil.example/")
    monkeypatch.setenv("GIRO_SITE_URL", "javascript:alert(1)")
    with pytest.raises(ReportError, match=r"GIRO_SITE_URL.*http"):
        load_config(content)


def test_publish_originals_false_as_text_never_publishes_them(tmp_path: Path) -> None:
    """It used to be read as a non-empty string, so true: now the build stops instead."""
    content = _content(tmp_path, site='publish_originals = "false"\n')
    result = run("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 2, result.stdout
    assert 'publish_originals = "false"' in result.stderr and "true 或 false" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_match_written_as_a_string_says_to_write_a_list(tmp_path: Path) -> None:
    message = _agencies_error(tmp_path, '[[agency]]\nmatch = "岭子镇"\nname = "岭子镇人民政府"\n')
    assert "第1个 [[agency]]（岭子镇人民政府）" in message
    assert 'match = "岭子镇"' in message and "列表" in message and 'match = ["岭子镇"]' in message


def test_a_single_bracket_table_says_to_write_two(tmp_path: Path) -> None:
    message = _agencies_error(tmp_path, '[agency]\nmatch = ["岭子镇"]\nname = "岭子镇人民政府"\n')
    assert "[agency]" in message and "[[agency]]" in message and "两层方括号" in message
    assert "未知字段" not in message  # not "有未知字段：a、c、h、m、t"


def test_other_tables_and_fields_are_named(tmp_path: Path) -> None:
    assert "agencies" in _agencies_error(tmp_path / "a", '[[agencies]]\nmatch = ["岭子镇"]\n')
    message = _agencies_error(tmp_path / "b", '[[agency]]\nmatch = ["岭子镇"]\nurl = "https://a.example/"\n')
    assert "第1个 [[agency]]（岭子镇）" in message and "未知字段：url" in message and "source_url" in message


@pytest.mark.parametrize(("text", "line", "column"), [
    ('[[agency]]\nmatch = ["岭子镇"\nname = "岭子镇人民政府"\n', 3, None),
    ('[[agency]]\nname = 岭子镇人民政府\n', 2, 8),
    ('[[agency]]\nname “岭子镇人民政府”\n', 2, 6),
])
def test_a_toml_syntax_error_gives_line_and_column_in_chinese(tmp_path: Path, text: str, line: int,
                                                               column: int | None) -> None:
    message = _agencies_error(tmp_path, text)
    assert f"agencies.toml 第{line}行" in message, message
    if column is not None:
        assert f"第{column}列" in message
    assert "TOML 格式有误" in message and "解析器的说明：" in message  # the parser's English detail last


def test_chinese_punctuation_in_toml_is_pointed_at(tmp_path: Path) -> None:
    message = _agencies_error(tmp_path, '[[agency]]\nname ＝ “岭子镇人民政府”\n')
    assert "中文标点" in message and "＝" in message and "“" in message and "半角" in message


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "vbscript:msgbox(1)", "//evil.example/", "ftp://a.example/", "https://",
                                 'https://a.example/"onmouseover=alert(1)'])
def test_source_url_is_http_or_https_only(tmp_path: Path, url: str) -> None:
    text = f'[[agency]]\nmatch = ["岭子镇"]\nname = "岭子镇人民政府"\nsource_url = \'{url}\'\n'
    message = _agencies_error(tmp_path, text)
    assert "第1个 [[agency]]（岭子镇人民政府）的 source_url" in message and "http" in message


def test_a_javascript_source_url_stops_the_build_naming_the_entry(tmp_path: Path) -> None:
    content = _content(tmp_path, agencies='[[agency]]\nmatch = ["岭子镇"]\nsource_url = "javascript:alert(1)"\n')
    result = run("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 2
    assert 'source_url = "javascript:alert(1)"' in result.stderr and "第1个 [[agency]]（岭子镇）" in result.stderr
    assert not (tmp_path / "site").exists()


def test_an_entry_matching_no_report_is_a_warning_in_build_and_check(tmp_path: Path) -> None:
    agencies = (ROOT / "content" / "agencies.toml").read_text(encoding="utf-8")
    agencies += '\n[[agency]]\nmatch = ["岭子镇政府"]\nname = "不存在的镇人民政府"\n'
    content = _content(tmp_path, agencies=agencies)
    for result in (run("build", "--content", str(content), "--out", str(tmp_path / "site")),
                   run("check", "--content", str(content))):
        assert result.returncode == 0, result.stderr
        warned = [line for line in (result.stdout + result.stderr).splitlines() if "没有对应任何报告" in line]
        assert len(warned) == 1, result.stdout + result.stderr
        assert "第3个 [[agency]]（不存在的镇人民政府）" in warned[0] and "match" in warned[0]
    assert (tmp_path / "site" / "index.html").is_file()  # a warning, not a stop
