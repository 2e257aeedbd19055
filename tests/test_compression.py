"""The site's deflate (``giro_site.site.compression``): zlib-ng where installed, the standard
library's zlib otherwise; either makes streams every reader takes, the same bytes for the
same data, and names itself so that caches of one are not mixed with the other's."""

from __future__ import annotations

import builtins
import gzip
import importlib
import sys
import zlib
from pathlib import Path
from types import ModuleType

import pytest

import giro_site.site as site_package
from giro_site.site import compression
from giro_site.site.build.assets import collect_assets
from giro_site.site.config import load_config
from giro_site.site.pages.markdown_pages import markdown_pages
from giro_site.site.pages.renderer import SiteRenderer
from tests.conftest import ROOT

DATA = "".join(f"{i},某某街道{i % 97},{i * 7919 % 1000}\n" for i in range(5_000)).encode("utf-8")


def _without_zlib_ng(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    real_import = builtins.__import__

    def refuse(name: str, *args: object, **kwargs: object) -> ModuleType:
        if name.startswith("zlib_ng"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", refuse)
    monkeypatch.delitem(sys.modules, "giro_site.site.compression")
    monkeypatch.setattr(site_package, "compression", compression)  # (put back as it was after the test)
    fallback = importlib.import_module("giro_site.site.compression")
    monkeypatch.setitem(sys.modules, "giro_site.site.compression", compression)
    return fallback


@pytest.mark.parametrize("library", ["installed", "standard"])
def test_gzip_and_raw_deflate_are_read_back_by_the_standard_library(monkeypatch: pytest.MonkeyPatch,
                                                                     library: str) -> None:
    module = compression if library == "installed" else _without_zlib_ng(monkeypatch)
    packed = module.gzip(DATA, 6)
    assert gzip.decompress(packed) == DATA
    assert packed[4:8] == b"\0\0\0\0"  # no time in the header: the same data, the same bytes
    assert module.gzip(DATA, 6) == packed
    compressor = module.compressobj(6, module.DEFLATED, -15)
    stream = compressor.compress(DATA) + compressor.flush(module.Z_SYNC_FLUSH) + b"\x03\x00"
    assert zlib.decompressobj(-15).decompress(stream) == DATA
    assert module.crc32(DATA) == zlib.crc32(DATA)
    if library == "standard":
        assert f"zlib {zlib.ZLIB_RUNTIME_VERSION}" == module.NAME


def test_the_library_in_use_is_named_in_what_caches_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The downloads' cached parts and every page's key depend on the library: a build after
    it changes makes them again, instead of joining parts made by both."""
    from giro_site.site.build import builder
    from giro_site.site.downloads import aggregates

    assert compression.NAME.startswith(("zlib-ng ", "zlib "))
    assert aggregates.state_format(compression.NAME) == aggregates.STATE_FORMAT
    assert aggregates.state_format("zlib-ng 2.3.3") != aggregates.state_format("zlib 1.2.13")
    options = builder.BuildOptions(content=ROOT / "content", out=tmp_path / "public")
    renderer = SiteRenderer(load_config(options.content, base_url=None, build_date="2026-01-01"), options.content,
                            options.templates, collect_assets(options.assets), markdown_pages(options.content))
    key = builder.global_key(options, renderer)
    monkeypatch.setattr(compression, "NAME", "zlib 0.0-other")
    assert builder.global_key(options, renderer) != key
