"""The 台账 export (PDF and Excel), audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import pdf_response
from zhibu.meetings import exports, selectors
from zhibu.meetings.views.common import VIEW
from zhibu.orgs.models import Org


def _ledger_org(request, org_id, year: int, what: str) -> Org:
    org = selectors.meeting_org_for_user(request.user, org_id)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出组织生活台账（%(what)s）：%(org)s %(year)s年")
        % {"what": what, "org": org.name, "year": year},
        request=request,
        obj=org,
        org_path=org.path,
        details={"year": year, "format": what},
    )
    return org


@requires(VIEW)
def ledger_pdf(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = _ledger_org(request, org_id, year, "PDF")
    return pdf_response(exports.ledger_pdf(org, year), f"{org.name}{year}年组织生活台账.pdf")


@requires(VIEW)
def ledger_xlsx(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = _ledger_org(request, org_id, year, "Excel")
    return workbook_response(exports.ledger_xlsx(org, year), f"{org.name}{year}年组织生活台账.xlsx")
