"""The pinyin of bodies' names (pypinyin), and a helper process that loads it for a first build.

Loading pypinyin's dictionaries costs 0.15–0.2 s of CPU (half a million phrases), and a build
without the pinyin of earlier builds (``pinyin.json`` in the cache) needs it for every body's
address and search keys. Loaded in the build's process, that time came while the workers
parsed, with both cores busy; but while the build starts (its imports and settings, until
the workers fork: about 0.3 s) the machine's other core is idle. ``start_helper`` forks a
child there, before the build imports its own modules: the child loads pypinyin and answers
names sent through a pipe. The names a model will ask for are sent in one batch as the plan
starts (``prefetch``) and converted while this process groups the reports; a name not in
the batch is asked alone. Where there is no fork, or the child has failed, pypinyin is
loaded here: the answer is the same either way (the same function of the same library).

A message (``child.send_message``) is JSON: a list of strings to the child, the list of their
syllables back.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

import orjson

from giro_site.site.build.child import fork_with_pipes, parent_alive, receive_message, send_message

CACHE_NAME = "pinyin"  # the build's cache of names' pinyin: <cache>/pinyin.json (``builder._Names``)
_PATIENCE = 120.0  # seconds the build waits for an answer before it gives the child up (then: here)


def wanted(cache: Path, fresh: bool) -> bool:
    """Whether a build will convert many names: one without the pinyin of an earlier build."""
    return fresh or not (cache / f"{CACHE_NAME}.json").is_file()


def _send(fd: int, message: object) -> None:
    send_message(fd, orjson.dumps(message))


def _receive(fd: int, waiting: Callable[[], None]) -> object:
    return orjson.loads(receive_message(fd, waiting))


def _patient() -> Callable[[], None]:
    """For the build's ``receive_message``: wait for the child's answer ``_PATIENCE`` seconds."""
    deadline = time.monotonic() + _PATIENCE

    def waiting() -> None:
        if time.monotonic() > deadline:
            raise TimeoutError("the pinyin helper does not answer")
    return waiting


def _serve(read: int, write: int, parent: int) -> int:
    """The child: load pypinyin, then answer each batch while the build lives (it may parse
    for minutes before it asks)."""
    from pypinyin import lazy_pinyin

    while True:
        try:
            texts = _receive(read, parent_alive(parent))
        except EOFError:
            return 0
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            return 1
        _send(write, [lazy_pinyin(text) for text in texts])


class _Helper:
    """The child, and the batch sent to it whose answers are not read yet."""

    def __init__(self, pid: int, write: int, read: int):
        self.pid, self.write, self.read = pid, write, read
        self.pending: list[str] | None = None

    def ask(self, texts: list[str]) -> None:
        self.collect()
        _send(self.write, texts)
        self.pending = texts

    def collect(self) -> None:
        """Read the answers to the batch sent, into ``_answers``."""
        if self.pending is not None:
            texts, self.pending = self.pending, None
            answers = _receive(self.read, _patient())
            if not isinstance(answers, list) or len(answers) != len(texts):
                raise ValueError("pinyin helper: answers do not match the names")
            _answers.update(zip(texts, answers, strict=True))

    def close(self) -> None:
        """Close the pipes, end the child and reap it. Ended, not left to read the end of its
        pipe: the build's other children forked since hold that pipe open too."""
        for end in (self.write, self.read):
            os.close(end)
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with suppress(ChildProcessError):  # (never fails a build that has its answers)
            os.waitpid(self.pid, 0)


_helper: _Helper | None = None
_answers: dict[str, list[str]] = {}  # what the child said, by the Chinese characters asked


def start_helper() -> None:
    """Fork the child now (call before importing what the build needs: its time is the cost)."""
    global _helper
    parent = os.getpid()
    if _helper is None and (forked := fork_with_pipes(lambda read, write: _serve(read, write, parent))) is not None:
        _helper = _Helper(*forked)


def helping() -> bool:
    return _helper is not None


def stop_helper() -> None:
    """End the child, once the build has converted its names (or has failed)."""
    global _helper
    helper, _helper = _helper, None
    if helper is not None:
        helper.close()
    _answers.clear()


def prefetch(texts: Iterable[str | None]) -> None:
    """Send the child the Chinese characters of each text, to convert while this process
    goes on; nothing without a child."""
    if _helper is None:
        return
    batch = {hanzi for text in texts if text and (hanzi := han_characters(text)) and hanzi not in _answers}
    if batch:
        _guarded(lambda helper: helper.ask(sorted(batch)))


def convert(hanzi: str) -> list[str]:
    """pypinyin's ``lazy_pinyin(hanzi)``: from the child's answers, or the child asked now,
    or pypinyin loaded here."""
    if hanzi not in _answers and _helper is not None:
        _guarded(lambda helper: helper.collect())
        if hanzi not in _answers:
            _guarded(lambda helper: (helper.ask([hanzi]), helper.collect()))
    found = _answers.get(hanzi)
    if found is not None:
        return found
    from pypinyin import lazy_pinyin

    return lazy_pinyin(hanzi)  # type: ignore[no-any-return]


def han_characters(text: str) -> str:
    """The characters of ``text`` that pypinyin converts here (the CJK Unified Ideographs)."""
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def _guarded(work: Callable[[_Helper], object]) -> None:
    """Run ``work(helper)``; a child that fails or stops answering is given up, and every
    name is converted here from then on."""
    if _helper is None:
        return
    try:
        work(_helper)
    except (OSError, EOFError, ValueError):  # (TimeoutError is an OSError; a JSONDecodeError a ValueError)
        stop_helper()
