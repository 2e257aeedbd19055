"""The template environment's shortcuts give what Jinja itself gives: ``a.b`` on a plain
dict is read without Jinja's attribute round trip, and the region pages' totals are plain
data without ``dataclasses.asdict``. Both are for speed; the pages must not change."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, StrictUndefined, UndefinedError
from markupsafe import Markup

from giro_site.site.pages.environment import make_environment
from giro_site.site.pages.regions import _totals
from giro_site.site.totals import Share, Total, Totals

TEMPLATE = ("{{ d.name }}|{{ d.items is callable }}|{{ d['items'] }}|{{ d.get('name') }}|{{ o.real }}"
            "|{{ d.keys()|list|length }}")


class _Box(dict):  # a dict subclass keeps Jinja's own look-up
    pass


@pytest.fixture
def ours(tmp_path: Path) -> Environment:
    return make_environment(tmp_path, {})


def test_dict_lookup_is_jinjas(ours: Environment) -> None:
    plain = Environment(undefined=StrictUndefined, autoescape=True)
    for data in ({"name": "<b>甲</b>", "items": 3}, _Box(name="乙", items=None)):
        context = {"d": data, "o": 5}
        assert ours.from_string(TEMPLATE).render(**context) == plain.from_string(TEMPLATE).render(**context)
    # a dict's own attributes win over its keys, as in Jinja: ``items`` is the method
    assert ours.from_string("{{ d.items is callable }}").render(d={"items": 3}) == "True"


def test_missing_key_is_undefined(ours: Environment) -> None:
    with pytest.raises(UndefinedError):
        ours.from_string("{{ d.absent }}").render(d={"name": "甲"})
    assert ours.from_string("{{ d.absent is defined }}").render(d={}) == "False"


def test_region_totals_as_asdict() -> None:
    totals = Totals(2023, 3, 4, Total(5, 2, True), Total(None, 0), Share(0.5, 2), Total(1.5, 1),
                    Total(0, 1), Total(2, 2), 1)
    assert _totals(totals) == asdict(totals)
    assert list(_totals(totals) or {}) == list(asdict(totals))
    assert _totals(None) is None


_OUTPUT = ("{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{{ v }}|{{ m(v) }}|{% set block %}<i>{{ v }}</i>{% endset %}"
           "{{ block }}|{{ v|e }}|{{ [v]|join(',') }}|{{ o.v }}|{{ o.missing is defined }}")


class _Holder:
    def __init__(self, v: object) -> None:
        self.v = v


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                 st.text().map(Markup)))
def test_output_is_escaped_as_jinja_escapes_it(value: object) -> None:
    """Our templates write ``escape``'s text without making a ``Markup`` of it: every page
    reads as Jinja's own rendering would, report text (data from outside) escaped, markup
    the code made safe left as it is, a macro's or block's output never escaped twice."""
    jinja = Environment(autoescape=True, undefined=StrictUndefined)
    ours = make_environment(Path("templates"), {})
    context = {"v": value, "o": _Holder(value)}
    assert ours.from_string(_OUTPUT).render(context) == jinja.from_string(_OUTPUT).render(context)


def test_report_text_cannot_open_markup(ours: Environment) -> None:
    text = '</p><script>alert("x")</script>&amp;\'"'
    page = ours.from_string("<p>{{ t }}</p>").render(t=text)
    assert page == "<p>&lt;/p&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;amp;&#39;&#34;</p>"
