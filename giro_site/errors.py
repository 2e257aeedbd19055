"""Errors that name a file and say what is wrong with it, for maintainers."""

from __future__ import annotations


class ReportError(Exception):
    """A file that cannot be read as a report. The message is shown to a maintainer as is.

    ``reason`` is a short Chinese sentence; ``line`` is set where one line is to blame.
    ``transient``: the reason may be the machine's, not the file's (a parse stopped by its
    time limit while the machine was busy); the build does not keep it for the next one.
    """

    def __init__(self, reason: str, *, path: str | None = None, line: int | None = None, transient: bool = False):
        self.reason = reason
        self.path = path
        self.line = line
        self.transient = transient
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.path or "（未知文件）"
        if self.line is not None:
            where = f"{where} 第{self.line}行"
        return f"{where}：{self.reason}"

    def with_path(self, path: str) -> ReportError:
        return ReportError(self.reason, path=path, line=self.line, transient=self.transient)
