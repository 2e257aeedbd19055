"""Run the PDF parse in a child process, so that a hostile or broken file can neither crash
nor hang the build.

PDFium is native code: a file that makes it crash would take down the process, and inside
the build's ``multiprocessing.Pool`` a dead worker leaves the pool waiting forever. So each
PDF is parsed in a forked child with a time limit and an address-space limit. The child
sends back the Document as JSON (plain data, never a pickle: a child that parsed a hostile
file is not trusted to send code), and a child that dies, overruns or sends nonsense is a
``ReportError`` for that one file.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable
from typing import Any

import orjson

from giro_site.document import Block, Cell, Document, Paragraph, ReaderNote, Row, Table
from giro_site.errors import ReportError

TIME_LIMIT = 60.0  # seconds for one file; a 30-page report takes under two
# A child stopped by the time limit that spent at least this share of it on the CPU was slow
# because of the file; one that spent less waited for a busy machine: it is tried once more,
# and if it times out again the refusal is not kept for the next build (``transient``).
CPU_SHARE = 0.5
MEMORY_LIMIT = 2 << 30  # bytes of address space the child may add to what it inherits
_MAX_REPLY = 256 << 20

_AGAIN = "请重新下载报告，或找到它的 .docx 或网页版本"


def encode(document: Document) -> bytes:
    blocks: list[Any] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            blocks.append(["p", block.text, block.line])
        else:
            blocks.append(["t", block.line, [[row.line, [list(cell) for cell in row.cells]] for row in block.rows]])
    return orjson.dumps({"blocks": blocks, "format": document.source_format, "pages": list(document.page_starts),
                         "notes": [list(note) for note in document.notes]})


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError("not a line number")


def decode(data: bytes) -> Document:
    """The Document the child sent, checked field by field."""
    raw = orjson.loads(data)
    blocks: list[Block] = []
    for item in raw["blocks"]:
        if item[0] == "p":
            blocks.append(Paragraph(str(item[1]), _int(item[2])))
            continue
        rows = []
        for row_line, cells in item[2]:
            rows.append(Row(tuple(Cell(str(text), _int(line), int(span), bool(merged), bool(hidden))
                                  for text, line, span, merged, hidden in cells), _int(row_line)))
        blocks.append(Table(tuple(rows), _int(item[1])))
    pages = tuple(int(page) for page in raw["pages"])
    notes = tuple(ReaderNote(str(code), str(message), str(where), _int(line), str(label),
                             tuple(str(part) for part in parts))
                  for code, message, where, line, label, parts in raw["notes"])
    return Document(blocks=blocks, source_format=str(raw["format"]), page_starts=pages, notes=notes)


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm", "rb") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = inherited + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, ImportError):
        pass  # no /proc or no resource module: the time limit still holds


def _child(work: Callable[[bytes], Document], data: bytes, out: int) -> None:
    """In the child: parse, write the answer, and leave without running any parent code."""
    status = 0
    try:
        import faulthandler

        faulthandler.disable()  # a crash here is reported by the parent, not dumped by the child
        _limit_memory()
        try:
            reply = b"D" + encode(work(data))
        except ReportError as exc:
            reply = b"E" + exc.reason.encode("utf-8")
        except MemoryError:
            reply = b"E" + "PDF 文件过于复杂，读取时超出内存上限：".encode() + _AGAIN.encode()
        view = memoryview(reply)
        while view:
            written = os.write(out, view)
            view = view[written:]
    except BaseException:  # anything else: the parent reports a crash
        status = 1
    finally:
        os._exit(status)


def run_isolated(work: Callable[[bytes], Document], data: bytes, *, seconds: float | None = None) -> Document:
    """``work(data)`` in a forked child, within the time and memory limits. The time limit
    is wall-clock time (a child that hangs spends no CPU); a child stopped by it that spent
    little CPU waited for a busy machine (see ``CPU_SHARE``): it gets a second try."""
    limit = TIME_LIMIT if seconds is None else seconds
    for attempt in (1, 2):
        timed_out, cpu, status, reply = _attempt(work, data, limit)
        if not timed_out:
            break
        if cpu >= CPU_SHARE * limit:
            raise ReportError(f"读取 PDF 超过 {limit:g} 秒仍未完成（用了 {cpu:.0f} 秒处理器时间），文件可能已损坏或"
                              f"过于复杂：{_AGAIN}")
        if attempt == 2:
            raise ReportError(f"读取 PDF 两次都超过 {limit:g} 秒仍未完成，但只用了 {cpu:.1f} 秒处理器时间：可能是机器"
                              "太忙，下次构建会重新读取；如果一直如此，文件可能已损坏", transient=True)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not reply:
        raise ReportError(f"读取 PDF 时解析程序异常退出，文件可能已损坏：{_AGAIN}")
    return read_reply(reply)


def _attempt(work: Callable[[bytes], Document], data: bytes, limit: float) -> tuple[bool, float, int, bytes]:
    """One child: (stopped by the time limit, its CPU seconds, its exit status, its reply)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(work, data, write_end)
    os.close(write_end)
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + limit
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > _MAX_REPLY:
                timed_out = True  # a child that never stops talking is stopped like a hung one
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    return timed_out, usage.ru_utime + usage.ru_stime, status, b"".join(chunks)


def read_reply(reply: bytes) -> Document:
    """The child's answer: ``E`` and a reason, or ``D`` and the Document as JSON."""
    if reply[:1] == b"E":
        raise ReportError(reply[1:].decode("utf-8", errors="replace"))
    try:
        if reply[:1] != b"D":
            raise ValueError("unknown reply")
        return decode(reply[1:])
    except (ValueError, TypeError, KeyError, IndexError, orjson.JSONDecodeError) as exc:
        raise ReportError(f"读取 PDF 时解析程序返回了无法识别的结果：{_AGAIN}") from exc
