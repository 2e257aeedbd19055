"""Output names made from file names and hand-kept settings: never a page that runs a
publisher's script, never two reports sharing a file, never a path out of the output folder
(issue 15, items 2, 3's long name and 10)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giro_site.errors import ReportError
from giro_site.readers.text import parse_text
from giro_site.site.build.builder import BuildOptions, build_site
from giro_site.site.urls import Urls, source_name
from tests.conftest import SEEDS
from tests.sitecheck import broken_links, file_for, parse_page
from tests.writers import document_to_html

LONG = "某" * 83  # 249 bytes in UTF-8: with ".html" the name fits, with ".html.txt" it did not


def build(content: Path, out: Path) -> object:
    return build_site(BuildOptions(content=content, out=out, build_date="2026-01-02"))


def test_original_files_are_published_under_safe_distinct_names(tmp_path: Path) -> None:
    content = tmp_path / "content"
    year = content / "reports" / "2020"
    year.mkdir(parents=True)
    names = {"x.html#.txt": SEEDS[0], "r#1.txt": SEEDS[1], "r#2.txt": SEEDS[2], "q?x.txt": SEEDS[3],
             "pct%41.txt": SEEDS[4]}
    for name, seed in names.items():
        (year / name).write_bytes(seed.read_bytes().replace(b"\n", b"\n<script>alert(1)</script>\n", 1))
    shutil.copy(SEEDS[0], content / "reports" / "2020#.txt")  # beside the 2020/ folder
    (year / f"{LONG}.html").write_bytes(document_to_html(parse_text(SEEDS[1].read_text(encoding="utf-8"))))
    result = build(content, tmp_path / "public")
    # The web page of seed 1 and r#1.txt are two versions of one body's year, and so are
    # x.html#.txt and 2020#.txt (seed 0): one of each counts, the other is listed (and its
    # original linked) on that year's page.
    assert (result.reports, result.problems) == (5, [])  # type: ignore[attr-defined]
    site = tmp_path / "public"
    assert not broken_links(site, "/")
    served = sorted(p.name for p in (site / "source").iterdir())
    assert len(served) == 7 and all(name.endswith(".txt") and name.count(".") == 1 for name in served)
    assert all(len(name.encode()) < 200 for name in served)
    originals = {**{name: year / name for name in names}, "2020#.txt": content / "reports" / "2020#.txt",
                 f"{LONG}.html": year / f"{LONG}.html"}
    linked = {}
    for page in (site / "agency").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for _, _, url in parse_page(page).links:
            if "/source/" in url:
                name = html.split(f'href="{url}" download="', 1)[1].split('"', 1)[0]
                linked[name.replace("&amp;", "&")] = file_for(site, "/", url)
    assert linked.keys() == originals.keys()  # each report links its own original, named as it was
    for name, served_file in linked.items():
        assert served_file is not None and served_file.read_bytes() == originals[name].read_bytes(), name


def test_output_names_of_originals_are_one_safe_segment() -> None:
    urls = Urls("/giro/")
    for relative in ("reports/2020/x.html#.txt", "reports/../../etc/passwd", "reports/a/.htaccess", "reports/x.shtml",
                     "reports/2020/%2e%2e.txt", f"reports/{LONG}{LONG}.docx", "reports/\u202egpj.txt"):
        name = source_name(relative)
        assert "/" not in name and not name.startswith(".") and name.count(".") == 1
        assert name.endswith((".txt", ".docx")) and len(name.encode()) <= 140
        assert urls.output_path(urls.source_file(relative)) == f"source/{name}"
    assert source_name("reports/2020/r#1.txt") != source_name("reports/2020/r?1.txt")
    assert re.fullmatch(r"a-[0-9a-f]{10}\.docx", source_name("reports/a.docx"))
    assert re.fullmatch(r"2020_a_htm-[0-9a-f]{10}\.txt", source_name("reports/2020/a.htm"))


@pytest.mark.parametrize("slug", ["../../escaped", "a/b", "中文", "-x", "x" * 81, "", "a b", "%2e%2e"])
def test_an_agency_slug_that_could_leave_the_output_is_refused_with_a_reason(tmp_path: Path, slug: str) -> None:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    shutil.copy(SEEDS[0], content / "reports" / "2020" / SEEDS[0].name)
    (content / "agencies.toml").write_text(f'[[agency]]\nfiles = ["reports/*"]\nslug = "{slug}"\n', encoding="utf-8")
    with pytest.raises(ReportError, match="slug"):
        build(content, tmp_path / "site" / "public")
    assert not (tmp_path / "site" / "public").exists() and not (tmp_path / "escaped").exists()


def test_a_valid_agency_slug_is_used(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    shutil.copy(SEEDS[0], content / "reports" / "2020" / SEEDS[0].name)
    (content / "agencies.toml").write_text('[[agency]]\nfiles = ["reports/*"]\nslug = "Lingzi-2"\n', encoding="utf-8")
    build(content, tmp_path / "public")
    assert (tmp_path / "public" / "agency" / "Lingzi-2" / "2020.html").is_file()


@pytest.mark.parametrize("name", ["..", "a#b", "downloads", "agency", "x.y"])
def test_a_markdown_page_whose_name_cannot_be_an_address_is_refused(tmp_path: Path, name: str) -> None:
    content = tmp_path / "content"
    (content / "reports").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "pages" / f"{name}.md").write_text("title: x\n\nx", encoding="utf-8")
    with pytest.raises(ReportError, match="页面文件名"):
        build(content, tmp_path / "public")


def test_without_an_about_page_no_page_links_to_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    shutil.copy(SEEDS[0], content / "reports" / "2020" / SEEDS[0].name)
    build(content, tmp_path / "public")
    assert not (tmp_path / "public" / "about").exists()
    assert not broken_links(tmp_path / "public", "/")


def test_made_slugs_never_take_a_given_one_nor_each_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two bodies whose made slug is "same" beside a body given "same-2": three folders, each
    body's pages in its own (the second made one is "same-3", not a second "same-2")."""
    import giro_site.site.model as model

    monkeypatch.setattr(model, "make_slug", lambda *_args, **_kwargs: "same")
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    for seed in SEEDS[:3]:
        shutil.copy(seed, content / "reports" / "2020" / seed.name)
    (content / "agencies.toml").write_text(f'[[agency]]\nfiles = ["reports/2020/{SEEDS[1].name}"]\nslug = "same-2"\n',
                                           encoding="utf-8")
    build(content, tmp_path / "public")
    folders = sorted(p.name for p in (tmp_path / "public" / "agency").iterdir())
    assert folders == ["same", "same-2", "same-3"]
    pages = {f: (tmp_path / "public" / "agency" / f / "2020.html").read_text(encoding="utf-8") for f in folders}
    assert len({re.search(r"<h1>(.*?)</h1>", page).group(1) for page in pages.values()}) == 3  # type: ignore[union-attr]
    assert SEEDS[1].name in pages["same-2"]  # the given slug is the body it was given to


def test_the_same_slug_given_twice_stops_the_build_naming_both(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "reports" / "2020").mkdir(parents=True)
    shutil.copy(SEEDS[0], content / "reports" / "2020" / SEEDS[0].name)
    (content / "agencies.toml").write_text('[[agency]]\nname = "甲局"\nslug = "same"\n\n[[agency]]\nmatch = ["x"]\n\n'
                                           '[[agency]]\nname = "乙局"\nslug = "Same"\n', encoding="utf-8")
    with pytest.raises(ReportError) as raised:
        build(content, tmp_path / "public")
    assert "第1个 [[agency]]（甲局）" in raised.value.reason and "第3个 [[agency]]（乙局）" in raised.value.reason
    assert not (tmp_path / "public").exists()


@given(st.lists(st.tuples(st.sampled_from(["same", "Same", "same-2", "same-3", "other", "same-2-2"]), st.booleans()),
                max_size=12))
def test_slugs_are_unique_whatever_is_made_and_given(pairs: list[tuple[str, bool]]) -> None:
    """Property: whatever slugs are made and given (a given one at most once, as config
    ensures), every agency gets its own, without case, and each given one is kept."""
    from giro_site.site.model import Agency, _unique_slugs

    given: set[str] = set()
    agencies = []
    for index, (slug, explicit) in enumerate(pairs):
        explicit = explicit and slug.casefold() not in given
        if explicit:
            given.add(slug.casefold())
        agencies.append(Agency(key=str(index), slug=slug, name="x", region=None, level=None, source_url=None,
                               explicit_slug=explicit))
    _unique_slugs(agencies)
    assert len({a.slug.casefold() for a in agencies}) == len(agencies)
    assert all(a.slug == slug for a, (slug, _) in zip(agencies, pairs, strict=True) if a.explicit_slug)
