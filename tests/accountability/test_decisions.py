"""问责 decisions: recorded from the 纪检 view (closing their signals), edited with their
version, printed and exported (audited); bad input refused with nothing written; the
strict scope (only discipline.view holders in the subtree; 404 for everybody else)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.accountability.conftest import TODAY, TZ
from tests.factories import UserFactory, grant
from tests.pdfs import pdf_text
from zhibu.accountability import builtin, selectors, services
from zhibu.accountability.models import Decision, DecisionAttachment, DecisionSignal
from zhibu.accounts.models import Role
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% decision\n"


def ref_of(signal) -> str:
    return selectors.signal_ref(signal)


def branch1_signals(cast, user):
    return [
        row.signal
        for row in selectors.signals_for(user, TODAY, org=cast.branch1)
        if row.closed_by is None
    ]


def post_data(cast, refs, **extra):
    data = {
        "signals": refs,
        "kind": Decision.Kind.NOTICE,
        "decided_on": "2026-03-09",
        "deciding_org": str(cast.committee.public_id),
        "person": str(cast.secretary_member.public_id),
        "reason": "连续四个月未按期召开支委会，整改再次逾期",
        "document_no": "集团纪〔2026〕3 号",
        "discipline_ref": "",
    }
    data.update(extra)
    return data


def record(cast, inspector, **extra) -> Decision:
    signals = branch1_signals(cast, inspector)
    kwargs = {
        "org": cast.branch1,
        "kind": Decision.Kind.NOTICE,
        "decided_on": date(2026, 3, 9),
        "deciding_org": cast.committee,
        "reason": "通报批评",
        "signals": signals,
        "by": inspector,
        "today": TODAY,
    }
    kwargs.update(extra)
    return services.decision_create(**kwargs)


# --- the 纪检 view ---------------------------------------------------------------------


def test_the_inspector_sees_signals_grouped_by_org_with_evidence(cast, world, inspector, login):
    response = login(inspector).get(reverse("accountability:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-org="{cast.branch1.public_id}"' in html
    assert f'data-org="{cast.branch2.public_id}"' in html
    assert f'data-org="{cast.other_branch.public_id}"' not in html
    assert reverse("duties:supervision", args=[world.supervision.public_id]) in html
    assert reverse("duties:detail", args=[world.twice.public_id]) in html
    assert "MTG-02" in html
    assert "待处理 3 条，已关闭 0 条" in html


def test_filter_by_kind_and_org(cast, world, inspector, login):
    client = login(inspector)
    html = client.get(
        reverse("accountability:index"), {"kind": builtin.SUPERVISION_UNANSWERED}
    ).content.decode()
    assert "第二党支部" in html and "MTG-02" not in html
    html = client.get(
        reverse("accountability:index"), {"org": str(cast.branch1.public_id)}
    ).content.decode()
    assert "MTG-02" in html and "报送年度工作总结" not in html
    assert (
        client.get(
            reverse("accountability:index"), {"org": str(cast.other_branch.public_id)}
        ).status_code
        == 404
    )
    assert client.get(reverse("accountability:index"), {"org": "nonsense"}).status_code == 404


def test_record_a_decision_from_the_view_closes_its_signals(
    cast, world, inspector, login, private_media
):
    client = login(inspector)
    signals = branch1_signals(cast, inspector)
    refs = [ref_of(s) for s in signals]
    url = reverse("accountability:decision_new", args=[cast.branch1.public_id])
    page = client.get(url, {"signal": refs[0]})
    assert page.status_code == 200 and refs[0] in page.content.decode()
    response = client.post(
        url,
        {**post_data(cast, refs), "attachments": [SimpleUploadedFile("决定.pdf", PDF)]},
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accountability:decision", args=[decision.public_id])
    assert decision.person == cast.secretary_member and decision.created_by == inspector
    assert set(decision.signals.values_list("kind", flat=True)) == {
        builtin.RULE_REPEATED,
        builtin.RECTIFICATION_TWICE,
    }
    snapshot = decision.signals.get(kind=builtin.RECTIFICATION_TWICE)
    assert snapshot.evidence_url == reverse("duties:detail", args=[world.twice.public_id])
    assert DecisionAttachment.objects.get().original_name == "决定.pdf"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNTABILITY)
    assert event.object_id == str(decision.public_id) and len(event.details["signals"]) == 2

    html = client.get(reverse("accountability:index")).content.decode()
    assert "待处理 1 条，已关闭 2 条" in html and "已关闭：通报（2026-03-09）" in html
    open_only = client.get(reverse("accountability:index"), {"state": "open"}).content.decode()
    assert "MTG-02" not in open_only and "报送年度工作总结" in open_only

    detail = client.get(reverse("accountability:decision", args=[decision.public_id]))
    assert "集团纪〔2026〕3 号" in detail.content.decode()
    attachment = decision.attachments.get()
    download = client.get(reverse("accountability:attachment", args=[attachment.public_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_bad_input_is_refused_with_nothing_written(cast, world, inspector, login):
    client = login(inspector)
    url = reverse("accountability:decision_new", args=[cast.branch1.public_id])
    refs = [ref_of(s) for s in branch1_signals(cast, inspector)]
    cases = [
        (post_data(cast, []), "请至少选择一条问责线索"),
        (post_data(cast, refs, reason="  "), "请填写问责事由"),
        (
            post_data(cast, refs, decided_on=str(TODAY + timedelta(days=1))),
            "决定日期不能晚于今天",
        ),
        (
            post_data(cast, [f"{builtin.SUPERVISION_UNANSWERED}:{world.supervision.public_id}"]),
            "所选线索不存在",  # 第二党支部's signal is not 第一党支部's
        ),
        (post_data(cast, ["rule_repeated:nonsense"]), "所选线索不存在"),
        (
            post_data(cast, refs, person=str(cast.branch2_member.public_id)),
            "选择一个有效的选项",
        ),
        (
            post_data(cast, refs, discipline_ref="DISC-1"),
            "只有纪律处分类的问责决定才能关联纪律处分记录",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200, message
        assert message in response.content.decode(), message
    assert not Decision.objects.exists() and not DecisionSignal.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNTABILITY).exists()


def test_a_bad_file_refuses_the_whole_decision(cast, world, inspector, login, private_media):
    url = reverse("accountability:decision_new", args=[cast.branch1.public_id])
    refs = [ref_of(s) for s in branch1_signals(cast, inspector)]
    response = login(inspector).post(
        url, {**post_data(cast, refs), "attachments": [SimpleUploadedFile("x.pdf", b"<html>")]}
    )
    assert response.status_code == 200 and "文件内容与扩展名不符" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_service_refuses_signals_outside_the_org_and_closed_ones(cast, world, inspector):
    supervision = next(
        row.signal
        for row in selectors.signals_for(inspector, TODAY)
        if row.signal.kind == builtin.SUPERVISION_UNANSWERED
    )
    with pytest.raises(ValidationError, match="不属于被问责组织"):
        record(cast, inspector, signals=[supervision])
    record(cast, inspector)
    with pytest.raises(ValidationError, match="已由另一问责决定处理"):
        record(cast, inspector, signals=_closed(cast, inspector))
    with pytest.raises(ValidationError, match="决定机关"):
        record(cast, inspector, deciding_org=cast.branch1, signals=[supervision], org=cast.branch2)
    assert Decision.objects.count() == 1


def _closed(cast, inspector):
    return [
        row.signal
        for row in selectors.signals_for(inspector, TODAY, org=cast.branch1)
        if row.closed_by is not None
    ]


def test_resolve_refuses_signals_outside_the_users_scope(cast, world, branch_inspector):
    outside = f"{builtin.SUPERVISION_UNANSWERED}:{world.supervision.public_id}"
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        selectors.resolve_signals(branch_inspector, [outside], TODAY)


def test_edit_checks_the_version(cast, world, inspector, login, time_machine):
    decision = record(cast, inspector)
    time_machine.move_to(datetime(2026, 3, 10, 11, tzinfo=TZ), tick=False)  # a later save
    client = login(inspector)
    url = reverse("accountability:decision_edit", args=[decision.public_id])
    form = client.get(url).context["form"]
    version = form.initial["version"]
    data = {
        **post_data(cast, []),
        "kind": Decision.Kind.ADMONISH,
        "version": version,
    }
    data.pop("signals")
    assert client.post(url, data).status_code == 302
    decision.refresh_from_db()
    assert decision.kind == Decision.Kind.ADMONISH
    stale = client.post(url, {**data, "kind": Decision.Kind.CHECK})  # the old version again
    assert stale.status_code == 200 and "您打开此页后" in stale.content.decode()
    decision.refresh_from_db()
    assert decision.kind == Decision.Kind.ADMONISH
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNTABILITY).count() == 2


def test_export_and_print_are_audited(cast, world, inspector, login):
    decision = record(cast, inspector, document_no="集团纪〔2026〕3 号")
    client = login(inspector)
    response = client.get(reverse("accountability:decision_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "决定日期" and rows[1][1] == "第一党支部" and rows[1][3] == "通报"
    assert "MTG-02" in rows[1][7]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 1
    pdf = client.get(reverse("accountability:decision_pdf", args=[decision.public_id]))
    assert pdf["Content-Type"] == "application/pdf"
    _reader, text = pdf_text(pdf.content)
    assert "问责决定登记表" in text and "第一党支部" in text
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 2


# --- the strict scope ------------------------------------------------------------------


def _urls(cast, decision):
    return [
        reverse("accountability:index"),
        reverse("accountability:decisions"),
        reverse("accountability:decision_export"),
        reverse("accountability:decision", args=[decision.public_id]),
        reverse("accountability:decision_edit", args=[decision.public_id]),
        reverse("accountability:decision_pdf", args=[decision.public_id]),
        reverse("accountability:decision_new", args=[cast.branch1.public_id]),
    ]


@pytest.mark.parametrize(
    "who", ["party_secretary", "branch_secretary", "ordinary", "outsider", "admin", "staff"]
)
def test_everyone_without_discipline_view_gets_404(cast, world, inspector, login, who):
    decision = record(cast, inspector)
    if who == "admin":
        user = UserFactory(username="xitong")
        grant(user, Role.SYSTEM_ADMIN, None)
    elif who == "staff":
        user = UserFactory(username="zuzhibu")
        grant(user, Role.STAFF, cast.committee)
    else:
        user = getattr(cast, who)
    client = login(user)
    for url in _urls(cast, decision):
        assert client.get(url).status_code == 404, (who, url)


def test_another_committees_inspector_sees_nothing_of_ours(
    cast, world, inspector, other_inspector, login
):
    decision = record(cast, inspector)
    client = login(other_inspector)
    html = client.get(reverse("accountability:index")).content.decode()
    assert f'data-org="{cast.other_branch.public_id}"' in html
    assert f'data-org="{cast.branch1.public_id}"' not in html
    assert (
        str(decision.public_id)
        not in client.get(reverse("accountability:decisions")).content.decode()
    )
    for url in _urls(cast, decision)[3:]:
        assert client.get(url).status_code == 404, url


def test_a_branch_inspector_reads_its_branch_but_may_not_decide(
    cast, world, inspector, branch_inspector, login
):
    decision = record(cast, inspector)
    client = login(branch_inspector)
    html = client.get(reverse("accountability:index")).content.decode()
    assert f'data-org="{cast.branch1.public_id}"' in html
    assert f'data-org="{cast.branch2.public_id}"' not in html
    assert "/decide/" not in html  # no 作出问责决定 button without discipline.manage
    assert (
        client.get(reverse("accountability:decision", args=[decision.public_id])).status_code == 200
    )
    new = reverse("accountability:decision_new", args=[cast.branch1.public_id])
    assert client.get(new).status_code == 403
    edit = reverse("accountability:decision_edit", args=[decision.public_id])
    assert client.get(edit).status_code == 403
    assert (
        client.get(
            reverse("accountability:decision_new", args=[cast.branch2.public_id])
        ).status_code
        == 404
    )


def test_the_pages_have_unique_ids_and_labelled_controls(cast, world, inspector, login):
    import re
    from collections import Counter

    from tests.test_accessibility import CONTROL, ID, LABEL_FOR

    decision = record(cast, inspector)
    client = login(inspector)
    for url in _urls(cast, decision):
        if url.endswith(("/export/", "/pdf/")):
            continue
        html = client.get(url).content.decode()
        assert [i for i, n in Counter(ID.findall(html)).items() if n > 1] == [], url
        labelled = set(LABEL_FOR.findall(html))
        for tag, attrs in CONTROL.findall(html):
            if re.search(r'type="(hidden|submit|button)"', attrs):
                continue
            control_id = re.search(r'\sid="([^"]+)"', attrs)
            assert (control_id and control_id.group(1) in labelled) or "aria-label" in attrs, (
                url,
                tag,
                attrs[:120],
            )


# --- a 纪律处分 decision names its discipline record ------------------------------------


def _sanction_record(cast, member, org=None):
    from zhibu.discipline.models import DisciplineRecord
    from zhibu.discipline.services import record_save

    return record_save(
        member=member,
        deciding_org=org or cast.committee,
        kind=DisciplineRecord.Kind.WARNING,
        decided_on=date(2026, 3, 1),
        facts="连续整改逾期，负有直接责任。",
        document_no="集团纪〔2026〕7 号",
        today=TODAY,
    )


def test_a_sanction_decision_links_its_discipline_record_within_scope(
    cast, world, inspector, branch_inspector
):
    disc = _sanction_record(cast, cast.secretary_member)
    sanction = {"kind": Decision.Kind.SANCTION, "person": cast.secretary_member}
    decision = record(cast, inspector, discipline_ref="集团纪〔2026〕7 号", **sanction)
    assert decision.discipline_record == disc
    # Found by id as well; an unknown 文号 or another person's record is refused.
    resolve = services._discipline_record
    assert resolve(inspector, str(disc.public_id), cast.secretary_member) == disc
    for ref in ("集团纪〔2026〕99 号", "not-a-uuid"):
        with pytest.raises(ValidationError, match="未找到决定文号"):
            resolve(inspector, ref, cast.secretary_member)
    with pytest.raises(ValidationError, match="不是本决定的责任人"):
        resolve(inspector, "集团纪〔2026〕7 号", cast.ordinary_member)


def test_a_record_outside_the_recorders_discipline_scope_is_not_found(
    cast, world, branch_inspector
):
    # A record of 第二党支部 is invisible to 第一党支部's 纪检委员: same answer as unknown.
    _sanction_record(cast, cast.branch2_member)
    with pytest.raises(ValidationError, match="未找到决定文号"):
        services._discipline_record(branch_inspector, "集团纪〔2026〕7 号", None)


def test_the_decision_list_pages_instead_of_cutting_off(cast, world, inspector, login):
    Decision.objects.bulk_create(
        Decision(
            org=cast.branch1,
            kind=Decision.Kind.CHECK,
            decided_on=date(2026, 1, 1) + timedelta(days=n),
            deciding_org=cast.committee,
            reason=f"第 {n} 件",
            document_no=f"集团纪〔2026〕{n} 号",
        )
        for n in range(55)
    )
    client = login(inspector)
    first = client.get(reverse("accountability:decisions"), {"kind": "check"}).content.decode()
    second = client.get(
        reverse("accountability:decisions"), {"kind": "check", "page": 2}
    ).content.decode()
    assert "集团纪〔2026〕54 号" in first and "集团纪〔2026〕0 号" not in first
    assert "集团纪〔2026〕0 号" in second and "集团纪〔2026〕54 号" not in second
    assert "page=2" in first and "kind=check" in first
