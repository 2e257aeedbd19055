"""The deflate every compressed file of the site is made with: zlib-ng, the same format as
zlib at about twice the speed (the downloads and the agencies' data files were a tenth of a
full build's CPU time), or the standard library's zlib where zlib-ng is not installed.

Either gives valid streams; their bytes differ, so ``NAME`` goes into the keys of what is
cached compressed (the downloads' parts, the agencies' pages and data files), and a build
after a change of library makes them again rather than mixing the two.
"""

from __future__ import annotations

import zlib as _standard

try:
    from zlib_ng import zlib_ng as _zlib
except ImportError:  # (an install without the wheel: slower, the same files in substance)
    _zlib = _standard  # type: ignore[misc]

NAME = (f"zlib-ng {getattr(_zlib, 'ZLIBNG_VERSION', '')}" if _zlib is not _standard
        else f"zlib {_standard.ZLIB_RUNTIME_VERSION}")
DEFLATED = _zlib.DEFLATED
Z_SYNC_FLUSH = _zlib.Z_SYNC_FLUSH
compressobj = _zlib.compressobj
crc32 = _zlib.crc32


def gzip(data: bytes, level: int) -> bytes:
    """``data`` as a gzip file with no name and no time in its header: the same bytes for the
    same data."""
    return _zlib.compress(data, level, 31)
