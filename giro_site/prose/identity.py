"""Who published a report and for which year, from the report's own words.

The agency comes from the title, else from the first sentences (``在此特公布岭子镇…``),
else from the signature; when the signature names the same body more fully (seed 003:
title ``鹿乡镇…``, signature ``长春市双阳区鹿乡镇人民政府``) the fuller name wins. The
year is the one the report is about (title, then statistics period), never the folder
and never the signature date (reports on 2020 are signed in 2021).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from giro_site.document import Document, Paragraph
from giro_site.labels import flat
from giro_site.prose.sections import find_headings, heading_section, unmarked
from giro_site.regions.resolve import GOVERNMENT, read_name

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = r"((?:19|20)\d\d)"
_REPORT_WORDS = r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:年度)?报告"
_TITLE = re.compile(rf"^(?P<before>.*?){_YEAR}年度?(?P<after>.*?){_REPORT_WORDS}")
_NAME_IN_TEXT = (
    re.compile(rf"(?:特|现)?公布(?P<name>[^，。；：]{{2,30}}?)(?:{_YEAR}年度?)?{_REPORT_WORDS}"),
    re.compile(r"由(?P<name>[^，。；：]{2,30}?)编制"),
    re.compile(rf"^(?P<name>[^，。；：\d]{{2,30}}?){_YEAR}年度?{_REPORT_WORDS}"),
)
_DATE = re.compile(r"^((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日$")
_BODY_SUFFIX = re.compile(
    r"(人民政府|办事处|街道|镇|乡|局|委员会|委|办公室|办|厅|署|中心|院|所|队|站|馆|处|会|公司|集团)$")
_DIVISION_END = "省市区县旗州盟"
# Administrative divisions that may precede a body's own name.
_DIVISION = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗)")
_PLACE_BODY = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:自治州|自治县|省|市|地区|盟|区|县|旗|镇|乡|街道|苏木)")
# Words in department names that end like a place (住房和城乡…, 城市管理…) but never occur in one.
_NOT_PLACE = ("和", "与", "及", "城乡", "城市", "市场", "社区")


def _starts_with_place(text: str) -> bool:
    match = _PLACE_BODY.match(text)
    return bool(match) and not any(word in match.group(0) for word in _NOT_PLACE)


@dataclass(frozen=True)
class Signature:
    name: str | None
    date: str | None
    block_indexes: tuple[int, ...]


@dataclass(frozen=True)
class Identity:
    agency: str | None
    region: str | None
    year: int | None
    title: str | None
    title_indexes: tuple[int, ...]
    signature: Signature
    page_indexes: tuple[int, ...] = ()  # a web page's menu, source line and footer around the report


# Words a converter or a page writes where a title may stand, that are never a body's name.
_SECTION_WORDS = re.compile(r"^(?:正文|目录|附件\s*\d*|附表\s*\d*|全文|内容|摘要)\s*[:：]?")
# Words of a web page's furniture: a site's menu, breadcrumb, article data and footer.
_PAGE_WORDS = ("当前位置", "您的位置", "您现在的位置", "来源：", "来源:", "发布时间", "发布日期", "时间：", "浏览次数",
               "阅读次数", "点击数", "字体：", "字号：", "分享到", "打印本页", "关闭窗口", "【打印】", "【关闭】",
               "网站标识码", "ICP备", "公网安备", "主办单位", "承办单位", "主办：", "承办：", "版权所有", "Copyright",
               "©", "技术支持", "联系我们", "网站地图", "上一篇", "下一篇", "扫一扫", "无障碍", "地址：", "电话：",
               "邮编")


_PAGE_LINE = re.compile("|".join(map(re.escape, _PAGE_WORDS)) + r"|首页\s*[>›»/]")  # and a breadcrumb
_LONGEST_PAGE_LINE = 300  # characters: a footer line at most; a longer paragraph is the report's


def is_page_furniture(text: str) -> bool:
    """A line of a web page around the article (menu, breadcrumb, source and time, footer),
    as a browser's print or a word processor's copy of the page keeps it."""
    return len(text) <= _LONGEST_PAGE_LINE and _PAGE_LINE.search(text) is not None


def _clean(text: str) -> str:
    return flat(unmarked(text)).strip("，。：:、")


# The date and time a browser prints at the top of a page: 2021/1/8 15:05, 2021-01-08 下午3:05.
_DATE_TIME = re.compile(r"^\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2}(?:上午|下午|AM|PM)?"
                        r"(?:\d{1,2}:\d{2}(?::\d{2})?)?(?:上午|下午|AM|PM)?")


def _title_words(text: str) -> str:
    """A title line's words without marks, a section word before it (``附件：``) or the date a
    browser prints at the top of a page."""
    words = flat(unmarked(text))
    return _DATE_TIME.sub("", _SECTION_WORDS.sub("", words)) if words[:1].isdigit() or _SECTION_WORDS.match(words) \
        else words


def _looks_like_name(text: str) -> bool:
    """A title line holding a body's name alone (``密云区高岭镇人民政府``, ``北京市密云区``)."""
    words = _clean(text).removesuffix("关于")
    return (2 <= len(words) <= 30 and not is_page_furniture(text) and not _SECTION_WORDS.match(words)
            and len(text.split()) <= 2 and not any(ch in words for ch in "，。；：|")  # a menu: many words
            and bool(_BODY_SUFFIX.search(words) or words[-1] in _DIVISION_END))


_TITLE_WINDOW = 80  # paragraphs before the first heading looked at for the title: a page's menu and more
_TITLE_LENGTH = 80


def find_title(document: Document) -> tuple[str | None, tuple[int, ...]]:
    """The report's own title before the first section heading, wherever it stands: after a
    printed page's menu and breadcrumb too. It is the first short line that names the form
    (``…年度报告``) with a year, else without; a title wrapped over two lines is joined, and
    name lines right above it join it when it starts with its year
    (``密云区高岭镇人民政府`` / ``2020年政府信息公开工作年度报告``)."""
    headings = find_headings(document)
    first = headings[0].block_index if headings else min(len(document.blocks), _TITLE_WINDOW)
    window = [(index, block.text) for index, block in enumerate(document.blocks[:first])
              if isinstance(block, Paragraph)][:_TITLE_WINDOW]
    best: tuple[str, list[int]] | None = None
    for position, (index, raw) in enumerate(window):
        # "报" first, on the raw line: a title's 报告 may be spaced (报 告) until flattened.
        wrapped = ("报" not in raw and position + 1 < len(window) and window[position + 1][0] == index + 1
                   and "报" in window[position + 1][1])
        if "报" not in raw and not wrapped:
            continue
        text, used = _title_words(raw), [index]
        if wrapped:
            following = _title_words(window[position + 1][1])
            if "报告" in following and len(following) <= 12:  # a title wrapped before its last words
                text, used = text + following, [index, index + 1]
        if ("报告" not in text or len(text) > _TITLE_LENGTH or text.endswith("。") or is_page_furniture(raw)
                or not re.search(_REPORT_WORDS, text)):
            continue
        if _TITLE.match(text.translate(_CN_DIGITS)):
            best = (text, used)
            break
        best = best or (text, used)
    if best is None:
        return None, ()
    text, used = best
    match = _TITLE.match(text.translate(_CN_DIGITS))
    if match and not _clean(re.sub(r"^关于", "", text[:match.start(2)])):
        above = [i for i, _ in window]
        at = above.index(used[0])
        while at > 0 and used[0] - above[at - 1] == 1 and len(used) < 4 and _looks_like_name(window[at - 1][1]):
            at -= 1
            used.insert(0, above[at])
            text = _title_words(window[at][1]) + text
    return text, tuple(used)


def _name_from_title(title: str) -> str | None:
    match = _TITLE.match(title.translate(_CN_DIGITS))  # digits only for the year: 八里庄 stays 八里庄
    if not match:
        return None
    name = _clean(title[:match.start(2)]) or _clean(title[match.start("after"):match.end("after")])
    name = re.sub(r"^关于", "", name)
    name = _SECTION_WORDS.sub("", _DATE_TIME.sub("", name))
    return name if len(name) >= 2 and not _SECTION_WORDS.fullmatch(name) else None


_FOOTER_LINES = 12  # a printed page's lines after the report: share links, print, footer


def find_signature(document: Document) -> Signature:
    """The body's name and date under the last section, if the report is signed (a printed
    page's share links and footer after it are passed over)."""
    name = date = None
    indexes: list[int] = []
    end = len(document.blocks)
    while (end > 0 and len(document.blocks) - end < _FOOTER_LINES and isinstance(document.blocks[end - 1], Paragraph)
           and is_page_furniture(document.blocks[end - 1].text)):  # type: ignore[union-attr]
        end -= 1
    for index in range(end - 1, max(-1, end - 6), -1):
        block = document.blocks[index]
        if not isinstance(block, Paragraph):
            break
        text = flat(unmarked(block.text)).translate(_CN_DIGITS)
        match = _DATE.match(text)
        if match and date is None and name is None:
            date = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
            indexes.append(index)
            continue
        if name is None and len(text) <= 40 and _BODY_SUFFIX.search(text) and "。" not in text:
            name = text
            indexes.append(index)
            continue
        break
    return Signature(name, date, tuple(sorted(indexes)))


def _name_from_text(document: Document, start: int = 0, limit: int = 12) -> str | None:
    """The body's name from the first sentences after ``start`` (the title's block)."""
    paragraphs = [b for b in document.blocks[start:] if isinstance(b, Paragraph)]
    for block in paragraphs[:limit]:
        text = flat(unmarked(block.text))
        for pattern in _NAME_IN_TEXT:
            match = pattern.search(text)
            if match and not match.group("name").startswith(("本", "我", "关于")):
                return _clean(match.group("name"))
    return None


def split_region(full_name: str) -> tuple[str | None, str]:
    """``密云区高岭镇人民政府`` → (``密云区``, ``高岭镇人民政府``).

    The region is every division named in front (省/市/区/县…). A body whose own name
    starts with a place (a 镇, 乡, 街道) is that name; a department keeps the place it
    belongs to: ``北京市朝阳区住房和城乡建设委员会`` → (``北京市朝阳区``,
    ``朝阳区住房和城乡建设委员会``).
    """
    divisions: list[str] = []
    rest = full_name
    while (match := _DIVISION.match(rest)) and not any(w in match.group(0) for w in _NOT_PLACE):
        divisions.append(match.group(0))
        rest = rest[match.end():]
    if not divisions:
        return None, full_name
    if not rest:
        return ("".join(divisions[:-1]) or None), divisions[-1]
    if _starts_with_place(rest):
        return "".join(divisions), rest
    return "".join(divisions), divisions[-1] + rest


def _choose(title_name: str | None, text_name: str | None, signature_name: str | None) -> str | None:
    best = title_name or text_name
    if signature_name and (best is None or (best in signature_name and len(signature_name) > len(best))):
        return signature_name
    return best


def find_year(document: Document, title: str | None) -> int | None:
    if title:
        match = _TITLE.match(title.translate(_CN_DIGITS))
        if match:
            return int(match.group(2))
    texts = [flat(p.text).translate(_CN_DIGITS) for p in document.paragraphs[:15]]
    for text in texts:
        match = re.search(rf"统计期限(?:为|是)?(?:自|从)?{_YEAR}年", text) or re.search(
            rf"{_YEAR}年度?{_REPORT_WORDS}", text)
        if match:
            return int(match.group(1))
    counts: dict[int, int] = {}
    for text in texts:
        for found in re.findall(rf"{_YEAR}年", text):
            counts[int(found)] = counts.get(int(found), 0) + 1
    return max(counts, key=lambda y: (counts[y], -y)) if counts else None


def identify(document: Document) -> Identity:
    title, title_indexes = find_title(document)
    signature = find_signature(document)
    start = title_indexes[0] if title_indexes else 0
    name = _choose((_name_from_title(title) if title else None) or _name_from_text(document, start), None,
                   signature.name)
    region, agency = split_region(name) if name else (None, None)
    return Identity(agency=agency or None, region=region, year=find_year(document, title), title=title,
                    title_indexes=title_indexes, signature=signature, page_indexes=_page_lines(document, start))


def _page_lines(document: Document, title: int) -> tuple[int, ...]:
    """The lines of a printed or saved web page around the report: those before its title
    (menu, breadcrumb), the source-and-time line under it, and the share links and footer
    at its end. They are neither the report's name nor its prose."""
    found = [i for i, block in enumerate(document.blocks[:title]) if isinstance(block, Paragraph)]
    for index in range(title + 1, min(title + 4, len(document.blocks))):
        block = document.blocks[index]
        if isinstance(block, Paragraph) and is_page_furniture(block.text) and heading_section(block.text) is None:
            found.append(index)
    end = len(document.blocks)
    while end > title + 1 and len(document.blocks) - end < _FOOTER_LINES and \
            isinstance(document.blocks[end - 1], Paragraph) and is_page_furniture(document.blocks[end - 1].text):  # type: ignore[union-attr]
        end -= 1
        found.append(end)
    return tuple(sorted(found))


def full_name(agency: str | None, region: str | None) -> str | None:
    """The name as the report wrote it before ``split_region``: a department keeps its
    county in its own name (北京市朝阳区 + 朝阳区住房…), which is written once."""
    if not agency:
        return None
    region = region or ""
    for start in range(len(region) - 1):  # the overlap is the region's last division, whole
        if (start == 0 or region[start - 1] in _DIVISION_END) and agency.startswith(region[start:]):
            return region[:start] + agency
    return region + agency


@lru_cache(maxsize=65536)
def own_name(agency: str | None, region: str | None, code: str | None) -> str | None:
    """The body's own name after its place when the place is known for certain (``code`` is
    the place its name leads to), a government's own words dropped: "" for 高岭镇人民政府 in
    高岭镇, "住房和城乡建设委员会" for 密云区住房和城乡建设委员会. None when the place is not
    certain (or no body is named)."""
    if not agency or not code:
        return None
    reading = read_name(full_name(agency, region) or "")
    if not any(place.code == code for place in reading.places):
        return None
    return "" if reading.rest in GOVERNMENT else reading.rest


@lru_cache(maxsize=65536)
def body_key(agency: str | None, region: str | None, code: str | None) -> str | None:
    """Reports of the same body share this key, across years and formats.

    When the report's place is known for certain (``code`` is the place its name leads to),
    the key is that place and the body's own name after it (``own_name``): "高岭镇人民政府"
    with 密云区 made out from the report, "密云区高岭镇人民政府" and "高岭镇" are one body; two
    高岭镇 in different counties are two. Otherwise the names as written, with whatever part
    of the place is known, keep bodies apart rather than guess. None when the report names
    no body."""
    if not agency:
        return None
    return key_with(agency, region, code, own_name(agency, region, code))


def key_with(agency: str, region: str | None, code: str | None, rest: str | None) -> str:
    """``body_key`` from the body's ``own_name`` (``rest``), found beforehand (a build keeps
    what it found in its cache)."""
    if rest is not None:
        return f"place:{code}|{rest}"
    return f"name:{region or ''}|{code or ''}|{agency}"
