"""How much of anything one report file may hold, whatever its format.

A report has a few hundred paragraphs and four tables of at most a few hundred cells;
these caps are a hundred times that. A file beyond them is refused with the reason, in
time and memory that stay small: the readers count as they go where input controls the
size (the cells an HTML table's spans expand to, the XML elements of a Word file), and
``check_document`` checks every reader's output, so a new reader is covered too.
"""

from __future__ import annotations

from giro_site.document import Document, Table
from giro_site.errors import ReportError

MAX_BLOCKS = 20_000  # paragraphs and tables
MAX_ROWS = 20_000  # table rows in all
MAX_CELLS = 200_000  # table cells in all, a merged cell's placeholders included
MAX_LINES = 200_000  # lines of a text file (blank ones too)


def check_document(document: Document) -> Document:
    """The document, or a ReportError if it holds more than a report could."""
    blocks = document.blocks
    if len(blocks) > MAX_BLOCKS:
        raise ReportError(f"文件中有 {len(blocks)} 个段落和表格，超过上限 {MAX_BLOCKS}，不像是一份年度报告")
    rows = cells = 0
    for block in blocks:
        if isinstance(block, Table):
            rows += len(block.rows)
            cells += sum(len(row.cells) for row in block.rows)
    if rows > MAX_ROWS or cells > MAX_CELLS:
        raise ReportError(f"文件中的表格共有 {rows} 行、{cells} 个单元格，超过上限"
                          f"（{MAX_ROWS} 行、{MAX_CELLS} 个单元格），不像是一份年度报告")
    return document


def check_lines(text: str) -> str:
    """Text of at most ``MAX_LINES`` lines (counted at C speed before any parsing)."""
    lines = max(text.count("\n"), text.count("\r"))
    if lines > MAX_LINES:
        raise ReportError(f"文件有 {lines} 行，超过上限 {MAX_LINES} 行，不像是一份年度报告（一份报告通常不到一万行）")
    return text
