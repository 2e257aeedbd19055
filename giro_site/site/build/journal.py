"""Large mappings a build keeps for the next one (the store's index, the saved model, the
manifest), written in proportion to what changed.

A mapping is ``<name>.json``, the whole of it, and beside it ``<name>.delta.json``, the
entries changed (or removed: null) since the whole was written. Both carry a ``head`` of
the caller's own fields; the delta names the whole it applies to (``journal``, a token
the whole is written with), so a delta left beside another whole is ignored. A rebuild
that changed a few entries writes only the delta, which holds every change since the
whole: past a tenth of the entries it is folded into the whole again, so reading stays
one whole and one small delta. Reading still parses every entry; writing no longer does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from giro_site.site.build.output import file_stamp, write_atomically

SHARE, MINIMUM = 10, 50  # the delta is folded into the whole past 1/SHARE of the entries + MINIMUM
_OWN = ("journal", "entries")  # the fields the journal adds beside the head


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        return None
    return data


class Journal:
    def __init__(self, folder: Path, name: str):
        self.whole = folder / f"{name}.json"
        self.delta = folder / f"{name}.delta.json"
        self._token = ""  # the whole's, as this process read or wrote it ("" : none known)
        self._pending: dict[str, Any] = {}  # the delta as on disk

    def load(self) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
        """(head, entries, whether the delta added entries the whole did not have), or None
        when there is no readable whole. The head is the delta's when the delta applies."""
        whole = _read(self.whole)
        if whole is None:
            return None
        token = str(whole.get("journal", ""))
        head = {key: value for key, value in whole.items() if key not in _OWN}
        entries: dict[str, Any] = whole["entries"]
        added = False
        pending: dict[str, Any] = {}
        delta = _read(self.delta)
        if delta is not None and token and delta.get("journal") == token:
            pending = delta["entries"]
            entries = dict(entries)
            for key, entry in pending.items():
                if entry is None:
                    entries.pop(key, None)
                else:
                    added = added or key not in entries
                    entries[key] = entry
            head = {key: value for key, value in delta.items() if key not in _OWN}
        self._token, self._pending = token, pending
        return head, entries, added

    def stamp(self) -> list[list[int] | None]:
        """Size and time of both files: changes whenever either is written."""
        return [file_stamp(self.whole), file_stamp(self.delta)]

    def save(self, head: dict[str, Any], entries: Mapping[str, Any], changed: Iterable[str] | None) -> None:
        """Write ``entries`` with ``head``: only the delta when ``changed`` names the entries
        changed or removed since this journal was last loaded or saved, and the delta stays
        short; else the whole (None: all of them may have changed). Only the entries
        written are looked up (``entries`` may make each when asked)."""
        if changed is not None and self._token:
            pending = dict(self._pending)
            for key in changed:
                pending[key] = entries.get(key)
            if len(pending) <= len(entries) // SHARE + MINIMUM:
                write_atomically(self.delta, orjson.dumps({**head, "journal": self._token, "entries": pending}))
                self._pending = pending
                return
        token = os.urandom(8).hex()
        whole = entries if isinstance(entries, dict) else dict(entries.items())
        write_atomically(self.whole, orjson.dumps({**head, "journal": token, "entries": whole}))
        self.delta.unlink(missing_ok=True)
        self._token, self._pending = token, {}

    def remove(self) -> None:
        for path in (self.whole, self.delta):
            path.unlink(missing_ok=True)
        self._token, self._pending = "", {}

