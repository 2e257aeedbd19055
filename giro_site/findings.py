"""The finding codes: one catalogue, so the checks, the docs and the site's methodology
page all say the same thing. Codes are stable; users filter on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SEVERITY_LABEL = {ERROR: "错误", WARNING: "提示", INFO: "说明"}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # the usual severity; identity checks drop to WARNING when cells are blank
    title: str
    explanation: str


CODES: tuple[Code, ...] = (
    Code("TABLE_MISSING", ERROR, "缺少表格",
         "报告中找不到国家表格的某张表（主动公开、依申请公开或复议诉讼），其数据无法展示。"),
    Code("BALANCE", ERROR, "依申请公开收支不平",
         "表三每一列应满足：本年新收＋上年结转＝本年度办理结果总计＋结转下年度继续办理（表格左上角印有此规则）。"),
    Code("ROW_TOTAL", ERROR, "申请人合计不符",
         "表三每一行的“总计”应等于自然人与五类法人或其他组织之和。"),
    Code("RESULTS_TOTAL", ERROR, "办理结果合计不符",
         "表三每一列的“（七）总计”应等于（一）至（六）各项办理结果之和。"),
    Code("OTHER_SUBTOTAL", ERROR, "其他处理小计不符",
         "2021年版表格中“（六）其他处理”应等于其下三项之和。"),
    Code("REVIEW_TOTAL", ERROR, "复议诉讼合计不符",
         "表四中行政复议、直接起诉、复议后起诉的“总计”应等于结果维持、结果纠正、其他结果、尚未审结之和。"),
    Code("CARRYOVER_MISMATCH", WARNING, "与上年报告衔接不符",
         "本年“上年结转”申请数应等于同一机关上一年报告的“结转下年度继续办理”。"),
    Code("PREVIOUS_MISMATCH", WARNING, "上一年项目数量与上年报告不符",
         "2019年版表格中本年“上一年项目数量”应等于同一机关上年报告的“上一年项目数量”加“本年增/减”。"),
    Code("UNIT_ASSUMED", WARNING, "金额单位系推定",
         "金额既未在单元格也未在表头注明单位，按国家表格的单位“万元”读取，请核对原文。"),
    Code("VALUE_UNREADABLE", WARNING, "单元格不是数字",
         "某个应填数字的单元格写的是文字，无法读成数字，按空白处理；原文见说明。"),
    Code("VALUES_SHORT", WARNING, "单元格数量不足",
         "某行的数字单元格少于表头的列数，缺少的单元格按空白处理。"),
    Code("HEADER_ASSUMED", WARNING, "表头无法核对",
         "表头与国家表格的列名对不上，只能按国家表格的列顺序读取，请核对原文。"),
    Code("ROW_MISSING", WARNING, "缺少表格行",
         "国家表格中的某一行在报告中找不到，该行显示为空白。"),
    Code("ROW_DUPLICATE", WARNING, "表格行重复",
         "同一行在报告中出现了两次；采用第一次出现的数字，第二次的数字列在“附加行”中。"),
    Code("FORM_ASSUMED", WARNING, "表格版本系推定",
         "无法从表头判断报告使用2019年版还是2021年版表格，按报告年度推定。"),
    Code("AGENCY_UNKNOWN", WARNING, "未找到机关名称",
         "报告标题、正文开头和落款中都找不到发布机关的名称。"),
    Code("YEAR_UNKNOWN", WARNING, "未找到报告年度",
         "报告中找不到所报告的年度。"),
    Code("TABLE_UNRECOGNIZED", WARNING, "无法识别的表格",
         "报告中有一张不属于国家表格的表，其内容完整列在“附加行”中。"),
    Code("ROW_EXTRA", INFO, "附加行",
         "报告在国家表格之外增加或细分了行，这些行的数字原样保留在“附加行”中。"),
    Code("SUBROWS_SUMMED", INFO, "由细分行合计",
         "报告把一行拆成了几个细分行，该行的数字是细分行之和（页面上标为“合计得出”）。"),
    Code("OLD_FORM_LATE", INFO, "沿用旧版表格",
         "2021年及以后的报告应使用2021年版表格，此报告仍使用2019年版。"),
    Code("PROACTIVE_ITEMS_MISSING", INFO, "未说明主动公开条数",
         "报告正文没有说明全年主动公开政府信息的条数。"),
    Code("REGION_UNKNOWN", INFO, "所在地区不明",
         "机关名称中的地名在全国行政区划地名库中找不到，或有多处同名而报告中没有足以区分的地名；"
         "所在地区留空，不作猜测。"),
    Code("LABEL_ASSUMED", WARNING, "行名称系推定",
         "表格中某一行的名称与国家表格不完全一致（错字、漏字或行名称空白），程序按名称和该行在表格中的位置推定为国家表格的某一行；"
         "说明中引用了报告原来的写法，请核对原文。"),
    Code("ROW_UNMAPPED", WARNING, "无法对应的行",
         "表格中某一行有数字，但对不上国家表格的行，而国家表格中恰有行缺失（或有两行同样可能）；程序不作猜测，"
         "该行原样列入“附加行”，缺失的行按空白显示。"),
    Code("RECEIVED_MISMATCH", WARNING, "正文与表三新收申请数不符",
         "报告正文明确说明了本年收到的政府信息公开申请数，但与表三“本年新收政府信息公开申请数量”的总计不同；"
         "说明中引用了原句和两个数字。"),
    Code("ROW_MISALIGNED", WARNING, "行的数字与列对不齐",
         "表格中某一行的单元格数与表格的列数不符（如转换工具在行首或行尾多写或少写了空单元格，或数字与行名称分在两行），"
         "无法确定每个数字属于哪一列；程序不作猜测，该行原样列入“附加行”，对应的行显示为空白。"),
    Code("HIDDEN_TEXT", WARNING, "单元格含隐藏文字",
         "表格的某个单元格里有读者看不见的文字（透明或与背景同色的字、小到看不见的字、Word 的隐藏文字、"
         "页面之外的字等）；程序删去了这些文字，只读取看得见的内容。说明中指出是哪个单元格，请核对原文。"),
    Code("DUPLICATE_REPORT", WARNING, "同一年度有两份报告",
         "同一机关同一年度有两份不同的报告文件（更正版、另一种格式）：只采用一份，依次取核对错误较少、填写数字较多、"
         "文件路径在前的一份；说明中写明两份的文件和理由，另一份列为本年度的其他版本，不计入任何合计、图表和下载文件。"
         "两份的数字相同时为说明，不同时为提示。内容完全相同的文件只读取一次，重复的文件列在“数据问题”页面。"),
    Code("YEAR_INVALID", ERROR, "报告年度不可能",
         "报告所写的年度早于2008年（《政府信息公开条例》施行之年）或晚于本站生成的年份：这份报告不计入任何年度的合计，"
         "下载文件中归入“年度不详”，也不作为机关的最新报告。"),
    Code("YEAR_FOLDER_MISMATCH", WARNING, "年度与文件夹不符",
         "报告所写的年度与它所在的年度文件夹（如 reports/2022/）不同；本站按报告所写的年度计。"),
)
CODE_INDEX = {c.code: c for c in CODES}


def finding(code: str, message: str, where: str, *, line: int | None = None,
            severity: str | None = None) -> dict[str, Any]:
    """A finding as the JSON contract has it; ``severity`` overrides the code's usual one."""
    if code not in CODE_INDEX:
        raise KeyError(f"undocumented finding code {code}")
    out: dict[str, Any] = {
        "code": code,
        "severity": severity or CODE_INDEX[code].severity,
        "message": message,
        "where": where,
    }
    if line is not None:
        out["line"] = line
    return out


def sort_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors first, then by place in the file: stable output for byte-identical builds."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f["severity"]], f.get("line") or 0, f["where"], f["code"]))
