"""The downloads kept up to date piece by piece give the same bytes as made whole."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from giro_site.site.downloads import aggregates
from giro_site.site.downloads.aggregates import Row
from giro_site.site.model import ReportInfo

FIGURES = {"applications": None, "processed": None, "share": None, "reviews": None, "lawsuits": None,
           "corrected": None, "outcomes": {}}


def info(name: str, version: int) -> Row:
    summary = {"sha256": str(version), "items": None, "head": FIGURES, "counts": {"error": 0, "warning": 0},
               "year": 2020}
    return Row(ReportInfo(name, summary), {"id": name})


def raw_of(versions: dict[str, int]):  # type: ignore[no-untyped-def]
    return lambda name: orjson.dumps({"name": name, "version": versions[name], "pad": "x" * (versions[name] % 4)})


names = st.lists(st.sampled_from([f"r{i}" for i in range(15)]), unique=True, max_size=15)


@settings(max_examples=300, deadline=None)
@given(before=names, after=names, changed=st.sets(st.sampled_from([f"r{i}" for i in range(15)])))
def test_spliced_json_equals_json_made_whole(before: list[str], after: list[str], changed: set[str]) -> None:
    versions = dict.fromkeys(before, 1)
    first, layout = aggregates.reports_json([info(n, 1) for n in before], raw_of(versions), None, None)
    assert orjson.loads(first) == [orjson.loads(raw_of(versions)(n)) for n in before]
    new_versions = {n: (2 if n in changed or n not in versions else 1) for n in after}
    infos = [info(n, new_versions[n]) for n in after]
    spliced, spliced_layout = aggregates.reports_json(infos, raw_of(new_versions), first, layout)
    whole, whole_layout = aggregates.reports_json(infos, raw_of(new_versions), None, None)
    assert spliced == whole
    assert spliced_layout == whole_layout


@settings(max_examples=200, deadline=None)
@given(before=names, after=names, changed=st.sets(st.sampled_from([f"r{i}" for i in range(15)])))
def test_spliced_lines_equal_lines_made_whole(before: list[str], after: list[str], changed: set[str]) -> None:
    """The CSV shape: a header, one line per report, no separator."""
    def piece(versions: dict[str, int]):  # type: ignore[no-untyped-def]
        return lambda i: f"{i.name},{versions[i.name]}\r\n".encode()

    def make(infos, versions, previous, layout):  # type: ignore[no-untyped-def]
        return aggregates.splice(infos, piece(versions), previous, layout, head=b"h\r\n", separator=b"", tail=b"")

    versions = dict.fromkeys(before, 1)
    first, layout = make([info(n, 1) for n in before], versions, None, None)
    new_versions = {n: (2 if n in changed or n not in versions else 1) for n in after}
    infos = [info(n, new_versions[n]) for n in after]
    assert make(infos, new_versions, first, layout) == make(infos, new_versions, None, None)
