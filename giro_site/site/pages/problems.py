"""The public 数据问题 page's words: report paths as readers of the site may see them, and a
report's error messages as one clean sentence."""

from __future__ import annotations

from typing import Any

from giro_site.corpus import Problem, public_file  # public_file: also the findings' paths

_ENDS = "。；;，,. "


def sentences(messages: list[str]) -> str:
    """Messages joined by "；" into one sentence ending in "。" (never "。；")."""
    clean = [message.strip().rstrip(_ENDS) for message in messages]
    text = "；".join(message for message in clean if message)
    return f"{text}。" if text else ""


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """The files that could not be read, for the page."""
    return [{"file": public_file(p.file), "line": p.line, "reason": sentences([p.reason])} for p in problems]
