"""Forms of the 述职评议 and 三诺一评 pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.forms.rectification import FilesField
from zhibu.reviews.models import Grade
from zhibu.reviews.services import BAD_EVALUATION, BAD_GRADE

GRADE_ERRORS = {"invalid_choice": BAD_GRADE, "required": BAD_GRADE}


class ReviewForm(forms.Form):
    organiser = forms.ChoiceField(label=_("组织评议的党组织"))
    org = forms.ChoiceField(label=_("述职的党组织"), help_text=_("直接下级党委、党总支或党支部"))
    year = forms.IntegerField(label=_("述职年度"), min_value=1900, max_value=2999)
    report = forms.CharField(label=_("述职报告"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = FilesField(label=_("述职报告附件"))
    meeting_on = date_field(_("评议会日期"), required=False)
    meeting_place = forms.CharField(label=_("评议会地点"), max_length=200, required=False)
    evaluators = forms.MultipleChoiceField(
        label=_("评议人"),
        help_text=_("组织评议的党组织范围内的在册党员，可多选"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, organisers, subordinates, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [(str(o.public_id), o.name) for o in organisers]
        self.fields["org"].choices = [(str(o.public_id), o.name) for o in subordinates]
        self.fields["evaluators"].choices = [
            (str(m.public_id), f"{m.name}（{m.org.short_name or m.org.name}）") for m in candidates
        ]


class ReviewEditForm(forms.Form):
    report = forms.CharField(label=_("述职报告"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = FilesField(label=_("补充附件"))
    meeting_on = date_field(_("评议会日期"), required=False)
    meeting_place = forms.CharField(label=_("评议会地点"), max_length=200, required=False)
    meeting = forms.ChoiceField(label=_("评议会会议记录"), required=False)
    version = VersionField()

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "—")] + [
            (str(m.public_id), f"{m.on:%Y-%m-%d} {m.title}") for m in meetings
        ]


class GradeForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("评价等次"),
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages=GRADE_ERRORS,
    )
    comment = forms.CharField(
        label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = VersionField()


class RecordGradeForm(forms.Form):
    """The organiser's side records a paper ballot for a listed evaluator."""

    evaluator = forms.ChoiceField(label=_("评议人"))
    grade = forms.ChoiceField(
        label=_("评价等次"), choices=Grade.choices, error_messages=GRADE_ERRORS
    )
    comment = forms.CharField(
        label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].choices = [
            (str(e.public_id), e.member.name) for e in evaluators if not e.grade
        ]


class RemarkForm(forms.Form):
    remarks = forms.CharField(label=_("点评意见"), widget=forms.Textarea(attrs={"rows": 4}))
    on = date_field(_("点评日期"))
    version = VersionField()


class FinishForm(forms.Form):
    on = date_field(_("评定日期"))
    version = VersionField()


class RectificationForm(forms.Form):
    problem = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field(_("整改期限"))


class PromiseForm(forms.Form):
    text = forms.CharField(
        label=_("承诺内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,  # the service says what is missing, in one place
    )
    version = VersionField()


class NoteForm(forms.Form):
    on = date_field(_("日期"))
    text = forms.CharField(
        label=_("践诺情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class EvaluateForm(forms.Form):
    evaluation = forms.ChoiceField(
        label=_("评诺等次"),
        choices=Grade.choices,
        error_messages={"invalid_choice": BAD_EVALUATION, "required": BAD_EVALUATION},
    )
    note = forms.CharField(
        label=_("评诺意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    on = date_field(_("评诺日期"))
    version = VersionField()
