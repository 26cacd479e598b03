"""The five stages and 25 steps of developing a member (细则; docs/rules.md, DEV rows).

Each step says which stage it belongs to, whether it may be recorded more than once
(the half-yearly reviews of an activist, the continued observation of a probationer),
which 公示 must be complete before it (DEV-10), and which people it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STAGES = {
    1: _("申请入党"),
    2: _("入党积极分子的确定和培养教育"),
    3: _("发展对象的确定和考察"),
    4: _("预备党员的接收"),
    5: _("预备党员的教育考察和转正"),
}

# 公示 (DEV-10) before key steps: the key names the publicity, the step must come after it ends.
PUBLICITY_LABELS = {
    "activist": _("入党积极分子公示"),
    "target": _("发展对象公示"),
    "admission": _("拟接收预备党员公示"),
    "confirmation": _("拟转正公示"),
}


@dataclass(frozen=True)
class StepDef:
    number: int
    stage: int
    name: str | Promise  # a lazy translation
    repeatable: bool = False
    publicity: str = ""
    people: str = ""  # "talker", "contacts", "introducers"
    decision: str = ""  # "admission" | "confirmation": links the 支部大会 vote

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}"


STEPS: dict[int, StepDef] = {
    s.number: s
    for s in (
        StepDef(1, 1, _("递交入党申请书")),
        StepDef(2, 1, _("党组织派人谈话"), people="talker"),
        StepDef(3, 2, _("推荐和确定入党积极分子"), publicity="activist"),
        StepDef(4, 2, _("报上级党委备案")),
        StepDef(5, 2, _("指定培养联系人"), people="contacts"),
        StepDef(6, 2, _("培养教育考察"), repeatable=True),
        StepDef(7, 3, _("确定发展对象"), publicity="target"),
        StepDef(8, 3, _("报上级党委备案")),
        StepDef(9, 3, _("确定入党介绍人"), people="introducers"),
        StepDef(10, 3, _("进行政治审查")),
        StepDef(11, 3, _("开展集中培训")),
        StepDef(12, 4, _("支部委员会审查")),
        StepDef(13, 4, _("上级党委预审")),
        StepDef(14, 4, _("填写入党志愿书")),
        StepDef(15, 4, _("支部大会讨论"), publicity="admission", decision="admission"),
        StepDef(16, 4, _("上级党委派人谈话"), people="talker"),
        StepDef(17, 4, _("上级党委审批")),
        StepDef(18, 4, _("再上一级党委组织部门备案")),
        StepDef(19, 5, _("编入党支部和党小组")),
        StepDef(20, 5, _("入党宣誓")),
        StepDef(21, 5, _("继续教育考察"), repeatable=True),
        StepDef(22, 5, _("提出转正申请")),
        StepDef(23, 5, _("支部大会讨论转正"), publicity="confirmation", decision="confirmation"),
        StepDef(24, 5, _("上级党委审批转正")),
        StepDef(25, 5, _("材料归档")),
    )
}

LAST = 25
