"""The site's weight per report, on the benchmark's corpus: bytes and files (sizes, never
times). What one report adds is measured as the difference between two builds of the same
corpus, 100 and 300 reports long, so that the files every site has once (assets, the index,
the dictionary) do not count; the original report files are set aside, as publishing them is
optional (``publish_originals``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giro_site.bench.synth import make_corpus
from giro_site.site.build import sitesize
from giro_site.site.build.builder import BuildOptions, build_site

SMALL, LARGE = 100, 300
# The budget at 10,000 reports, originals aside: 20 KB and 2 files a report (the
# benchmark's figures are in the README, Performance). Fifty thousand reports of 20 KB are a
# gigabyte, GitHub Pages' limit.
BYTES_PER_REPORT = 20_000
FILES_PER_REPORT = 2.0


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, sitesize.SiteSize]:
    sizes = {}
    for count in (SMALL, LARGE):
        folder = tmp_path_factory.mktemp(f"corpus-{count}")
        make_corpus(folder / "content", count)
        build_site(BuildOptions(content=folder / "content", out=folder / "public", build_date="2026-01-02", jobs=2))
        sizes[count] = sitesize.measure(folder / "public")
    return sizes


def test_each_report_adds_at_most_the_budget_in_bytes_and_files(sites: dict[int, sitesize.SiteSize]) -> None:
    small, large = sites[SMALL].without_originals(), sites[LARGE].without_originals()
    added = LARGE - SMALL
    bytes_per_report = (large[0] - small[0]) / added
    files_per_report = (large[1] - small[1]) / added
    assert 10_000 < bytes_per_report <= BYTES_PER_REPORT, bytes_per_report
    assert 1.0 < files_per_report <= FILES_PER_REPORT, files_per_report


def test_the_report_pages_and_agency_data_stay_light(sites: dict[int, sitesize.SiteSize]) -> None:
    """The two kinds that grow with every report: its page and its share of its agency's data."""
    site = sites[LARGE]
    pages, page_files = site.by_kind["报告页面"]
    data, data_files = site.by_kind["机关数据文件"]
    assert page_files == LARGE and pages / LARGE <= 15_000
    assert data_files < LARGE and data / LARGE <= 1_500  # gzip-compressed JSON


def test_no_file_is_near_a_hosts_limit(sites: dict[int, sitesize.SiteSize]) -> None:
    site = sites[LARGE]
    assert site.largest[0] < sitesize.CLOUDFLARE_FILE_BYTES / 10
    assert sitesize.warnings(site) == []
    near = sitesize.SiteSize(bytes=sitesize.GITHUB_PAGES_BYTES, files=sitesize.CLOUDFLARE_FILES + 1,
                             largest=(sitesize.CLOUDFLARE_FILE_BYTES + 1, "data/big.zip"))
    assert [w[:4] for w in sitesize.warnings(near)] == ["网站大小", "共 20", "data"]


_SEGMENTS = ["agency", "agencies", "regions", "source", "assets", "data", "reports-all.csv.zip", "reports-2020.csv.zip",
             "x.html", "agencyX", "", "a.json.gz"]


@given(st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=4))
def test_a_files_kind_is_that_of_the_first_prefix_it_starts_with(parts: list[str]) -> None:
    relative = "/".join(parts)
    if relative.startswith("agency/"):
        expected = "报告页面" if relative.endswith(".html") else "机关数据文件"
    else:
        expected = next((kind for prefix, kind in sitesize._PREFIXES if relative.startswith(prefix)), "其他页面和文件")
    assert sitesize.kind_of(relative) == expected
