"""A county website's article page holding a report, as content systems (TRS, 大汉, 我爱
CMS) lay them out: a bar of links to higher governments, the site's name and menu, a
breadcrumb, the article's title and a 来源/时间 line, the report, share links and a
footer. Printed by a browser or saved as a Word document by LibreOffice, all of it becomes
text around the report, and the report's own title is somewhere in the middle of it."""

from __future__ import annotations

import html
from pathlib import Path

from giro_site.document import Document, Paragraph, Table
from tests.pdfs import soffice_convert
from tests.writers import html_table

_TOP = """<div class="topbar">国务院 省政府 市政府 区政府 部门网站 县区网站</div>
<div class="site"><span class="sitename">{site}门户网站</span>
<span class="tools">无障碍 长者模式 English 繁體</span></div>
<div class="menu">首页 政务公开 政务服务 互动交流 走进{place} 专题专栏</div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 法定主动公开内容 &gt; 政府信息公开年报</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">来源：{source}　时间：2025-03-10　浏览次数：1024　【字体：大 中 小】</div>
<div class="content">
"""
_BOTTOM = """</div>
<div class="share">分享到：微信 微博 QQ空间</div>
<div class="tools">【打印本页】 【关闭窗口】</div>
</div>
<div class="footer"><p>主办单位：{site}　承办单位：{site}办公室</p>
<p>网站标识码：3501000001　闽ICP备05000000号　闽公网安备 35010202000000号</p>
<p>地址：平潭综合实验区金井湾片区商务营运中心6号楼　联系电话：0591-00000000</p></div>
"""
_STYLE = """<style>
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 14px; }
.topbar, .menu, .crumb, .info, .share, .tools, .footer { color: #333; font-size: 13px; }
.sitename { font-size: 22px; font-weight: bold; }
td { padding: 2px; }
</style>"""


def cms_page(document: Document, *, title: str, site: str, place: str, source: str,
             title_in_body: bool = False) -> bytes:
    """The report's blocks as the content of a CMS article page titled ``title``; the
    body repeats the title when ``title_in_body``."""
    body: list[str] = []
    if title_in_body:
        body.append(f'<p style="text-align:center">{html.escape(title)}</p>')
    for block in document.blocks:
        if isinstance(block, Paragraph):
            body.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            body.append(html_table(block))
    page = "\n".join(["<!DOCTYPE html>", '<html><head><meta charset="utf-8">', f"<title>{html.escape(title)}</title>",
                      _STYLE, "</head><body>", _TOP.format(site=site, place=place, title=html.escape(title),
                                                             source=source),
                      "\n".join(body), _BOTTOM.format(site=site), "</body></html>"])
    return page.encode("utf-8")


def saved_by_writer(pages: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Each page opened in LibreOffice Writer and saved as .docx (one ``soffice`` call)."""
    saved = soffice_convert(pages, ".html", "docx:MS Word 2007 XML", folder / "cms-html", folder / "cms-docx",
                            folder / "soffice-profile-cms")
    return {name: path.read_bytes() for name, path in saved.items()}
