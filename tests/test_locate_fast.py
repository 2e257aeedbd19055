"""``classify`` leaves out the words of ASCII only and keeps the kind of the labels it has
seen (``_classify_words``): it tells the kind the scoring of every word tells, for the
seeds, synthetic reports and tables of signal words, labels and figures."""

from __future__ import annotations

import random
from itertools import chain

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giro_site.bench.synth import random_report, render_text
from giro_site.document import Cell, Row, Table
from giro_site.forms.locate import _SIGNALS, KINDS, classify
from giro_site.labels import flat
from giro_site.readers.text import parse_text
from tests.conftest import SEEDS


def _reference(table: Table) -> str | None:
    """Every word of the table's first 40 rows scored, as ``classify`` did before its cache."""
    words = {flat(cell.text) for row in table.rows[:40] for cell in row.cells}
    words.discard("")
    text = "\x00".join(words)
    scores = {kind: sum(signal in text for signal in _SIGNALS[kind]) for kind in KINDS}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def test_seeds_and_synthetic_tables_classify_as_every_word_scored() -> None:
    rng = random.Random(17)
    texts = [path.read_text(encoding="utf-8") for path in SEEDS]
    texts += [render_text(random_report(rng, f"测试机关{n}", "北京市密云区", 2019 + n % 4)) for n in range(30)]
    for text in texts:
        for table in parse_text(text).tables:
            assert classify(table) == _reference(table)


SIGNAL_WORDS = sorted(set(chain.from_iterable(_SIGNALS.values())))
words = st.one_of(
    st.sampled_from(SIGNAL_WORDS),
    st.sampled_from(["0", "12", "１２", "3,000", "", " ", "（一）", "第二十条第（一）项", "自然人 ", "行政\n复议",
                     "“结果维持”", "A", "-", "本年", "新收", "３元"]),
    st.text(alphabet="行政复议诉讼第二十条本年新收 0１(（", max_size=6),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.lists(words, min_size=1, max_size=5), max_size=45))
def test_any_table_classifies_as_every_word_scored(rows: list[list[str]]) -> None:
    table = Table(tuple(Row(tuple(Cell(text) for text in row)) for row in rows))
    assert classify(table) == _reference(table)
    assert classify(table) == _reference(table)  # its labels seen: told by the cache
