"""The statutory calendar page: which years are covered, and entering a year's holidays
and make-up working days when the calendar package has not caught up yet."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhibu.core import workdays
from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.forms import date_field
from zhibu.core.models import AuditEvent, CalendarDay

DAY_TAKEN = gettext_lazy("%(day)s 已录入，请先删除原记录。")


class CalendarDayForm(forms.Form):
    day = date_field(gettext_lazy("日期"))
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("安排"),
        choices=[("0", gettext_lazy("放假")), ("1", gettext_lazy("调休上班"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=50, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if CalendarDay.objects.filter(day=day).exists():
            raise forms.ValidationError(DAY_TAKEN % {"day": day})
        return day


@requires("calendar.manage")
def calendar(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = CalendarDay.objects.create(entered_by=request.user, **form.cleaned_data)
        audit_record(
            kind=AuditEvent.Kind.CONFIG_CHANGED,
            summary=f"录入法定日历 {entry}",
            request=request,
            obj=entry,
        )
        messages.success(request, _("已录入。"))
        return redirect("core:calendar")
    years = [
        (y, workdays.coverage(y), workdays.COVERAGE_LABELS[workdays.coverage(y)])
        for y in range(this_year - 1, this_year + 3)
    ]
    entries = CalendarDay.objects.filter(day__year__gte=this_year - 1).select_related("entered_by")
    context = {
        "years": years,
        "entries": entries,
        "form": form,
        "page_title": _("法定节假日"),
        "breadcrumbs": [(_("法定节假日"), None)],
    }
    return render(request, "core/calendar.html", context)


@requires("calendar.manage")
@require_POST
def calendar_delete(request: HttpRequest, day: str) -> HttpResponse:
    entry = CalendarDay.objects.filter(day=day).first()
    if entry is None:
        raise Http404
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED, summary=f"删除法定日历 {entry}", request=request
    )
    entry.delete()
    messages.success(request, _("已删除。"))
    return redirect("core:calendar")
