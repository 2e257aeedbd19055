"""Printing text from outside (file names, a report's labels and words, settings) on the
maintainer's terminal without letting it drive the terminal.

A file name or a row label holding ``\\x1b]0;…\\x07`` would set the terminal's title, and
``\\x1b[2J`` would clear the screen, erasing the findings printed above it; a carriage return
or a backspace can overwrite a line, and right-to-left overrides can make a name read
backwards. So every control character is printed as an escape (``\\x1b``, ``\\u202e``), the
way Python's ``repr`` writes it, and the text around it is printed as is: Chinese stays
readable. Every line the command line prints goes through ``echo`` (or ``escape``).
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

# C0 and C1 control characters (line breaks and tabs too: a name with a line break could
# fake a line of output), DEL, the bidirectional formatting characters, and lone surrogates
# (a file name that is not valid UTF-8, as Python decodes it: unprintable as is).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character written as an escape: safe to print."""
    return _CONTROL.sub(_escaped, text)


def echo(text: str = "", *, err: bool = False, file: TextIO | None = None) -> None:
    """Print one line (to stderr with ``err``), its control characters escaped."""
    stream = file or (sys.stderr if err else sys.stdout)
    print(escape(text), file=stream, flush=err)
