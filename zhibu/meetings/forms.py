"""Forms of the organisational-life pages. They validate shape; the services the rules.

People are chosen by public id from lists the view builds (the roster on the meeting
date, the leaders of the committees above): a posted id outside the list is refused by
the form or, for attendance, by the service with a Chinese message.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.meetings.models import Attachment, Correction, Decision, MeetingKind
from zhibu.meetings.services.kinds import ALLOWED_KINDS
from zhibu.meetings.services.recording import GuestIn, MeetingInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def people_choices(members, *, blank: bool = True) -> list[tuple[str, str]]:
    choices = [("", "—")] if blank else []
    return choices + [(str(m.public_id), m.name) for m in members]


def kind_choices(org) -> list[tuple[str, str]]:
    allowed = ALLOWED_KINDS[org.level]
    return [(k.value, k.label) for k in MeetingKind if k in allowed]


def split_tags(text: str) -> list[str]:
    for sep in ("、", "，", ";", "；"):
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


class MeetingPlanForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    version = VersionField()  # of the meeting being edited (empty for a new one)
    on = date_field(_("会议日期"))
    starts_at = forms.TimeField(label=_("开始时间"), required=False, widget=TimeInput())
    ends_at = forms.TimeField(label=_("结束时间"), required=False, widget=TimeInput())
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("会议类型"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("一次会议可同时计为多种类型"),
    )
    topics = forms.CharField(
        label=_("议题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个议题"),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kind_choices(org)


class MeetingRecordForm(MeetingPlanForm):
    """The one-page record: details here, attendance as ``att-<id>``/``why-<id>`` fields."""

    host = forms.ChoiceField(label=_("主持人"), required=False)
    recorder = forms.ChoiceField(label=_("记录人"), required=False)
    lecturer = forms.ChoiceField(label=_("党课主讲人"), required=False)
    study_hours = forms.DecimalField(
        label=_("学时"),
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        decimal_places=1,
        initial=Decimal("0"),
        help_text=_("计入每名出席党员"),
    )
    tags = forms.CharField(
        label=_("标签"),
        max_length=200,
        required=False,
        help_text=_("如：重温入党誓词、集中学习（用顿号或逗号分隔）"),
    )
    covers_year = forms.IntegerField(
        label=_("所属年度"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("组织生活会、民主评议所评年度；留空自动判断"),
    )
    leaders = forms.MultipleChoiceField(
        label=_("上级领导、双重组织生活领导干部列席"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_guests = forms.CharField(
        label=_("其他列席人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一人：姓名 说明"),
    )
    minutes = forms.CharField(
        label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decisions_text = forms.CharField(
        label=_("决定事项"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    complete = forms.BooleanField(
        label=_("会议记录已完善"),
        required=False,
        initial=True,
        help_text=_("不勾选则保存为“已召开（待完善记录）”"),
    )
    reason = forms.CharField(
        label=_("修改理由"), max_length=200, required=False, help_text=_("记录锁定后修改须填写")
    )

    def __init__(self, *args, org, people, leaders, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].choices = people_choices(people)
        self.fields["leaders"].choices = [(str(m.public_id), m.name) for m in leaders]
        if not leaders:
            del self.fields["leaders"]
        self.people = people

    def meeting_input(self, *, org, attendance, guests: list[GuestIn]) -> MeetingInput:
        """The valid form as the record service takes it (people by public id → members)."""
        cd = self.cleaned_data
        people = {str(m.public_id): m for m in self.people}
        return MeetingInput.build(
            cd,
            org=org,
            kinds=cd["kinds"],
            attendance=attendance,
            topics=cd["topics"],
            host=people.get(cd["host"]),
            recorder=people.get(cd["recorder"]),
            lecturer=people.get(cd["lecturer"]),
            tags=split_tags(cd["tags"]),
            guests=guests,
        )


class NoticeForm(forms.Form):
    notice = forms.CharField(label=_("通知内容"), widget=forms.Textarea(attrs={"rows": 5}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class DecisionForm(forms.Form):
    PASSED = [("", _("按票数自动判定")), ("yes", _("通过")), ("no", _("未通过"))]

    title = forms.CharField(label=_("表决事项"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=Decision.Kind.choices)
    candidate = forms.CharField(
        label=_("表决对象"),
        max_length=50,
        required=False,
        help_text=_("多名对象请逐一登记（VOTE-04）"),
    )
    yes = forms.IntegerField(label=_("赞成"), min_value=0)
    no = forms.IntegerField(label=_("反对"), min_value=0, initial=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0, initial=0)
    written_yes = forms.IntegerField(
        label=_("书面赞成"),
        min_value=0,
        initial=0,
        help_text=_("因故不能到会的有表决权党员会前书面表达的意见"),
    )
    written_no = forms.IntegerField(label=_("书面反对"), min_value=0, initial=0)
    written_abstain = forms.IntegerField(label=_("书面弃权"), min_value=0, initial=0)
    passed = forms.ChoiceField(label=_("表决结果"), choices=PASSED, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("修改理由"), max_length=200, required=False, help_text=_("记录锁定后登记须填写")
    )

    def claimed(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("passed") or "")


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("JPG、PNG 或 PDF，最大 10 MB"))


class LifePrepForm(forms.Form):
    study_done = forms.BooleanField(label=_("已开展会前学习"), required=False)
    study_note = forms.CharField(label=_("学习内容"), max_length=300, required=False)
    talks_done = forms.BooleanField(label=_("已开展谈心谈话"), required=False)
    talks_note = forms.CharField(label=_("谈心谈话情况"), max_length=300, required=False)
    opinions_collected = forms.BooleanField(label=_("已征求意见"), required=False)
    opinions_count = forms.IntegerField(label=_("征求意见条数"), min_value=0, initial=0)
    opinions_note = forms.CharField(label=_("征求意见情况"), max_length=300, required=False)
    criticism_notes = forms.CharField(
        label=_("批评和自我批评"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    reason = forms.CharField(
        label=_("修改理由"), max_length=200, required=False, help_text=_("记录锁定后修改须填写")
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("请假事由"), max_length=200)


class TalkForm(forms.Form):
    on = date_field(_("谈话日期"))
    member_a = forms.ChoiceField(label=_("谈话人"))
    member_b = forms.ChoiceField(label=_("谈话对象"))
    topic = forms.CharField(label=_("主题"), max_length=200)
    note = forms.CharField(
        label=_("谈话要点"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_a"].choices = people_choices(people, blank=False)
        self.fields["member_b"].choices = people_choices(partners, blank=False)


class ReviewEntryForm(forms.Form):
    self_assessment = forms.CharField(
        label=_("个人自评"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    peer_review = forms.CharField(
        label=_("党员互评"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    grade = forms.ChoiceField(label=_("评定等次"), required=False)

    def __init__(self, *args, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.grades = list(grades)
        self.fields["grade"].choices = [("", "—")] + [(g, g) for g in grades]
        for i, grade in enumerate(grades):
            self.fields[f"tally_{i}"] = forms.IntegerField(
                label=_("测评票：%(grade)s") % {"grade": grade}, min_value=0, required=False
            )

    def tally(self) -> dict[str, int]:
        return {g: self.cleaned_data.get(f"tally_{i}") or 0 for i, g in enumerate(self.grades)}


class ReviewFinishForm(forms.Form):
    on = date_field(_("评定日期"))


class CorrectionForm(forms.Form):
    ends_on = date_field(_("改正期限"), help_text=_("最长 1 年（MBR-07）"))
    measures = forms.CharField(
        label=_("帮教措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结果"), choices=[c for c in Correction.Outcome.choices if c[0] != "open"]
    )
    on = date_field(_("结束日期"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SettingsForm(forms.Form):
    theme_day = forms.IntegerField(
        label=_("主题党日固定日"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("每月几日；遇节假日顺延至下一个工作日；留空沿用上级设置"),
    )
    committee_day = forms.IntegerField(
        label=_("支委会固定日"), min_value=1, max_value=31, required=False
    )
    group_day = forms.IntegerField(
        label=_("党小组会固定日"), min_value=1, max_value=31, required=False
    )
    lock_days = forms.IntegerField(
        label=_("记录锁定天数"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("默认 7 天；由党委设置"),
    )
    review_grades = forms.CharField(
        label=_("民主评议等次"),
        max_length=100,
        required=False,
        help_text=_("用顿号分隔，最后一个为不合格等次；默认 优秀、合格、基本合格、不合格"),
    )

    def __init__(self, *args, can_configure: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_configure:
            for name in ("lock_days", "review_grades"):
                self.fields[name].disabled = True


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
