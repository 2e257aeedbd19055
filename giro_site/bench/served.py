"""`python -m giro_site.bench.served CONTENT OUT ROUNDS`: rebuilds as `serve` makes them, for
the benchmark. One process keeps the site's model in memory (``BuildSession``, as `serve`
does, without the web server): it builds once, then changes one report at a time and
measures when the changed pages are on disk and when the downloads have followed. Prints
one JSON line per rebuild: {"pages": s, "downloads": s, "cpu": s, "patched": bool}.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import orjson

from giro_site.site.build.builder import BuildOptions, BuildSession, build_site


def edit(text: str, round_: int) -> str:
    """A maintainer's correction to one report's text (a different one each round)."""
    heading = "六、其他需要报告的事项\n"
    if f"{heading}无。" in text:
        return text.replace(f"{heading}无。", f"{heading}本年无其他需要报告的事项（{round_}）。")
    return text + "\n"


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main(content: Path, out: Path, rounds: int, jobs: int) -> None:
    session = BuildSession(background=True)
    options = BuildOptions(content=content, out=out, build_date="2026-01-01", jobs=jobs)
    build_site(options, session)
    session.wait()
    files = sorted((content / "reports").rglob("*.txt"))
    for round_ in range(rounds):
        changed = files[(len(files) // 3 + round_ * 631) % len(files)]
        changed.write_text(edit(changed.read_text(encoding="utf-8"), 10 + round_), encoding="utf-8")
        started, cpu = time.perf_counter(), _cpu()
        result = build_site(options, session)
        pages = time.perf_counter() - started
        session.wait()
        downloads = time.perf_counter() - started
        print(orjson.dumps({"pages": pages, "downloads": downloads, "cpu": _cpu() - cpu, "patched": result.patched,
                            "rendered": result.rendered_agencies}).decode(), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 2)
