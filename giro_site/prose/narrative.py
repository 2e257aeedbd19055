"""The report's prose: the narrative sections and the figures that live only in the text
(the number of items proactively disclosed; the applications received, checked against
table 三)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from giro_site.document import Document, Paragraph
from giro_site.labels import flat
from giro_site.numbers import MAX_DIGITS
from giro_site.prose.identity import Identity
from giro_site.prose.sections import SECTION_KEYS, find_headings

NARRATIVE_SECTIONS = {0: "overview", 4: "problems", 5: "other_matters"}

_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|\n")

# Sentences are matched on ``labels.flat``: full-width punctuation is ASCII there (，→,
# （→( ：→:), spaces and quotes are gone. A clause ends at , ; : or a bracket.

# A count of items: ``86条``, ``1,234条``, ``7700余条``, ``超过7000条``, ``1.2万条``.
_COUNT = (r"(?P<before>约|近|超过|逾|多达)?(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<after>余|多)?"
          r"(?P<wan>万)?(?:条|篇|件)(?P<tail>以上|左右)?")
# ``全年主动公开政府信息86条``, ``共更新和发布信息54条``, ``累计主动公开信息203条``,
# ``共公布政府信息2599条``, ``主动公开政府信息共计1,234条``. The verb is one of disclosing or
# publishing and the count is of 信息, so ``共提出建议7条`` and ``采用信息数252条`` do not match.
_ITEMS = re.compile(
    r"(?P<verb>主动公开|公开发布|更新和发布|发布和更新|公开|公布|发布|更新|推送)"
    r"[^,;:()\d]{0,12}?信息(?:共计|合计|累计|总计|共|计|达到|达|为)?" + _COUNT)
# A count of one channel or of the new media, not the report's total (``“XX发布”微信公众号
# 发布信息672条``), unless the clause lists the website with them or ends the list with 等.
_CHANNEL = re.compile(r"微信公众号|微信公众平台|微信|公众号|微博|头条号|头条|抖音|快手|客户端|app|APP|公告栏|公示栏|"
                      r"公开栏|宣传栏|栏目|专栏|短信|报纸|电视|广播|新媒体|政务号|视频号|小程序")
# A website with another channel (``门户网站和微信公众号``): a list of channels, not one.
_SITE_AND = re.compile(r"(?:网站|平台)(?:、|和|及|与|以及)|(?:、|和|及|与|以及)(?:政府|门户|政务)*(?:网站|平台)")
# A clause that compares or averages does not state the year's total, nor one about what
# was disclosed on application or withheld (依申请公开信息12件, 不予公开信息5条).
_NOT_TOTAL = re.compile(r"较|比|同比|环比|增加|减少|增长|下降|日均|月均|平均|每天|每日|每月|每周|"
                        r"申请|不予|予以|部分公开|不公开|未公开")


@dataclass(frozen=True)
class Metric:
    value: int | None
    evidence: str | None
    approximate: bool = False


_CACHED_TEXT = 4096  # characters: a longer paragraph is split uncached, so the cache stays small


def _sentences(text: str) -> tuple[str, ...]:
    """The paragraph's sentences. Cached for paragraphs of usual length: ``proactive_items``
    and ``received_applications`` read the same paragraphs one after the other."""
    return _split_cached(text) if len(text) <= _CACHED_TEXT else _split_sentences(text)


def _split_sentences(text: str) -> tuple[str, ...]:
    return tuple([s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()])


_split_cached = lru_cache(maxsize=256)(_split_sentences)


_BRACKET = re.compile(r"[()]")


def _breakdown(words: str) -> list[tuple[int, int]]:
    """Spans of a sentence that break a total down rather than state it: text in brackets
    (``（其中……856条）``) and everything after ``其中``."""
    spans: list[tuple[int, int]] = []
    depth, opened = 0, 0
    for match in _BRACKET.finditer(words) if "(" in words else ():  # the brackets only, not every character
        index = match.start()
        if words[index] == "(":
            if depth == 0:
                opened = index
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
    if depth:
        spans.append((opened, len(words)))
    if "其中" in words:
        spans.append((words.index("其中"), len(words)))
    return spans


def _clause(words: str, start: int, end: int) -> str:
    """The clause around ``words[start:end]``: back to the last , ; : or bracket."""
    cut = max(words.rfind(mark, 0, start) for mark in ",;:()")
    return words[cut + 1: end]


def _items_in(sentence: str) -> list[tuple[int, Metric]]:
    """(rank, metric) for each count of items this sentence states as a total."""
    words = flat(sentence)
    if "信息" not in words:  # every count of items _ITEMS reads is of 信息
        return []
    spans: list[tuple[int, int]] | None = None
    found = []
    for match in _ITEMS.finditer(words):
        at = match.start("n")
        spans = _breakdown(words) if spans is None else spans
        if any(a <= at < b for a, b in spans):
            continue
        clause = _clause(words, match.start(), match.end())
        if (_CHANNEL.search(clause) and "等" not in clause and not _SITE_AND.search(clause)) or (
                _NOT_TOTAL.search(clause)):
            continue
        number = match.group("n").replace(",", "")
        if len(number) > MAX_DIGITS:  # not a count (numbers.MAX_DIGITS says why)
            continue
        approximate = bool(match.group("before") or match.group("after") or match.group("tail")
                           or match.group("wan"))
        if match.group("wan"):
            value = round(float(number) * 10000)
        elif "." in number:
            continue  # a fraction of an item is not a count
        else:
            value = int(number)
        rank = 0 if "主动公开" in clause[clause.find(match.group("verb")):] else 1
        found.append((rank, Metric(value, sentence, approximate)))
    return found


def proactive_items(texts: list[str]) -> Metric:
    """The report's total of items proactively disclosed, from the sentence that states it.

    The total, not a number of its breakdown (in brackets or after 其中) nor the count of one
    channel (a WeChat account, a microblog, a bulletin board, a website column); an
    approximate total (``7700余条``, ``超过7000条``) is kept and marked. Sentences with 主动公开
    are preferred to ones that only say 发布 (publishing news is not proactive disclosure when
    the report states both); then the first. No sentence, no number: a wrong figure is worse."""
    best: tuple[int, int, Metric] | None = None
    for position, text in enumerate(texts):
        for sentence in _sentences(text):
            for rank, metric in _items_in(sentence):
                if best is None or (rank, position) < best[:2]:
                    best = (rank, position, metric)
    return best[2] if best is not None else Metric(None, None)


# ``全年共收到政府信息公开申请21件``, ``本年度新收依申请公开申请3件``, ``共受理公民、法人或其他
# 组织提出的政府信息公开申请12件``, ``全年未收到政府信息公开申请``.
_RECEIVED = re.compile(
    r"(?P<verb>新收到|收到|受理|接收到|接收|接到|新收)(?P<what>[^,;:()\d]{0,24}?)"
    r"(?P<kind>申请|依申请公开事项)(?:共计|合计|总计|共|计|为|数量为|数为)?(?P<n>\d+)(?:件|个|份|宗|条|次)")
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理|接到)(?P<what>[^,;:()\d]{0,24}?)(?P<kind>申请|依申请公开事项)")
# The words allowed between the verb and 申请: who applied and what for, nothing that makes
# the figure a part (网上申请, 当面申请) or another kind of request.
_APPLICANT_WORDS = re.compile(r"政府信息公开|信息公开|依申请公开|政府信息|各类|任何|的|公民|法人|或者|或|和|及|"
                              r"其他组织|社会公众|群众|提出|申请人|本年度|本年|全年|年度|共计|共|、")
# A clause about carried-over, processed or a sub-category of applications, one channel, or
# another period than the year (since the law, the last three years, half a year).
_NOT_RECEIVED = re.compile(r"结转|上年|去年|办结|答复|处理|办理|其中|网上|在线|当面|现场|信函|邮寄|传真|电子邮件|邮箱|"
                           r"通过|渠道|网站|平台|热线|"
                           r"较|比|同比|增加|减少|增长|下降|复议|诉讼|举报|投诉|咨询|建议|提案|来信|"
                           r"累计|以来|历年|近[\d一二三四五六七八九十]+年|多年|半年|季度|上旬|中旬|下旬")
# A sentence about the bodies of a region or a system (全区各级行政机关, 本级), not this body.
_OTHER_BODIES = re.compile(r"全(?:省|市|区|县|旗|州|盟|系统)|各级|各部门|各单位|各乡镇|各街道|本级|下属|所属|直属")
# Months name a part of the year unless the year's last day closes it (截至12月31日).
_MONTH = re.compile(r"\d{1,2}月")
_YEAR_END = re.compile(r"12月(?:31日|底|末)")


def received_applications(texts: list[str]) -> Metric:
    """The year's received information-disclosure applications, where the prose states the
    total clearly: only sentences that say received (收到, 受理, 新收) applications for
    information (the words say 公开) with no other word than who applied, not carried-over,
    processed, one channel's or a sub-category, not a region's or a part of the year's,
    outside any breakdown. Several sentences that disagree say nothing clearly: no figure."""
    found: list[Metric] = []
    for text in texts:
        for sentence in _sentences(text):
            words = flat(sentence)
            if "申请" not in words:  # both patterns name 申请 (or 依申请公开事项)
                continue
            if "结转" in words or _OTHER_BODIES.search(words):  # 受理申请23件（含上年结转2件）
                continue
            if _MONTH.search(words) and not _YEAR_END.search(words):
                continue
            spans: list[tuple[int, int]] | None = None
            for pattern in (_RECEIVED, _NONE_RECEIVED):
                for match in pattern.finditer(words):
                    spans = _breakdown(words) if spans is None else spans
                    if any(a <= match.start() < b for a, b in spans):
                        continue
                    what = match.group("what")
                    if "公开" not in what + match.group("kind") or _APPLICANT_WORDS.sub("", what):
                        continue
                    if _NOT_RECEIVED.search(_clause(words, match.start(), match.end())):
                        continue
                    if pattern is _RECEIVED and len(match.group("n")) > MAX_DIGITS:
                        continue
                    value = int(match.group("n")) if pattern is _RECEIVED else 0
                    found.append(Metric(value, sentence))
    if not found or len({m.value for m in found}) > 1:
        return Metric(None, None)
    return found[0]


def narrative(document: Document, identity: Identity) -> dict[str, str]:
    """Sections 一, 五 and 六 as text, paragraphs separated by a newline; the preamble too.

    The title and signature lines are left out: they are the agency and date fields; so are a
    printed web page's menu, source line and footer."""
    skip = set(identity.title_indexes) | set(identity.signature.block_indexes) | set(identity.page_indexes)
    headings = find_headings(document)
    heading_at = {h.block_index: h.section for h in headings}
    parts: dict[str, list[str]] = {"preamble": [], **{key: [] for key in NARRATIVE_SECTIONS.values()}}
    current = "preamble"
    for index, block in enumerate(document.blocks):
        if index in heading_at:
            current = NARRATIVE_SECTIONS.get(heading_at[index], "")
            continue
        if index in skip or not isinstance(block, Paragraph) or not current:
            continue
        text = block.text.strip()
        if text:
            parts[current].append(text)
    return {key: "\n".join(lines) for key, lines in parts.items()}


def section_texts(document: Document) -> dict[str, list[str]]:
    """Every paragraph by section key, for searches that prefer one section."""
    headings = {h.block_index: SECTION_KEYS[h.section] for h in find_headings(document)}
    out: dict[str, list[str]] = {"preamble": []}
    current = "preamble"
    for index, block in enumerate(document.blocks):
        current = headings.get(index, current)
        if isinstance(block, Paragraph) and index not in headings:
            out.setdefault(current, []).append(block.text)
    return out
