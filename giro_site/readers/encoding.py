"""Turn the bytes of a text-like file into str, whatever encoding Chinese offices used."""

from __future__ import annotations

import codecs
import re

from giro_site.errors import ReportError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII and CJK text leave a NUL in every other byte often."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.2 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.2 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


_BINARY = ("这是二进制文件，不是文本：多为扩展名有误（如 PDF 或 Word 文件被存成了 .txt），请改回原来的扩展名，"
           "或重新下载")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufff0-\uffff]")


def _mostly_control(text: str) -> bool:
    """Binary decoded as text shows up as control characters; real reports have none."""
    sample = text[:4096]
    return len(_CONTROL.findall(sample)) > len(sample) // 100


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode, then refuse text that is mostly control characters (a binary file)."""
    text = _decode(data, declared)
    if _mostly_control(text):
        raise ReportError(_BINARY)
    return text


def _decode(data: bytes, declared: str | None) -> str:
    """Decode with a BOM, the declared charset, UTF-8, UTF-16 or GB18030, in that order.

    Raises ReportError when nothing fits, or when the bytes are binary: guessing would
    put mojibake on a public page.
    """
    if not data:
        raise ReportError("文件为空（0 字节），多为下载中断或复制时出错：请重新下载这份报告；"
                          "不需要的话，把它从 reports 文件夹中删除")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReportError(f"文件以 {codec} 标记开头，但内容不是合法的 {codec} 文本") from exc
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise ReportError(_BINARY)
    candidates = ["utf-8", "gb18030"]
    if declared:
        candidates.insert(0, _canonical_charset(declared))
    for codec in candidates:
        if codec == "gb18030" and _looks_big5(data):
            codec = "big5"
        if codec in _BIG5:
            raise ReportError(_BIG5_REASON)
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReportError("无法识别文件编码（既不是 UTF-8，也不是 GBK/GB18030）：请用文本编辑器打开，另存为 UTF-8 编码")


_BIG5 = frozenset({"big5", "big5hkscs", "cp950", "x-big5", "big5-hkscs"})
_BIG5_REASON = ("文件是繁体中文（Big5 编码），而国家表格和本站读取的报告都是简体中文：请找到这份报告的简体中文版本"
                "（UTF-8 或 GBK 编码的文本、网页或 .docx）")
_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")


def _looks_big5(data: bytes) -> bool:
    """GB18030 decodes almost any bytes, Big5 too, so tell them apart by the second bytes
    of two-byte characters: in GB text (simplified hanzi and punctuation, all in GB2312)
    they are 0xA1 and above; in Big5, 0x40–0x7E holds two fifths of every row."""
    pairs = _PAIR.findall(data[:65536])
    if len(pairs) < 8:
        return False
    low = sum(pair[1] < 0x7F for pair in pairs)
    return low > 0.15 * len(pairs)


def _canonical_charset(name: str) -> str:
    """GB2312 and GBK pages routinely contain GB18030-only characters: read them as GB18030."""
    lowered = name.strip().lower()
    if lowered in {"gb2312", "gbk", "gb_2312-80", "x-gbk", "euc-cn", "cp936"}:
        return "gb18030"
    return lowered
