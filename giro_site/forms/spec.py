"""The two national forms as data: canonical keys, the labels that identify them, order.

Everything else in ``forms`` is generic and reads its knowledge from here, so a change in
the national form is a change in this file. Phrases are compared on ``labels.core``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

FORMS = ("2019", "2021")


@dataclass(frozen=True, eq=False)  # one object per row or column of the form: hashed by identity
class RowSpec:
    """One canonical row: its key, the phrases that name it, and (if the phrase alone is
    ambiguous) a phrase that one of its parent labels must match."""

    key: str
    phrases: tuple[str, ...]
    parent: tuple[str, ...] = ()
    exact: bool = False
    label: str = ""


@dataclass(frozen=True, eq=False)
class ColumnSpec:
    key: str
    phrases: tuple[str, ...]
    label: str = ""
    money: bool = False


@dataclass(frozen=True, eq=False)
class ColumnGroup:
    """A header cell spanning several columns (``法人或其他组织``, ``行政复议``)."""

    key: str
    phrases: tuple[str, ...]
    children: tuple[ColumnSpec | ColumnGroup, ...] = field(default_factory=tuple)

    def leaves(self) -> list[tuple[tuple[str, ...], ColumnSpec]]:
        """(group path, column) for each leaf, in the form's order."""
        return list(self._leaves)

    @cached_property
    def _leaves(self) -> tuple[tuple[tuple[str, ...], ColumnSpec], ...]:
        """Walked once: every table of every report asks (a cached_property writes the instance's
        dict directly, which a frozen dataclass allows)."""
        out: list[tuple[tuple[str, ...], ColumnSpec]] = []
        for child in self.children:
            if isinstance(child, ColumnGroup):
                out.extend(((self.key, *path), leaf) for path, leaf in child.leaves())
            else:
                out.append(((self.key,), child))
        return tuple(out)


# --- Table 二: proactive disclosure ---------------------------------------------------

PROACTIVE_COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "2019": (
        ColumnSpec("new_made", ("本年新制作数量", "本年制作数量"), "本年新制作数量"),
        ColumnSpec("new_published", ("本年新公开数量", "本年公开数量"), "本年新公开数量"),
        ColumnSpec("total_published", ("对外公开总数量", "公开总数量"), "对外公开总数量"),
        ColumnSpec("previous", ("上一年项目数量", "上年项目数量"), "上一年项目数量"),
        ColumnSpec("change", ("本年增/减", "本年增减", "增/减", "增减"), "本年增/减", ),
        ColumnSpec("decisions", ("处理决定数量", "本年处理决定数量"), "处理决定数量"),
        ColumnSpec("projects", ("采购项目数量",), "采购项目数量"),
        ColumnSpec("amount_wan_yuan", ("采购总金额", "采购金额"), "采购总金额（万元）", money=True),
    ),
    "2021": (
        ColumnSpec("issued", ("本年制发件数", "本年制发数量"), "本年制发件数"),
        ColumnSpec("repealed", ("本年废止件数", "本年废止数量"), "本年废止件数"),
        ColumnSpec("in_force", ("现行有效件数", "现行有效数量"), "现行有效件数"),
        ColumnSpec("decisions", ("本年处理决定数量", "处理决定数量"), "本年处理决定数量"),
        ColumnSpec("amount_wan_yuan", ("本年收费金额", "收费金额"), "本年收费金额（万元）", money=True),
    ),
}

PROACTIVE_ROWS: dict[str, tuple[tuple[RowSpec, tuple[str, ...]], ...]] = {
    "2019": (
        (RowSpec("regulations", ("规章",), exact=True, label="规章"), ("new_made", "new_published", "total_published")),
        (RowSpec("normative_documents", ("规范性文件", "行政规范性文件"), exact=True, label="规范性文件"),
         ("new_made", "new_published", "total_published")),
        (RowSpec("licensing", ("行政许可",), exact=True, label="行政许可"), ("previous", "change", "decisions")),
        (RowSpec("other_services", ("其他对外管理服务事项",), label="其他对外管理服务事项"),
         ("previous", "change", "decisions")),
        (RowSpec("penalty", ("行政处罚",), exact=True, label="行政处罚"), ("previous", "change", "decisions")),
        (RowSpec("coercion", ("行政强制",), exact=True, label="行政强制"), ("previous", "change", "decisions")),
        (RowSpec("fees", ("行政事业性收费",), label="行政事业性收费"), ("previous", "change")),
        (RowSpec("procurement", ("政府集中采购",), label="政府集中采购"), ("projects", "amount_wan_yuan")),
    ),
    "2021": (
        (RowSpec("regulations", ("规章",), exact=True, label="规章"), ("issued", "repealed", "in_force")),
        (RowSpec("normative_documents", ("行政规范性文件", "规范性文件"), exact=True, label="行政规范性文件"),
         ("issued", "repealed", "in_force")),
        (RowSpec("licensing", ("行政许可",), exact=True, label="行政许可"), ("decisions",)),
        (RowSpec("penalty", ("行政处罚",), exact=True, label="行政处罚"), ("decisions",)),
        (RowSpec("coercion", ("行政强制",), exact=True, label="行政强制"), ("decisions",)),
        (RowSpec("fees", ("行政事业性收费",), label="行政事业性收费"), ("amount_wan_yuan",)),
    ),
}

# Header words that tell the forms apart (annual-report-forms.md: recognise by headers).
FORM_MARKERS: dict[str, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额"),
}
APPLICATION_2021_MARKERS = ("逾期不补正", "收费通知", "缴纳费用")

# --- Table 三: applications -----------------------------------------------------------

APPLICANT_COLUMNS = ColumnGroup(
    "applicants",
    ("申请人情况",),
    (
        ColumnSpec("natural_person", ("自然人",), "自然人"),
        ColumnGroup(
            "organisations",
            ("法人或其他组织",),
            (
                ColumnSpec("commercial", ("商业企业",), "商业企业"),
                ColumnSpec("research", ("科研机构",), "科研机构"),
                ColumnSpec("social_org", ("社会公益组织",), "社会公益组织"),
                ColumnSpec("legal_service", ("法律服务机构",), "法律服务机构"),
                ColumnSpec("other_org", ("其他",), "其他"),
            ),
        ),
        ColumnSpec("total", ("总计", "合计"), "总计"),
    ),
)

_DENIED = ("不予公开",)
_UNABLE = ("无法提供",)
_NOT_PROCESSED = ("不予处理",)
_OTHER = ("其他处理",)

APPLICATION_ROWS: tuple[RowSpec, ...] = (
    RowSpec("new_received", ("本年新收政府信息公开申请数量", "本年新收"), label="一、本年新收政府信息公开申请数量"),
    RowSpec("carried_over", ("上年结转政府信息公开申请数量", "上年结转"), label="二、上年结转政府信息公开申请数量"),
    RowSpec("granted", ("予以公开",), exact=True, label="（一）予以公开"),
    RowSpec("partially_granted", ("部分公开",), exact=True, label="（二）部分公开"),
    RowSpec("denied_state_secret", ("属于国家秘密", "国家秘密"), label="1.属于国家秘密"),
    RowSpec("denied_prohibited", ("其他法律行政法规禁止公开", "法律行政法规禁止公开"),
            label="2.其他法律行政法规禁止公开"),
    RowSpec("denied_security", ("危及三安全一稳定", "三安全一稳定"), label="3.危及“三安全一稳定”"),
    RowSpec("denied_third_party", ("保护第三方合法权益", "第三方合法权益"), label="4.保护第三方合法权益"),
    RowSpec("denied_internal", ("属于三类内部事务信息", "三类内部事务信息", "内部事务信息"),
            label="5.属于三类内部事务信息"),
    RowSpec("denied_process", ("属于四类过程性信息", "四类过程性信息", "过程性信息"), label="6.属于四类过程性信息"),
    RowSpec("denied_enforcement_file", ("属于行政执法案卷", "行政执法案卷"), label="7.属于行政执法案卷"),
    RowSpec("denied_inquiry", ("属于行政查询事项", "行政查询事项"), label="8.属于行政查询事项"),
    RowSpec("unable_not_held", ("本机关不掌握相关政府信息", "不掌握相关政府信息"), label="1.本机关不掌握相关政府信息"),
    RowSpec("unable_needs_creation", ("没有现成信息需要另行制作", "需要另行制作"), label="2.没有现成信息需要另行制作"),
    RowSpec("unable_unclear", ("补正后申请内容仍不明确", "申请内容仍不明确"), label="3.补正后申请内容仍不明确"),
    RowSpec("not_processed_petition", ("信访举报投诉类申请", "信访举报投诉"), label="1.信访举报投诉类申请"),
    RowSpec("not_processed_duplicate", ("重复申请",), label="2.重复申请"),
    RowSpec("not_processed_publication", ("要求提供公开出版物", "公开出版物"), label="3.要求提供公开出版物"),
    RowSpec("not_processed_excessive", ("无正当理由大量反复申请", "大量反复申请"), label="4.无正当理由大量反复申请"),
    RowSpec("not_processed_confirmation", ("要求行政机关确认或重新出具已获取信息", "重新出具已获取信息"),
            label="5.要求行政机关确认或重新出具已获取信息"),
    RowSpec("other", ("其他处理",), exact=True, label="（六）其他处理"),
    RowSpec("other_no_correction", ("逾期不补正",), parent=_OTHER,
            label="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    RowSpec("other_unpaid_fee", ("收费通知", "缴纳费用"), parent=_OTHER,
            label="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    RowSpec("other_misc", ("其他",), parent=_OTHER, exact=True, label="3.其他"),
    RowSpec("total_processed", ("总计", "合计"), exact=True, label="（七）总计"),
    RowSpec("carried_forward", ("结转下年度继续办理", "结转下年度"), label="四、结转下年度继续办理"),
)

APPLICATION_RESULT_ROWS = tuple(
    row.key for row in APPLICATION_ROWS if row.key not in {"new_received", "carried_over", "total_processed",
                                                           "carried_forward", "other"}
)
OTHER_SUBROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")

# Group labels in table 三 that are not rows themselves; recognised so they are not "extra".
APPLICATION_GROUPS = (("本年度办理结果",), _DENIED, _UNABLE, _NOT_PROCESSED, _OTHER)

# --- Table 四: review and litigation --------------------------------------------------

_OUTCOMES = (
    ColumnSpec("upheld", ("结果维持",), "结果维持"),
    ColumnSpec("corrected", ("结果纠正",), "结果纠正"),
    ColumnSpec("other", ("其他结果",), "其他结果"),
    ColumnSpec("pending", ("尚未审结",), "尚未审结"),
    ColumnSpec("total", ("总计", "合计"), "总计"),
)

REVIEW_COLUMNS = ColumnGroup(
    "all",
    (),
    (
        ColumnGroup("review", ("行政复议",), _OUTCOMES),
        ColumnGroup(
            "litigation",
            ("行政诉讼",),
            (
                ColumnGroup("litigation_direct", ("未经复议直接起诉", "直接起诉"), _OUTCOMES),
                ColumnGroup("litigation_after_review", ("复议后起诉",), _OUTCOMES),
            ),
        ),
    ),
)
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_OUTCOMES = tuple(c.key for c in _OUTCOMES)

APPLICANT_KEYS = tuple(leaf.key for _, leaf in APPLICANT_COLUMNS.leaves())


def proactive_layout(form: str) -> dict[str, tuple[str, ...]]:
    """Row key → its column keys, in the form's order."""
    return {row.key: columns for row, columns in PROACTIVE_ROWS[form]}
