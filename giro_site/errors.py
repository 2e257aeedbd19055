"""Errors that name a file and say what is wrong with it, for maintainers."""

from __future__ import annotations


class ReportError(Exception):
    """A file that cannot be read as a report. The message is shown to a maintainer as is.

    ``reason`` is a short Chinese sentence; ``line`` is set where one line is to blame.
    """

    def __init__(self, reason: str, *, path: str | None = None, line: int | None = None):
        self.reason = reason
        self.path = path
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.path or "（未知文件）"
        if self.line is not None:
            where = f"{where} 第{self.line}行"
        return f"{where}：{self.reason}"

    def with_path(self, path: str) -> ReportError:
        return ReportError(self.reason, path=path, line=self.line)
