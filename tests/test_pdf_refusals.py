"""PDFs that are not readable reports are refused with a reason and what to do; a PDF
that crashes or hangs the parser costs one file, never the build.

Scanned, encrypted, damaged, truncated, empty and report-less PDFs are made here; crashes,
hangs and runaway memory are simulated in the isolated child.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import giro_site.readers.pdf as pdf_reader
from giro_site.document import Document
from giro_site.errors import ReportError
from giro_site.readers.pdf import PdfReader, isolate
from giro_site.readers.pdf.extract import Glyph
from giro_site.readers.pdf.text import make_lines, normal_char
from giro_site.report import parse_report
from tests.pdfs import Printer, dense_text, one_character_objects, text_pages, with_ocr_layer, write_pdf
from tests.test_pdf import printer  # noqa: F401 - the session's printed PDFs


def pdf_file(objects: list[str], trailer: str = "") -> bytes:
    """A small PDF written by hand: numbered objects, a cross-reference table, a trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


PAGE_TREE = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]


def parse_bytes(tmp_path: Path, data: bytes, name: str = "report.pdf") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return parse_report(path)


def scanned(source: Path) -> bytes:
    """A scan of a printed report: each page of ``source`` as a picture, no text."""
    import pypdfium2 as pdfium

    original = pdfium.PdfDocument(source)
    scan = pdfium.PdfDocument.new()
    for index in range(len(original)):
        page = original[index]
        width, height = page.get_size()
        bitmap = page.render(scale=1)
        image = pdfium.PdfImage.new(scan)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        new_page = scan.new_page(width, height)
        new_page.insert_obj(image)
        new_page.gen_content()
    out = Path(source.parent / "scan.pdf")
    scan.save(out)
    return out.read_bytes()


def test_a_scanned_pdf_is_refused_saying_there_is_no_text_layer(printer: Printer, tmp_path: Path) -> None:  # noqa: F811
    data = scanned(printer.pdf("seed001-word"))
    with pytest.raises(ReportError, match="扫描件") as error:
        parse_bytes(tmp_path, data)
    assert "report.pdf" in str(error.value) and "文字识别" in error.value.reason


def test_a_scan_under_an_invisible_ocr_layer_is_refused_saying_so(printer: Printer,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    data = with_ocr_layer(scanned(printer.pdf("seed001-word")))
    with pytest.raises(ReportError, match="不可见文字层"):
        parse_bytes(tmp_path, data)


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    encrypt = "<< /Filter /Standard /V 1 /R 2 /O <" + "ab" * 32 + "> /U <" + "cd" * 32 + "> /P -44 >>"
    data = pdf_file([*PAGE_TREE, encrypt], "/Encrypt 4 0 R /ID [<" + "01" * 16 + "> <" + "01" * 16 + ">] ")
    with pytest.raises(ReportError, match="已加密"):
        parse_bytes(tmp_path, data)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "不是 PDF"),
    (b"<html><body>404</body></html>", "不是 PDF"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<", "损坏或不完整"),
    (pdf_file(PAGE_TREE), "没有可读取的文字"),
    (pdf_file(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"]), "损坏或不完整"),
])
def test_broken_and_empty_pdfs_get_a_clear_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ReportError, match=reason):
        parse_bytes(tmp_path, data)


def test_a_pdf_without_a_report_is_refused(printer: Printer, tmp_path: Path) -> None:  # noqa: F811
    path = printer.pdf("not-a-report-web")
    with pytest.raises(ReportError, match="找不到年度报告"):
        parse_report(path)


def test_too_many_pages_are_refused(printer: Printer, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from giro_site.readers.pdf import extract

    monkeypatch.setattr(extract, "MAX_PAGES", 2)  # the forked child inherits the patch
    with pytest.raises(ReportError, match="超出上限"):
        PdfReader().read(printer.pdf("seed001-word").read_bytes())


# --- damaged files: a report or a clear error, never a crash --------------------------------


@pytest.fixture(scope="module")
def seed_pdf(printer: Printer) -> bytes:  # noqa: F811
    return printer.pdf("seed004-word").read_bytes()


def _report_or_reason(tmp_path: Path, data: bytes) -> None:
    try:
        report = parse_bytes(tmp_path, data)
    except ReportError as error:
        assert error.reason and "report.pdf" in str(error)
        return
    assert report["source"]["format"] == "pdf" and isinstance(report["findings"], list)


def test_truncated_pdfs_give_a_report_or_a_reason(seed_pdf: bytes, tmp_path: Path) -> None:
    for fraction in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
        _report_or_reason(tmp_path, seed_pdf[: int(len(seed_pdf) * fraction)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=12),
       junk=st.binary(max_size=64))
def test_damaged_pdfs_give_a_report_or_a_reason(seed_pdf: bytes, tmp_path: Path, cut: float,
                                                flips: list[tuple[float, int]], junk: bytes) -> None:
    data = bytearray(seed_pdf[: max(8, int(len(seed_pdf) * cut))])
    for where, value in flips:
        data[min(len(data) - 1, int(len(data) * where))] = value
    _report_or_reason(tmp_path, bytes(data) + junk)


# --- the isolated child -------------------------------------------------------------------


def _hang(data: bytes) -> Document:
    time.sleep(60)
    raise AssertionError("not reached")


def _crash(data: bytes) -> Document:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("not reached")


def _greedy(data: bytes) -> Document:
    hoard = bytearray(isolate.MEMORY_LIMIT + (1 << 30))
    raise AssertionError(f"allocated {len(hoard)} bytes")


def test_a_hanging_parse_is_stopped_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "parse_pdf", _hang)
    monkeypatch.setattr(isolate, "TIME_LIMIT", 1.0)
    started = time.monotonic()
    with pytest.raises(ReportError, match="超过 1 秒"):
        PdfReader().read(b"%PDF-1.4")
    assert time.monotonic() - started < 20


def test_a_crashing_parse_is_a_reason_not_a_dead_process() -> None:
    with pytest.raises(ReportError, match="异常退出"):
        isolate.run_isolated(_crash, b"%PDF-1.4")


def test_a_parse_that_wants_all_memory_is_stopped() -> None:
    with pytest.raises(ReportError, match="内存"):
        isolate.run_isolated(_greedy, b"%PDF-1.4")


def _read_in_worker(kind: str) -> str:
    try:
        isolate.run_isolated(_crash if kind == "crash" else _hang, b"%PDF-1.4", seconds=1.0)
    except ReportError as error:
        return error.reason
    return "no error"


def test_a_crash_inside_the_build_pool_costs_one_file_not_the_pool() -> None:
    """A dead pool worker would leave ``multiprocessing.Pool`` waiting forever: the crash
    must stay in the child of the worker."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        reasons = pool.map(_read_in_worker, ["crash", "hang", "crash"], chunksize=1)
    assert "异常退出" in reasons[0] and "超过" in reasons[1] and "异常退出" in reasons[2]


def test_the_child_sends_data_that_is_checked() -> None:
    with pytest.raises(ReportError, match="无法识别"):
        isolate.read_reply(b"D" + b'{"blocks": [["t", 1, [[1, [["x", "not a line", 1, false]]]]]], '
                           b'"format": "pdf", "pages": [1]}')
    with pytest.raises(ReportError, match="无法识别"):
        isolate.read_reply(b"D\x80\x03cos\nsystem\n")  # a pickle is not read
    document = Document([], "pdf", page_starts=(1, 40))
    assert isolate.read_reply(b"D" + isolate.encode(document)).page_starts == (1, 40)


# --- characters ----------------------------------------------------------------------------


def test_compatibility_characters_are_read_as_the_characters_meant() -> None:
    assert "".join(map(normal_char, "⼆〇⼆⼀年⻓⻔")) == "二〇二一年长门"
    assert "".join(map(normal_char, "１１３６\u00a0条")) == "1136 条"
    assert normal_char("\ue000") == "" and normal_char("\u200b") == ""


def _glyphs(text: str, gaps: dict[int, float] | None = None, *, size: float = 12.0) -> list[Glyph]:
    """Glyphs of ``text`` on one line: Chinese characters a full size wide, others half;
    ``gaps`` widens the space before the character at an index."""
    out, x = [], 0.0
    for index, char in enumerate(text):
        x += (gaps or {}).get(index, 0.0)
        width = size if char > "\u2e7f" else size / 2
        out.append(Glyph(char, x, x + width, 0.0, size))
        x += width
    return out


def test_a_gap_between_a_figure_and_a_chinese_character_is_not_a_space() -> None:
    """Word spaces mixed text ("2023 年", "1136 条"); the figure must stay whole and bare."""
    line = make_lines(_glyphs("2023年共1136条", {4: 3.0, 6: 3.0, 10: 3.0}))[0]
    assert line.text == "2023年共1136条"
    assert make_lines(_glyphs("open data", None))[0].text == "open data"
    assert make_lines(_glyphs("opendata", {4: 4.0}))[0].text == "open data"  # a space drawn as a gap
    assert make_lines(_glyphs("1136", {2: 1.0}))[0].text == "1136"  # a figure is never split


# --- files that cost PDFium time or memory: refused before the cost -----------------------


@pytest.mark.parametrize(("data", "reason"), [
    (text_pages([one_character_objects(100_000)]), "第 1 页有超过 6000 个文字对象"),  # 53 s of CPU before
    (text_pages([one_character_objects(49_000)] * 5), "第 1 页有超过 6000 个文字对象"),  # 58 s before
    (text_pages([one_character_objects(5_900)] * 12), "到第 7 页为止的文字对象过多"),  # each page under the cap
    (text_pages([dense_text(48_000)], pages=300), "第 1 页有 48"),  # 26 s and 2 GB before
    (text_pages([dense_text(15_000)], pages=300), r"到第 10 页为止已有 \d+ 个字符"),  # each page under the cap
])
def test_files_that_would_cost_minutes_are_refused_before_the_cost(data: bytes, reason: str) -> None:
    """A page's objects are counted before PDFium lays out its text (its cost grows with the
    square of the page's text objects), the document's characters as its pages are read.
    What they cost now is measured by ``scripts/hostile-bench``, not here."""
    with pytest.raises(ReportError, match=reason):
        PdfReader().read(data)


def test_pages_under_the_caps_are_read() -> None:
    from giro_site.readers.pdf.extract import read_pages

    content = read_pages(text_pages([one_character_objects(5_000)] * 2 + [dense_text(15_000)]))
    assert [len(page.glyphs) for page in content.pages] == [5_000, 5_000, 15_000]


# --- encrypted with an empty user password: what most "protected" reports are --------------


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_with_empty_password(text: str, owner: bytes = b"owner") -> bytes:
    """A one-page PDF of ``text`` encrypted as office tools do to stop printing or copying:
    the standard security handler (RC4, 40-bit, revision 2), an owner password and an
    empty user password, so any viewer opens it without asking."""
    import hashlib

    document_id = bytes(range(16))
    permissions = -44  # printing and copying not allowed
    owner_key = hashlib.md5((owner + _PAD)[:32]).digest()[:5]
    o_entry = _rc4(owner_key, _PAD)
    key = hashlib.md5(_PAD + o_entry + permissions.to_bytes(4, "little", signed=True) + document_id).digest()[:5]
    u_entry = _rc4(key, _PAD)
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    stream = _rc4(hashlib.md5(key + (4).to_bytes(3, "little") + b"\0\0").digest()[:10], content)
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        " /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Filter /Standard /V 1 /R 2 /O <{o_entry.hex()}> /U <{u_entry.hex()}> /P {permissions} >>",
    ]
    return write_pdf(objects, f"/Encrypt 6 0 R /ID [<{document_id.hex()}> <{document_id.hex()}>] ")


def test_an_encrypted_pdf_with_an_empty_password_is_read() -> None:
    """The docs say so: only a PDF that asks for a password to open is refused."""
    text = "Annual report 2020: 12 applications received, 10 answered"
    document = PdfReader().read(encrypted_with_empty_password(text))
    assert [p.text for p in document.paragraphs] == [text]


# --- a time-out on a busy machine is not the file's ----------------------------------------


def _sleep(data: bytes) -> Document:
    """A parse that waits (as one does on a machine too busy to run it): no CPU spent."""
    with open(data, "a") as log:  # ``data`` names a file: each attempt leaves a line
        log.write("attempt\n")
    time.sleep(60)
    raise AssertionError("not reached")


def _spin(data: bytes) -> Document:
    """A parse that spends its time on the CPU: the file's own cost."""
    with open(data, "a") as log:
        log.write("attempt\n")
    while True:
        pass


def test_a_time_out_that_spent_no_cpu_is_tried_again_and_not_kept(tmp_path: Path) -> None:
    log = tmp_path / "attempts"
    with pytest.raises(ReportError, match="机器太忙") as error:
        isolate.run_isolated(_sleep, bytes(log), seconds=1.0)
    assert error.value.transient
    assert log.read_text().count("attempt") == 2


def test_a_time_out_that_spent_the_cpu_is_the_files_and_kept(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolate, "CPU_SHARE", 0.01)  # a loaded test machine gives the child little CPU
    log = tmp_path / "attempts"
    with pytest.raises(ReportError, match="处理器时间") as error:
        isolate.run_isolated(_spin, bytes(log), seconds=1.0)
    assert not error.value.transient
    assert log.read_text().count("attempt") == 1


@pytest.mark.parametrize(("work", "kept"), [(_sleep, False), (_spin, True)])
def test_the_build_keeps_a_time_out_refusal_only_when_it_was_the_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     work: Any, kept: bool) -> None:
    from giro_site.site.build.store import ReportStore

    content = tmp_path / "content"
    (content / "reports").mkdir(parents=True)
    (content / "reports" / "slow.pdf").write_bytes(b"%PDF-1.4\n")
    log = tmp_path / "attempts"
    monkeypatch.setattr(pdf_reader, "parse_pdf", lambda data: work(bytes(log)))
    monkeypatch.setattr(isolate, "TIME_LIMIT", 1.0)
    if kept:  # a loaded test machine gives the spinning child little CPU; a sleeping one spends none anyway
        monkeypatch.setattr(isolate, "CPU_SHARE", 0.01)
    for build in range(2):
        store = ReportStore(tmp_path / "cache", content)
        store.refresh()
        store.save()
        assert [p.reason for p in store.problems()] and store.parsed == (1 if build == 0 or not kept else 0)
