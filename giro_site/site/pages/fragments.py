"""Rendered pieces of table markup, reused: most cells are "0" or blank, and the label and
header cells of a form's tables are the same in every report of that form.

The markup comes from macros in ``templates/macros.html``; this cache only remembers what
they returned for an input already seen. Without it, the per-cell template loop is most
of the cost of building a site of thousands of reports.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from giro_site.site.tables import Head, Number, show


class Fragments:
    def __init__(self, env: Environment):
        module: Any = env.get_template("macros.html").module
        self._cell_macro = module.value_cell
        self._heads_macro = module.head_cells
        self._cells: dict[tuple[str, str, tuple[int, ...], str], Markup] = {}
        self._values: dict[tuple[Number | None, bool, tuple[int, ...], str], Markup] = {}
        self._heads: dict[tuple[Head, ...], Markup] = {}

    def cell(self, text: str, kind: str, flags: tuple[int, ...], year_id: str) -> Markup:
        """One value cell; ``kind`` is "b" (blank), "d" (derived) or "" (stated)."""
        key = (text, kind, flags, year_id if flags else "")
        found = self._cells.get(key)
        if found is None:
            found = self._cells[key] = Markup(self._cell_macro(text, kind, flags, year_id))
        return found

    def value(self, value: Number | None, derived: bool, flags: tuple[int, ...], year_id: str) -> Markup:
        """The cell for a figure: blank shown as "—", derived marked."""
        key = (value, derived, flags, year_id if flags else "")
        found = self._values.get(key)
        if found is None:
            shown = show(value, derived)
            found = self._values[key] = self.cell(shown.text, shown.kind, flags, year_id)
        return found

    @staticmethod
    def join(pieces: list[Markup]) -> Markup:
        """Markup pieces joined without escaping them again (each is already safe)."""
        return Markup("".join(pieces))

    def heads(self, heads: tuple[Head, ...]) -> Markup:
        """A row's label or header cells."""
        found = self._heads.get(heads)
        if found is None:
            found = self._heads[heads] = Markup(self._heads_macro(heads))
        return found
