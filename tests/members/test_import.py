"""Excel import: template, safe opening, row checks with line numbers, all-or-nothing commit,
idempotent re-import, rollback, background progress, and who may do it."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import make_member
from tests.members.workbooks import HEADERS, person, upload, workbook
from zhibu.core.models import AuditEvent
from zhibu.members import excel, imports
from zhibu.members.models import ImportBatch, Member, MemberSpan
from zhibu.members.services import member_record_event, member_update

pytestmark = pytest.mark.django_db


def post_file(client, content: bytes, name: str = "名册.xlsx"):
    return client.post(reverse("members:import"), {"file": upload(content, name)})


def batch_of(response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(public_id=response["Location"].rstrip("/").split("/")[-1])


def commit(client, batch):
    return client.post(reverse("members:import_action", args=[batch.public_id, "commit"]))


CHUNK_ROWS = imports.CHUNK + 2  # a second chunk, so the first was already written


def rows(n: int, **overrides) -> list[dict]:
    return [person(i, **overrides) for i in range(1, n + 1)]


# --- the template --------------------------------------------------------------------------------


def test_template_has_chinese_headers_a_notes_sheet_and_a_text_id_column(cast, login):
    response = login(cast.branch_secretary).get(reverse("members:import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb[excel.SHEET_TITLE]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["姓名*", "性别", "公民身份号码*"]
    assert ws.column_dimensions["C"].number_format == "@"
    notes = [row[0] for row in wb[excel.NOTES_TITLE].iter_rows(values_only=True)]
    assert "公民身份号码" in notes and "所在党支部" in notes


def test_template_needs_member_import(cast, login, inspector):
    assert login(inspector).get(reverse("members:import_template")).status_code == 403


# --- checking and committing ------------------------------------------------------------------------


def test_one_bad_row_among_many_writes_nothing_and_names_the_row(cast, login):
    data = rows(40)
    data[16]["id_number"] = data[16]["id_number"][:-1] + (
        "0" if data[16]["id_number"][-1] != "0" else "1"
    )
    before = Member.objects.count()
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.error_count == 1 and batch.total_rows == 40
    assert batch.errors == [
        {
            "row": 18,
            "column": "公民身份号码",
            "message": "公民身份号码校验位不正确，请核对是否录入有误。",
        }
    ]
    page = client.get(reverse("members:import_batch", args=[batch.public_id])).content.decode()
    assert "第 18 行" in page and "校验位不正确" in page
    assert "确认导入" not in page
    assert commit(client, batch).status_code == 302
    assert Member.objects.count() == before


def test_the_fixed_workbook_imports_and_reimporting_adds_nothing(cast, login):
    client = login(cast.branch_secretary)
    content = workbook(rows(40))
    batch = batch_of(post_file(client, content))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and batch.valid_rows == 40
    page = client.get(reverse("members:import_batch", args=[batch.public_id])).content.decode()
    assert "确认导入" in page
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 40
    imported = Member.objects.filter(import_batch=batch)
    assert imported.count() == 40
    first = imported.get(name="导入00001")
    assert first.org == cast.branch1 and first.status == Member.Status.FULL and first.gender == "M"
    assert first.name_pinyin == "daoru00001"
    assert list(first.events.values_list("kind", flat=True)) == ["admitted", "confirmed"]
    assert MemberSpan.objects.filter(member__import_batch=batch, end__isnull=True).count() == 40
    assert first.history.count() == 1
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.details["created"] == 40 and event.actor == cast.branch_secretary
    # The same file again is refused; the same people in another file are all skipped.
    response = post_file(client, content)
    assert response.status_code == 200 and "重复上传不会重复导入" in response.content.decode()
    again = batch_of(post_file(client, workbook(rows(40)[::-1])))
    again.refresh_from_db()
    assert again.status == ImportBatch.Status.DISCARDED and again.skipped_count == 40
    assert Member.objects.filter(name__startswith="导入").count() == 40


def test_the_uploaded_file_is_deleted_once_imported(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(3))))
    assert list(Path(private_media, "imports").glob("*.xlsx"))
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.stored == "" and not list(Path(private_media, "imports").glob("*.xlsx"))


@pytest.mark.parametrize(
    ("override", "column", "message"),
    [
        ({"org": "ZB2"}, "所在党支部", "不是您有权导入的党组织"),
        ({"org": "XDZB"}, "所在党支部", "不是您有权导入的党组织"),
        ({"org": "ZZ1"}, "所在党支部", "不是您有权导入的党组织"),
        ({"admitted_on": "2099-13-01"}, "入党日期", "日期格式不正确"),
        ({"category": "干部"}, "人员类别", "不是可选值"),
        ({"gender": "男"}, "性别", "性别与公民身份号码不一致"),
        ({"full_on": "1987-12-01"}, "转正日期", "转正日期早于预备期满之日"),
        ({"phone": "12345"}, "联系电话", "联系电话格式不正确"),
        ({"name": None}, "姓名", "必填"),
        ({"group": "不存在的小组"}, "所在党小组", "不是所填党支部下的党小组"),
        ({"work_unit": "不存在的单位"}, "工作单位", "系统中没有名为"),
    ],
)
def test_each_bad_value_is_named_with_its_row_and_column(cast, login, override, column, message):
    data = rows(3)
    data[1].update(override)
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, column)], batch.errors
    assert message in batch.errors[0]["message"]


def test_a_committee_code_names_the_branch_rule(cast, login):
    data = rows(1, org="ZZ1")
    batch = batch_of(post_file(login(cast.party_secretary), workbook(data)))
    batch.refresh_from_db()
    assert "党员应编入党支部" in batch.errors[0]["message"]


def test_orgs_by_name_and_groups_by_code(cast, login):
    data = rows(2, org="第一党支部")
    data[0]["group"] = "XZ1"
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    commit(client, batch)
    assert Member.objects.get(name="导入00001").group == cast.group1


def test_duplicates_inside_the_file_name_the_first_row(cast, login):
    data = rows(5)
    data[3]["id_number"] = data[0]["id_number"]
    data[3]["birth_date"], data[3]["gender"] = data[0]["birth_date"], data[0]["gender"]
    batch = batch_of(post_file(login(cast.branch_secretary), workbook(data)))
    batch.refresh_from_db()
    assert batch.errors == [
        {
            "row": 5,
            "column": "公民身份号码",
            "message": "与第 2 行是同一人（公民身份号码重复，DQ-04）",
        }
    ]


def test_a_different_person_with_a_registered_id_number_is_an_error(cast, login):
    data = rows(2)
    existing = cast.branch2_member
    data[1].update(
        id_number=existing.id_number,
        birth_date=str(existing.birth_date),
        gender="男",
        name="冒名",
        admitted_on="2012-07-01",
        full_on="2013-07-01",
    )
    batch = batch_of(post_file(login(cast.branch_secretary), workbook(data)))
    batch.refresh_from_db()
    assert batch.errors[0]["row"] == 3
    assert (
        "已在其他党组织登记" in batch.errors[0]["message"]
        and "赵党员" not in batch.errors[0]["message"]
    )


def test_missing_required_columns_are_named(cast, login):
    headers = [h for h in HEADERS if h != "入党日期*"]
    batch = batch_of(post_file(login(cast.branch_secretary), workbook(rows(2), headers=headers)))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and "缺少必填列：入党日期" in batch.message


def test_commit_rechecks_and_writes_nothing_when_the_database_changed(cast, login):
    data = rows(3)
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    make_member(
        cast.branch2,
        "抢先登记",
        id_number=data[2]["id_number"],
        birth_date=date.fromisoformat(data[2]["birth_date"]),
        gender="M",
    )
    before = Member.objects.count()
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and "数据已变化" in batch.message
    assert Member.objects.count() == before


# --- refusing files -------------------------------------------------------------------------------


def test_a_file_that_is_not_xlsx_is_refused(cast, login):
    client = login(cast.branch_secretary)
    for content, name in (
        (b"name,id\n", "名册.csv"),
        (b"name,id\n", "名册.xlsx"),
        (b"\xd0\xcf\x11\xe0" + b"0" * 100, "名册.xls"),
    ):
        response = post_file(client, content, name)
        assert response.status_code == 200
        assert ".xlsx" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_zip_bomb_is_refused_before_parsing(cast, login):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    response = post_file(login(cast.branch_secretary), buffer.getvalue())
    assert "压缩炸弹" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversized_file_is_refused(cast, login, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 1000)
    response = post_file(login(cast.branch_secretary), workbook(rows(30)))
    assert "文件过大" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_numeric_id_cells_and_formula_cells_are_refused(cast, login):
    data = rows(4)

    def odd_cells(ws):
        ws["C3"] = 110101199003071234  # a number: Excel would keep 15 digits
        ws["A4"] = "=B4&C4"  # a formula

    batch = batch_of(post_file(login(cast.branch_secretary), workbook(data, raw=odd_cells)))
    batch.refresh_from_db()
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "公民身份号码"), (4, "姓名")]
    assert "文本格式" in batch.errors[0]["message"] and "公式" in batch.errors[1]["message"]
    assert Member.objects.filter(name__startswith="导入").count() == 0


# --- rollback -----------------------------------------------------------------------------------------


def imported(client, n=5, **overrides):
    batch = batch_of(post_file(client, workbook(rows(n, **overrides))))
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    return batch


def test_rollback_deletes_the_batch_while_untouched(cast, login):
    client = login(cast.branch_secretary)
    batch = imported(client)
    response = client.post(reverse("members:import_action", args=[batch.public_id, "rollback"]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK
    assert not Member.objects.filter(name__startswith="导入").exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, details__rolled_back=5).exists()
    # Rolled back: the same file may be imported again.
    assert batch_of(post_file(client, workbook(rows(5)))).status == ImportBatch.Status.READY


@pytest.mark.parametrize("touch", ["edit", "event"])
def test_rollback_is_refused_once_a_row_was_touched(cast, login, touch):
    client = login(cast.branch_secretary)
    batch = imported(client)
    member = Member.objects.get(name="导入00002")
    if touch == "edit":
        member_update(member=member, address="新地址", by=cast.branch_secretary)
    else:
        member_record_event(
            member=member, kind="suspended", on=date(2025, 1, 1), by=cast.branch_secretary
        )
    response = client.post(
        reverse("members:import_action", args=[batch.public_id, "rollback"]), follow=True
    )
    assert "不能整批撤销" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Member.objects.filter(import_batch=batch).count() == 5


def test_only_the_latest_batch_can_be_rolled_back(cast, login):
    client = login(cast.branch_secretary)
    first = imported(client, 2)
    second = batch_of(post_file(client, workbook([person(10), person(11)])))
    commit(client, second)
    response = client.post(
        reverse("members:import_action", args=[first.public_id, "rollback"]), follow=True
    )
    assert "只能撤销您最近一次导入的批次" in response.content.decode()
    assert Member.objects.filter(import_batch=first).count() == 2


# --- background work and progress ---------------------------------------------------------------------------


def test_large_files_run_as_background_tasks_with_the_same_result(cast, login, settings):
    settings.ZHIBU_IMPORT_INLINE_BYTES = (
        0  # everything goes through django-tasks (immediate in tests)
    )
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(12))))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 12


def test_progress_survives_a_reload_and_the_poll_refreshes_when_done(cast, login):
    client = login(cast.branch_secretary)
    batch = ImportBatch.objects.create(
        file_name="大名册.xlsx",
        sha256="0" * 64,
        size=10,
        uploaded_by=cast.branch_secretary,
        status=ImportBatch.Status.VALIDATING,
    )
    progress = imports.Progress(batch, "check", 1000)
    progress.write(500)
    page = client.get(reverse("members:import_batch", args=[batch.public_id])).content.decode()
    assert "已处理 500 / 1000 行" in page and 'hx-trigger="every 1s"' in page
    poll = client.get(reverse("members:import_progress", args=[batch.public_id]))
    assert "HX-Refresh" not in poll and "500" in poll.content.decode()
    batch.status = ImportBatch.Status.READY
    batch.save()
    assert (
        client.get(reverse("members:import_progress", args=[batch.public_id]))["HX-Refresh"]
        == "true"
    )


# --- access ----------------------------------------------------------------------------------------------


def test_import_needs_member_import(cast, login, inspector):
    response = post_file(login(inspector), workbook(rows(2)))
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_import_requires_login(client, cast):
    response = post_file(client, workbook(rows(2)))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not ImportBatch.objects.exists()


def test_another_users_batch_is_404(cast, login):
    batch = batch_of(post_file(login(cast.branch_secretary), workbook(rows(2))))
    client = login(cast.party_secretary)
    assert client.get(reverse("members:import_batch", args=[batch.public_id])).status_code == 404
    assert commit(client, batch).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


def test_discarding_a_checked_batch(cast, login):
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(2))))
    client.post(reverse("members:import_action", args=[batch.public_id, "discard"]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.stored == ""
    commit(client, batch)
    assert not Member.objects.filter(name__startswith="导入").exists()


# --- interrupted imports and the files they leave (issue 14, item 4) ------------------------------


def interrupted(client, status, *, minutes_ago=60) -> ImportBatch:
    """A checked batch whose next step was killed mid-way ``minutes_ago``."""
    import os
    import time

    batch = batch_of(post_file(client, workbook(rows(3))))
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    batch.refresh_from_db()
    imports.Progress(batch, "commit", 3).write(1)
    then = time.time() - minutes_ago * 60
    os.utime(imports.progress_path(batch), (then, then))
    back = timezone.now() - timedelta(minutes=minutes_ago)
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_at=back, started_at=back)
    batch.refresh_from_db()
    return batch


def test_an_interrupted_commit_goes_back_to_checked_with_the_reason(cast, login):
    client = login(cast.branch_secretary)
    batch = interrupted(client, ImportBatch.Status.COMMITTING)
    call_command("tick")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and batch.stored
    page = client.get(reverse("members:import_batch", args=[batch.public_id])).content.decode()
    assert "导入在进行中被中断" in page and "未写入任何数据" in page
    commit(client, batch)  # and it can be committed again
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 3
    assert batch.stored == ""


def test_an_interrupted_check_fails_and_its_upload_is_deleted(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = interrupted(client, ImportBatch.Status.VALIDATING)
    call_command("imports_recover")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "校验在进行中被中断" in batch.message
    assert batch.stored == "" and not list(Path(private_media, "imports").iterdir())


def test_a_batch_still_making_progress_is_left_alone(cast, login):
    client = login(cast.branch_secretary)
    batch = interrupted(client, ImportBatch.Status.COMMITTING, minutes_ago=0)
    call_command("tick")
    call_command("imports_recover", "--minutes", "5")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING


def test_the_worker_recovers_interrupted_batches_before_it_starts():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nworker:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("imports_recover") < recipe.index("db_worker")


def test_a_recovered_batch_can_be_discarded_and_its_upload_goes(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = interrupted(client, ImportBatch.Status.COMMITTING)
    call_command("imports_recover")
    page = client.get(reverse("members:import_batch", args=[batch.public_id])).content.decode()
    assert reverse("members:import_action", args=[batch.public_id, "discard"]) in page
    client.post(reverse("members:import_action", args=[batch.public_id, "discard"]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not list(Path(private_media, "imports").iterdir())


def test_a_failed_check_deletes_the_upload(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(2, name=None))))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and batch.stored == ""
    assert not list(Path(private_media, "imports").iterdir())


def mode(path) -> int:
    return Path(path).stat().st_mode & 0o777


def test_uploads_and_progress_files_are_private(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(2))))
    stored = Path(private_media, batch.stored)
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700 and mode(private_media) == 0o700
    imports.Progress(batch, "check", 2).write(1)
    assert mode(imports.progress_path(batch)) == 0o600


def test_the_sqlite_database_and_var_are_created_private(tmp_path):
    from zhibu import config

    var = config.private_dir(tmp_path / "var")
    config.database(f"sqlite:///{var}/zhibu.sqlite3", base_dir=tmp_path, production=False)
    assert mode(var) == 0o700 and mode(var / "zhibu.sqlite3") == 0o600
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    (loose / "old.sqlite3").touch(mode=0o644)
    config.private_dir(loose)
    config.database(f"sqlite:///{loose}/old.sqlite3", base_dir=tmp_path, production=False)
    assert mode(loose) == 0o700 and mode(loose / "old.sqlite3") == 0o600


# --- the commit uses the rows kept by the check ------------------------------------------------


def test_the_commit_uses_the_checked_rows_not_the_workbook(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(rows(3))))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    Path(private_media, batch.stored).unlink()  # the workbook is gone: only its check is left
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 3
    member = Member.objects.get(id_index=imports.blind_index(person(2)["id_number"]))
    assert member.id_number == person(2)["id_number"] and member.org == cast.branch1
    assert member.history.count() == 1 and member.history.get().id_number == member.id_number
    assert member.history.get().history_user == cast.branch_secretary
    assert member.events.count() and member.spans.count()
    assert not list(Path(private_media, "imports").iterdir())  # the kept rows went too


def test_kept_rows_of_another_batch_or_altered_cannot_be_committed(cast, login, private_media):
    client = login(cast.branch_secretary)
    first = batch_of(post_file(client, workbook(rows(2))))
    second = batch_of(post_file(client, workbook(rows(3))))
    kept = Path(private_media, imports.Kept.name_for(first))
    kept.write_bytes(Path(private_media, imports.Kept.name_for(second)).read_bytes())
    altered = Path(private_media, imports.Kept.name_for(second))
    altered.write_text(altered.read_text().replace("ZB1", "ZBX", 1))
    for batch in (first, second):
        commit(client, batch)
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.INVALID and "校验结果已失效" in batch.message
    assert not Member.objects.filter(name__startswith="导入").exists()
    assert not list(Path(private_media, "imports").iterdir())


def test_a_row_gone_bad_since_the_check_is_named_and_nothing_is_written(cast, login):
    data = rows(CHUNK_ROWS)
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    late = data[-1]  # registered by someone else, under another name, after the check
    make_member(
        cast.branch2,
        "抢先登记",
        id_number=late["id_number"],
        birth_date=date.fromisoformat(late["birth_date"]),
        gender="M" if int(late["id_number"][16]) % 2 else "F",
    )
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and "数据已变化" in batch.message
    assert [(e["row"], e["column"]) for e in batch.errors] == [(CHUNK_ROWS + 1, "公民身份号码")]
    assert batch.errors[0]["message"]  # the reason, in Chinese, as at the check
    assert not Member.objects.filter(import_batch=batch).exists()


def test_rows_kept_by_an_interrupted_check_are_deleted_by_the_recovery(cast, login, private_media):
    client = login(cast.branch_secretary)
    batch = interrupted(client, ImportBatch.Status.VALIDATING)
    kept = Path(private_media, imports.Kept.name_for(batch))
    kept.rename(kept.with_suffix(".rows-tmp"))  # as a check killed mid-way leaves it
    call_command("imports_recover")
    assert not list(Path(private_media, "imports").iterdir())


# --- the bulk write stores what the services would ----------------------------------------------


def test_imported_rows_are_stored_as_new_member_and_its_events_would_be(cast, login):
    """The commit writes plain tuples, not model instances: each member, event and span
    must hold exactly the values ``new_member``, ``initial_events`` and
    ``spans_from_events`` give for the same checked row."""
    from tests.factories import UnitFactory
    from zhibu.members.models import MemberEvent
    from zhibu.members.services import initial_events, new_member, spans_from_events

    unit = UnitFactory(name="导入测试单位")
    data = rows(6)
    data[0].update(group="XZ1", work_unit=unit.name, phone="139 0000 0001", native_place="山东")
    data[1].update(full_on=None, ethnicity=None, gender=None, birth_date=None)
    data[2].update(phone=None, former_name="曾用", address="某地", degree="学士")
    data[3].update(category="退休", applied_on="1980-01-02", occupation="工人")
    client = login(cast.branch_secretary)
    batch = batch_of(post_file(client, workbook(data)))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY, batch.errors
    kept = {row.index: (row, texts) for row, texts in imports.Kept.read(batch)}
    commit(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 6
    assert len(kept) == 6

    skip = {"id", "public_id", "created_at", "updated_at", "import_batch_id"}
    fields = [f.attname for f in Member._meta.concrete_fields if f.attname not in skip]
    event_fields = ["kind", "on", "org_id", "group_id", "status_after", "document_no", "note"]
    event_fields += ["recorded_by_id"]
    span_fields = ["org_id", "group_id", "status", "start", "end"]
    assert set(imports._EVENT_FIELDS) == {
        f.attname for f in MemberEvent._meta.concrete_fields if not f.primary_key
    }
    assert set(imports._SPAN_FIELDS) == {
        f.attname for f in MemberSpan._meta.concrete_fields if not f.primary_key
    }
    places = imports.KeptPlaces(cast.branch_secretary)
    for member in Member.objects.filter(import_batch=batch).order_by("pk"):
        # the same row as the commit saw it, through the services
        row, texts = kept[member.id_index]
        places.recheck(row, texts)
        expected = new_member(import_batch=batch, **row.values)
        assert [getattr(member, f) for f in fields] == [getattr(expected, f) for f in fields]
        expected.pk = member.pk
        events = initial_events(expected, by=cast.branch_secretary, note="Excel 导入")
        stored = member.events.order_by("on", "id")
        assert [[getattr(e, f) for f in event_fields] for e in stored] == [
            [getattr(e, f) for f in event_fields] for e in events
        ]
        spans = spans_from_events(expected, events)
        assert [[getattr(s, f) for f in span_fields] for s in member.spans.order_by("start")] == [
            [getattr(s, f) for f in span_fields] for s in spans
        ]
        assert member.history.get().history_type == "+"
