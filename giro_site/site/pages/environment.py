"""The Jinja2 environment: autoescaping on for everything, so report text (data from
outside) is always escaped; JSON goes into pages through ``tojson``, which escapes
``<``, ``>`` and ``&`` so a ``</script>`` in a report cannot end a script element."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import markupsafe
import orjson
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template, select_autoescape

from giro_site.site.tables import show

# What every page may load and run, as a <meta> (GitHub Pages sends no headers of ours): the
# site's own scripts, styles and images only, no inline script or handler, no plugin, no
# <base> and forms that post only to the site. Inline styles stay allowed: plotly.js draws
# with them. A <meta> policy cannot say frame-ancestors or report-uri; a host that sends
# headers can add those (docs/security.md).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'")


def _number(value: Any) -> str:
    """A figure for prose and cards: "—" for a blank, thousands separators otherwise."""
    if value is None:
        return "—"
    return show(value, False).text


def _dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


_DICT_ATTRIBUTES = frozenset(dir(dict))

# markupsafe's C escaping of a str, without wrapping the result in ``Markup`` (markupsafe 3;
# an older one has only ``escape``, whose ``Markup`` still joins into the same text).
_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", markupsafe.escape)


def _escape_output(value: Any) -> str:
    """What ``{{ value }}`` writes into a page: the same text as markupsafe's ``escape``, as a
    plain ``str``. Jinja's compiled templates call ``escape`` only on what they output, which
    is joined at once (a macro's or ``set`` block's joined text is made ``Markup`` by Jinja
    itself), so the ``Markup`` that ``escape`` makes of each value (two Python calls, half a
    million times at 3,000 reports) is never read."""
    if type(value) is str:
        return _escape_text(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_text(str(value))


class _Template(Template):
    """A compiled template whose output is escaped by ``_escape_output``: every function of a
    template (its body, blocks and macros) reads ``escape`` from the one module namespace
    it was compiled into."""

    @classmethod
    def from_code(cls, environment: Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _Environment(Environment):
    """Jinja's environment, with ``a.b`` on a plain dict (most of the pages' contexts) read
    as the key without first asking for an attribute: Jinja's own ``getattr`` raises and
    catches an ``AttributeError`` for each, a third of a microsecond times hundreds of
    thousands of look-ups a build. The result is the same: a dict's own attributes (``items``,
    ``get``...) still win over its keys, as in Jinja. Its templates escape their output
    without making ``Markup`` of each piece (``_Template``)."""

    template_class = _Template

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # Jinja's own order for anything else, without the call into it
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def make_environment(templates: Path, globals_: dict[str, Any], bytecode: Path | None = None) -> Environment:
    """``bytecode``: a folder for compiled templates, so a rebuild does not compile them again."""
    if bytecode is not None:
        bytecode.mkdir(parents=True, exist_ok=True)
    env = _Environment(
        loader=FileSystemLoader(templates),
        bytecode_cache=FileSystemBytecodeCache(str(bytecode)) if bytecode is not None else None,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment per build: checking every template's file stamp per page is wasted;
        # `serve` makes a new renderer for each rebuild, so edits are still seen.
        auto_reload=False,
    )
    # tojson through orjson: the same escaping of <, >, & and ' by Jinja, a faster encoder.
    env.policies["json.dumps_function"] = _dumps
    env.policies["json.dumps_kwargs"] = {}
    env.filters["num"] = _number
    env.filters["pct"] = _percent
    env.globals["content_security_policy"] = CONTENT_SECURITY_POLICY
    env.globals.update(globals_)
    return env
