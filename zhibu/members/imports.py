"""Excel import of the roster: upload → check every row → commit all or nothing → roll back.

The workflow of an ``ImportBatch``:

1. ``import_upload`` checks the file's envelope (``excel.inspect_upload``), refuses a
   file whose SHA-256 matches an imported batch, stores it privately and queues a check.
2. ``run_check`` streams the rows (openpyxl read-only, so memory stays flat whatever the
   size) and validates each one with the same checks as the forms
   (``services.check_person``, ``check_placement``, ``check_phone``, the model's field
   lengths), resolves the org by code or name inside the uploader's ``member.import``
   scope, and finds duplicates inside the file and, a chunk at a time, in the database.
   A row whose person is already registered under the same name is skipped, so importing
   the same people twice adds nothing. The batch ends ``ready`` or ``invalid``.
3. ``import_commit`` → ``run_commit`` reads the file again inside one transaction,
   re-checks every row (the database may have changed since) and bulk-inserts members,
   their history, events and spans. Any error rolls the whole transaction back.
4. ``import_rollback`` deletes the uploader's latest batch while none of its members
   has been touched since (no later change, event, transfer, archive file or post).

Checks and commits of large files run in the background (django-tasks; ``manage.py
db_worker``). Progress is written to a small file beside the upload rather than to the
database, because the commit's own transaction would hide it from the page that polls.
The uploaded file holds plaintext ID numbers, so it is deleted as soon as the batch
reaches a final state.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.audit import audit_record
from zhibu.core.bulk import analyze, write_values
from zhibu.core.crypto import blind_index
from zhibu.core.files import FILE_MODE, private_dir
from zhibu.core.models import AuditEvent
from zhibu.core.scope import subtree_q
from zhibu.members import excel, idnumber
from zhibu.members.models import ImportBatch, Member, MemberEvent, MemberSpan
from zhibu.members.services import (
    check_person,
    check_phone,
    check_placement,
    duplicate_message,
    identity_facts,
    initial_event_values,
    normalise_phone,
    pinyin_of,
    span_values,
)
from zhibu.members.sheetrows import SheetRows, UnsafeXml, open_workbook
from zhibu.orgs.models import Org, Unit
from zhibu.rulebook import changes

log = logging.getLogger(__name__)

CHUNK = 1000
MAX_STORED_ERRORS = 5000
INLINE_BYTES = 256 * 1024  # smaller files are checked and committed within the request
STALE_AFTER = timedelta(days=7)
# A running step whose progress has not moved for this long is taken as interrupted.
STUCK_AFTER = timedelta(minutes=30)

ALREADY_IMPORTED = _(
    "该文件已于 %(day)s 导入（新增 %(n)s 人），重复上传不会重复导入。如需再次导入，请先撤销该批次。"
)
MISSING_COLUMNS = _("缺少必填列：%(columns)s。请使用系统提供的导入模板。")
NO_HEADER = _("第一行应为表头，请使用系统提供的导入模板。")
NO_ROWS = _("没有数据行：请从第 2 行起填写。")
TOO_MANY_ROWS = _("数据超过 %(n)s 行，请拆分为几个文件分别导入。")
NOTHING_NEW = _("文件中的人员均已登记，没有需要导入的新党员。")
NOT_READY = _("该批次当前状态为“%(status)s”，不能导入。")
NOT_YOURS = _("只能处理您本人上传的批次。")
CHANGED_SINCE_CHECK = _(
    "导入时发现数据已变化（如同一人已被他人登记），已全部撤回，请重新上传校验。"
)
KEPT_STALE = _(
    "校验结果已失效（与本批次上传的文件不符或不完整），未导入任何数据。请放弃该批次后重新上传校验。"
)
FAILED = _("处理文件时出错，未导入任何数据。请检查文件后重试，或联系系统管理员。")
ROLLBACK_NOT_DONE = _("只有已导入的批次可以撤销。")
ROLLBACK_NOT_LAST = _("只能撤销您最近一次导入的批次。")
ROLLBACK_TOUCHED = _(
    "本批次导入的党员已有后续修改或记录（信息修改、党籍变动、转接、档案、任职、账号等），不能整批撤销。"
)
DISCARD_NOT_ALLOWED = _("该批次当前状态为“%(status)s”，不能放弃。")
INTERRUPTED_COMMIT = _(
    "导入在进行中被中断（服务器或后台任务停止），未写入任何数据。请重新确认导入，或放弃该批次。"
)
INTERRUPTED_CHECK = _("校验在进行中被中断（服务器或后台任务停止），上传的文件已删除，请重新上传。")

CELL_FORMULA = _("单元格含公式，请复制后“粘贴为数值”再上传")
ID_NOT_TEXT = _("须为文本格式：数字格式会丢失末位，请将该列设为文本后重新录入")
REQUIRED = _("必填")
BAD_DATE = _("日期格式不正确，请写成 2012-07-01")
BAD_CHOICE = _("“%(value)s”不是可选值（可选：%(choices)s）")
ORG_UNKNOWN = _("“%(value)s”不是您有权导入的党组织（请填写组织代码或全称）")
ORG_AMBIGUOUS = _("“%(value)s”对应多个党组织，请改填组织代码")
GROUP_UNKNOWN = _("“%(value)s”不是所填党支部下的党小组")
UNIT_UNKNOWN = _("系统中没有名为“%(value)s”的单位，请先登记该单位或留空")
DUPLICATE_IN_FILE = _("与第 %(row)s 行是同一人（公民身份号码重复，DQ-04）")
TOO_LONG = _("不能超过 %(n)s 个字（现为 %(len)s 个字）")

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# Model fields whose length the import checks against the model definition.
_LENGTH_CHECKED = ("name", "former_name", "native_place", "degree", "occupation", "address")


class FileProblem(Exception):
    """The file as a whole cannot be imported (missing columns, no rows, too many rows)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = str(message)


class _Invalid(Exception):
    """Raised inside the commit transaction to undo it when a row fails its re-check."""


# --- reading ------------------------------------------------------------------------------


def stored_path(batch: ImportBatch) -> str:
    return default_storage.path(batch.stored)


def read_rows(path: str, sized=None) -> Iterator[tuple[int, dict]]:
    """(line number, {column key: value}) of each non-empty data row, streamed.

    Values come as openpyxl reads them without evaluating anything (``data_only=False``):
    a formula cell is its formula text (``"=A1"``), a number cell an int or float, a
    date cell a datetime. ``sized`` is called once, before the first row, with the number
    of data rows the sheet declares (estimated from its first megabyte when it declares
    none), for the progress bar.
    """
    try:
        wb = open_workbook(path)
    except (ValueError, DefusedXmlException):  # malformed XML, entities, a broken part
        raise FileProblem(excel.NOT_A_WORKBOOK) from None
    try:
        ws = wb[excel.SHEET_TITLE] if excel.SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        rows = iter(SheetRows(wb, ws, sized))  # the cells' values, streamed (openpyxl's semantics)
        first = next(rows, None)
        if first is None:
            raise FileProblem(NO_HEADER)
        header = first[1] if first[0] == 1 else {}
        mapping = {}
        for column, text in sorted(header.items()):
            key = excel.header_key(text)
            if key and key not in mapping.values():
                mapping[column] = key
        missing = [c.header for c in excel.COLUMNS if c.required and c.key not in mapping.values()]
        if missing:
            raise FileProblem(MISSING_COLUMNS % {"columns": "、".join(missing)})
        positions = list(mapping.items())
        for number, cells in rows:
            if number <= 1:
                continue
            values = {}
            for column, key in positions:
                value = cells.get(column)
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    values[key] = value
            if values:
                yield number, values
    except (UnsafeXml, ExpatError):
        raise FileProblem(excel.NOT_A_WORKBOOK) from None
    finally:
        wb.close()


# --- one row -----------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    index: str = ""  # the ID number's blind index
    skip: bool = False
    places: list = field(default_factory=lambda: ["", "", ""])  # org, group, unit as written

    def fail(self, key: str, message) -> None:
        self.errors.append((excel.BY_KEY[key].header, str(message)))


class Places:
    """Orgs, 党小组 and units named in the file, looked up once each, within the scope."""

    def __init__(self, user) -> None:
        self.scope = permissions.scope_q(user, "member.import")
        self.today = timezone.localdate()  # bounds ID numbers' birth dates, once per file
        self.orgs: dict[str, tuple[Org | None, str]] = {}
        self.groups: dict[tuple[int, str], Org | None] = {}
        self.units: dict[str, Unit | None] = {}

    def org(self, text: str) -> tuple[Org | None, str]:
        if text not in self.orgs:
            found = Org.objects.filter(self.scope, code__iexact=text).first()
            if found is None:
                named = list(Org.objects.filter(self.scope, name=text)[:2]) or list(
                    Org.objects.filter(self.scope, short_name=text)[:2]
                )
                if len(named) > 1:
                    self.orgs[text] = (None, str(ORG_AMBIGUOUS % {"value": text}))
                    return self.orgs[text]
                found = named[0] if named else None
            message = "" if found else str(ORG_UNKNOWN % {"value": text})
            self.orgs[text] = (found, message)
        return self.orgs[text]

    def group(self, org: Org, text: str) -> Org | None:
        key = (org.pk, text)
        if key not in self.groups:
            candidates = Org.objects.filter(subtree_q([org.path]), kind=Org.Kind.GROUP)
            self.groups[key] = (
                candidates.filter(code__iexact=text).first()
                or candidates.filter(name=text).first()
                or candidates.filter(short_name=text).first()
            )
        return self.groups[key]

    def unit(self, text: str) -> Unit | None:
        if text not in self.units:
            self.units[text] = Unit.objects.filter(name=text).first()
        return self.units[text]


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)  # the common case, and fast
        except ValueError:
            pass
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
    return None


@functools.cache
def _source_choices() -> dict[str, dict[str, str]]:
    """{column key: {Chinese label: stored value}}: the template's labels in any UI language."""
    from zhibu.members.choices import ETHNICITY_CHOICES, Education

    pairs = {
        "gender": Member.Gender.choices,
        "ethnicity": ETHNICITY_CHOICES,
        "education": Education.choices,
        "category": Member.Category.choices,
    }
    with translation.override(None):  # no catalogue: labels come out as their Chinese source
        return {
            key: {str(label): value for value, label in choices} for key, choices in pairs.items()
        }


def _choice(key: str, text: str) -> str | None:
    source = _source_choices()[key]
    if text in source:
        return source[text]
    for label, value in source.items():  # the label as shown in the current language
        if _g(label) == text:
            return value
    return None


def parse_row(number: int, cells: dict, places: Places) -> Row:
    """Turn one line into member values, collecting every problem with its column."""
    row = Row(number)
    values = row.values
    for key, value in cells.items():
        column = excel.BY_KEY[key]
        if isinstance(value, str) and value.startswith("="):
            row.fail(key, CELL_FORMULA)
            continue
        if column.kind == "id":
            if not isinstance(value, str):
                row.fail(key, ID_NOT_TEXT)
                continue
            values[key] = idnumber.normalise(value)
        elif column.kind == "date":
            parsed = _date(value)
            if parsed is None:
                row.fail(key, BAD_DATE)
            else:
                values[key] = parsed
        elif column.kind == "choice":
            text = _text(value)
            chosen = _choice(key, text)
            if chosen is not None:
                values[key] = chosen
            else:
                shown = "、".join(list(_source_choices()[key])[:8])
                row.fail(key, BAD_CHOICE % {"value": text, "choices": shown})
        else:
            values[key] = _text(value)
    for column in excel.COLUMNS:
        if column.required and column.key not in values and not _failed(row, column.key):
            row.fail(column.key, REQUIRED)
    _check_person(row, places.today)
    _check_places(row, places)
    for key, messages in check_phone(values.get("phone", "")).items():
        for message in messages:
            row.fail(key, message)
    for key in _LENGTH_CHECKED:
        limit = Member._meta.get_field(key).max_length
        if key in values and len(values[key]) > limit:
            row.fail(key, TOO_LONG % {"n": limit, "len": len(values[key])})
    return row


def _failed(row: Row, key: str) -> bool:
    header = excel.BY_KEY[key].header
    return any(column == header for column, _ in row.errors)


def _check_person(row: Row, today: date) -> None:
    values = row.values
    number = values.get("id_number", "")
    info = None
    if number:
        try:
            info = idnumber.parse(number, today=today)
        except idnumber.InvalidIdNumber:
            pass  # check_person parses it again and reports it
        else:
            values.setdefault("birth_date", info.birth_date)
            values.setdefault("gender", info.gender)
            row.index = blind_index(info.number)
    problems = check_person(
        id_number=number,
        birth_date=values.get("birth_date"),
        gender=values.get("gender"),
        applied_on=values.get("applied_on"),
        admitted_on=values.get("admitted_on"),
        full_on=values.get("full_on"),
        check_duplicate=False,
        id_info=info,
    )
    for key, messages in problems.items():
        if _failed(row, key):
            continue  # the cell itself was unreadable: that is the one problem to report
        for message in messages:
            row.fail(key, message.message if isinstance(message, ValidationError) else message)
    if problems.get("id_number"):
        row.index = ""


def _check_places(row: Row, places: Places) -> None:
    values = row.values
    org_text = values.pop("org", "")
    group_text = values.pop("group", "")
    unit_text = values.pop("work_unit", "")
    row.places = [org_text, group_text, unit_text]
    if org_text:
        org, message = places.org(org_text)
        if org is None:
            row.fail("org", message)
        else:
            group = None
            if group_text:
                group = places.group(org, group_text)
                if group is None:
                    row.fail("group", GROUP_UNKNOWN % {"value": group_text})
            for key, messages in check_placement(org, group).items():
                for message in messages:
                    row.fail(key, message)
            values["org"], values["group"] = org, group
    if unit_text:
        unit = places.unit(unit_text)
        if unit is None:
            row.fail("work_unit", UNIT_UNKNOWN % {"value": unit_text})
        values["work_unit"] = unit


# --- the scan shared by check and commit ---------------------------------------------------


@dataclass
class Summary:
    total: int = 0
    valid: int = 0
    skipped: int = 0
    error_rows: int = 0
    created: int = 0
    errors: list[dict] = field(default_factory=list)

    def record(self, row: Row) -> None:
        if row.errors:
            self.error_rows += 1
            for column, message in row.errors:
                if len(self.errors) < MAX_STORED_ERRORS:
                    self.errors.append({"row": row.number, "column": column, "message": message})
        elif row.skip:
            self.skipped += 1
        else:
            self.valid += 1


class Progress:
    """A tiny JSON file beside the upload: {"phase", "done", "total"}, replaced atomically."""

    def __init__(self, batch: ImportBatch, phase: str, total: int) -> None:
        self.path = progress_path(batch)
        self.phase, self.total = phase, total

    def write(self, done: int) -> None:
        private_dir(self.path.parent)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w") as handle:
            handle.write(
                json.dumps({"phase": self.phase, "done": done, "total": max(self.total, done)})
            )
        os.replace(temporary, self.path)


def progress_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{batch.public_id}.progress"


def read_progress(batch: ImportBatch) -> dict:
    try:
        return json.loads(progress_path(batch).read_text())
    except (OSError, ValueError):
        return {}


def check_file(batch: ImportBatch, *, user, progress: Progress | None = None) -> Summary:
    """Check every row of the batch's workbook, reading it once; keep the valid rows.

    Each row is validated, matched against the other rows and (a chunk at a time) the
    database, and every problem is recorded with its line. The rows that passed are
    written, normalised, to the batch's kept-rows file (``Kept``) as they go, so that the
    commit neither re-reads nor re-validates the workbook.
    """
    summary = Summary()
    places = Places(user)
    seen: dict[int, int] = {}
    chunk: list[Row] = []
    kept = Kept.create(batch)

    def flush() -> None:
        _against_database(chunk, user)
        for row in chunk:
            summary.record(row)
            if not row.errors and not summary.error_rows:
                kept.write(row)
        chunk.clear()
        if progress is not None:
            progress.write(summary.total)

    def sized(rows: int) -> None:
        if progress is not None:
            progress.total = rows

    try:
        for number, cells in read_rows(stored_path(batch), sized):
            summary.total += 1
            if summary.total > excel.MAX_ROWS:
                raise FileProblem(TOO_MANY_ROWS % {"n": f"{excel.MAX_ROWS:,}"})
            row = parse_row(number, cells, places)
            if row.index:
                # 64 bits of the blind index: an int, not a 64-character string, per person.
                first = seen.setdefault(int(row.index[:16], 16), number)
                if first != number:
                    row.fail("id_number", DUPLICATE_IN_FILE % {"row": first})
            chunk.append(row)
            if len(chunk) >= CHUNK:
                flush()
        flush()
        if summary.total == 0:
            raise FileProblem(NO_ROWS)
    except BaseException:
        kept.discard()
        raise
    if summary.error_rows:
        kept.discard()
    else:
        kept.close(summary.total)
    return summary


def commit_kept(batch: ImportBatch, *, user, progress: Progress | None = None) -> Summary:
    """Insert the rows kept by the check, re-checking only what the database may have
    changed since: the places still exist, are in the user's scope and open, and nobody
    registered the same person meanwhile. Writing stops at the first bad row (the caller's
    transaction is then rolled back), but the pass goes on so that the report lists every
    problem."""
    summary = Summary()
    places = KeptPlaces(user)
    chunk: list[Row] = []
    now = timezone.now()

    def flush() -> None:
        _against_database(chunk, user)
        for row in chunk:
            summary.record(row)
        if not summary.error_rows:
            summary.created += _insert([r for r in chunk if not r.skip], batch, user, now)
        chunk.clear()
        if progress is not None:
            progress.write(summary.total)

    # SQLite: each written table counted once, not per row (zhibu.rulebook.changes).
    written = [Member, MemberEvent, MemberSpan, Member.history.model]
    with changes.counted_once([model._meta.db_table for model in written]):
        for row, texts in Kept.read(batch):
            summary.total += 1
            places.recheck(row, texts)
            chunk.append(row)
            if len(chunk) >= CHUNK:
                flush()
        flush()
    return summary


def _against_database(chunk: list[Row], user) -> None:
    """One query per chunk: rows whose person is already registered."""
    indexes = [row.index for row in chunk if row.index and not row.errors]
    if not indexes:
        return
    existing = {
        m.id_index: m for m in Member.objects.filter(id_index__in=indexes).select_related("org")
    }
    for row in chunk:
        match = existing.get(row.index) if not row.errors else None
        if match is None:
            continue
        if match.name == row.values.get("name"):
            row.skip = True  # already registered: importing the same person again adds nothing
        else:
            row.fail("id_number", duplicate_message(match, user))


def _insert(rows: list[Row], batch: ImportBatch, user, now) -> int:
    """Insert the members of ``rows`` with their history, events and spans.

    Each table is written with one prepared statement per chunk (``executemany``; COPY on
    PostgreSQL) from plain tuples, with no model instance per row: the values
    ``new_member``, ``initial_events`` and ``spans_from_events`` give (the same helpers
    compute them: ``pinyin_of``, ``identity_facts``, ``initial_event_values``,
    ``span_values``), each field preparing its own (ID and phone numbers encrypted). The
    new members' keys are read back by their blind index.
    """
    if not rows:
        return 0
    today = timezone.localdate()
    members = [_member_values(row, batch, now, today) for row in rows]
    write_values(Member, _MEMBER_FIELDS, members)
    where = _MEMBER_FIELDS.index("id_index")
    keys = dict(
        Member.objects.filter(id_index__in=[m[where] for m in members]).values_list(
            "id_index", "pk"
        )
    )
    pks = [keys[m[where]] for m in members]
    _write_history(pks, user, now)
    note = _g("Excel 导入")
    by = user.pk if user else None
    events, spans = [], []
    for pk, row in zip(pks, rows, strict=True):
        values = row.values
        org = values["org"].pk
        group = values["group"].pk if values.get("group") is not None else None
        full_on = values.get("full_on")
        mine = initial_event_values(
            org=org,
            group=group,
            admitted_on=values.get("admitted_on"),
            full_on=full_on,
            status=Member.Status.FULL if full_on else Member.Status.PROBATIONARY,
            note=note,
        )
        for event in mine:
            events.append(
                (
                    uuid.uuid4(),
                    pk,
                    event["kind"],
                    event["on"],
                    event["org"],
                    event["group"],
                    event["status_after"],
                    event["document_no"],
                    event["note"],
                    by,
                    now,
                )
            )
        steps = ((e["on"], e["org"], e["group"], e["status_after"]) for e in mine)
        spans.extend((pk, *span) for span in span_values(steps))
    write_values(MemberEvent, _EVENT_FIELDS, events)
    write_values(MemberSpan, _SPAN_FIELDS, spans)
    return len(members)


_EVENT_FIELDS = (
    "public_id",
    "member_id",
    "kind",
    "on",
    "org_id",
    "group_id",
    "status_after",
    "document_no",
    "note",
    "recorded_by_id",
    "recorded_at",
)
_SPAN_FIELDS = ("member_id", "org_id", "group_id", "status", "start", "end")
_MEMBER_FIELDS = tuple(f.attname for f in Member._meta.concrete_fields if not f.primary_key)
# The value of each member field an import does not fill: its default, as an unsaved
# ``Member()`` has it (a callable default, such as ``public_id``'s, is called per row).
_MEMBER_DEFAULTS = {
    f.attname: f.get_default()
    for f in Member._meta.concrete_fields
    if not f.primary_key and not (f.has_default() and callable(f.default))
}
_MEMBER_MADE = tuple(
    f
    for f in Member._meta.concrete_fields
    if not f.primary_key and f.has_default() and callable(f.default)
)


def _member_values(row: Row, batch: ImportBatch, now, today: date) -> tuple:
    """The member ``new_member(import_batch=batch, **row.values)`` makes, as a tuple in
    ``_MEMBER_FIELDS`` order (a row that passed the check: org set, ID number valid)."""
    values = dict(row.values)
    org, group, unit = values.pop("org"), values.pop("group", None), values.pop("work_unit", None)
    name = values.pop("name").strip()
    number = idnumber.normalise(values.pop("id_number", ""))
    pinyin, initials = pinyin_of(name)
    tail, format_ok, matches = identity_facts(
        number, values.get("birth_date"), values.get("gender"), today=today
    )
    if "phone" in values:
        values["phone"] = normalise_phone(values["phone"])
    for made in _MEMBER_MADE:
        values[made.attname] = made.get_default()
    values.update(
        created_at=now,
        updated_at=now,
        name=name,
        name_pinyin=pinyin,
        name_initials=initials,
        id_number=number,
        id_index=blind_index(number) if number else None,
        id_tail_index=tail,
        id_format_ok=format_ok,
        id_matches=matches,
        org_id=org.pk,
        group_id=group.pk if group is not None else None,
        work_unit_id=unit.pk if unit is not None else None,
        status=Member.Status.FULL if values.get("full_on") else Member.Status.PROBATIONARY,
        import_batch_id=batch.pk,
    )
    defaults = _MEMBER_DEFAULTS
    return tuple(values[k] if k in values else defaults[k] for k in _MEMBER_FIELDS)


def _write_history(pks: list[int], user, now) -> None:
    """The "created" history records (as ``bulk_create_with_history`` makes them), copied
    from the rows just written by one INSERT … SELECT: the tracked columns as stored (the
    ID number's ciphertext included), with the date, the user and no change reason."""
    historical = Member.history.model
    stored = {f.column for f in Member._meta.concrete_fields}
    copied = [f.column for f in historical._meta.concrete_fields if f.column in stored]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in copied)
    sql = (  # noqa: S608 - names come from the models
        "INSERT INTO {hist} ({columns}, history_date, history_change_reason, history_type,"
        " history_user_id) SELECT {columns}, %s, NULL, %s, %s FROM {member}"
        " WHERE id IN ({keys}) ORDER BY id"
    ).format(
        hist=quote(historical._meta.db_table),
        member=quote(Member._meta.db_table),
        columns=columns,
        keys=", ".join(["%s"] * len(pks)),
    )
    when = historical._meta.get_field("history_date").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [when, "+", user.pk if user else None, *pks])


# --- the kept rows -----------------------------------------------------------------------


class StaleCheck(Exception):
    """The kept rows do not belong to the batch, or are incomplete: check again."""


class Kept:
    """The rows a check passed, normalised, in a private JSON-lines file beside the upload.

    Line 1 names the batch (its public id and the upload's SHA-256); each row line is
    ``[line number, blind index, [value per column], [org, group, unit as written]]``
    with dates in ISO form and orgs/units as keys; the last line holds the row count and
    an HMAC of every row line (keyed with the site's secret). ``read`` refuses a file
    that belongs to another batch or upload, was cut short or altered (``StaleCheck``).
    Like the upload it holds plaintext ID numbers, so it lives only until the batch
    reaches a final state.
    """

    KEYS = tuple(c.key for c in excel.COLUMNS)
    DATES = frozenset(c.key for c in excel.COLUMNS if c.kind == "date")
    PLACES = ("org", "group", "work_unit")

    def __init__(self, batch: ImportBatch, name: str) -> None:
        self.batch, self.name = batch, name
        self.path = Path(default_storage.path(name))
        self.handle = None
        self.mac = _kept_mac()
        self.rows = 0

    @classmethod
    def name_for(cls, batch: ImportBatch) -> str:
        return f"imports/{batch.public_id.hex}.rows"

    @classmethod
    def create(cls, batch: ImportBatch) -> Kept:
        kept = cls(batch, cls.name_for(batch))
        private_dir(kept.path.parent)
        temporary = kept.path.with_suffix(".rows-tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        kept.handle = os.fdopen(fd, "w", encoding="utf-8")
        kept.temporary = temporary
        kept.handle.write(json.dumps(kept._header()) + "\n")
        return kept

    def _header(self) -> dict:
        return {"kept": 1, "batch": self.batch.public_id.hex, "sha256": self.batch.sha256}

    def write(self, row: Row) -> None:
        values = row.values
        cells = []
        for key in self.KEYS:
            value = values.get(key)
            if (value is not None and key in self.DATES) or isinstance(value, date):
                value = value.isoformat()
            elif key in self.PLACES:
                value = value.pk if value is not None else None
            cells.append(value)
        line = json.dumps(
            [row.number, row.index, cells, row.places], ensure_ascii=False, separators=(",", ":")
        )
        self.mac.update(line.encode())
        self.handle.write(line + "\n")
        self.rows += 1

    def close(self, total: int) -> None:
        self.handle.write(json.dumps({"rows": self.rows, "mac": self.mac.hexdigest()}) + "\n")
        self.handle.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        if self.handle is not None and not self.handle.closed:
            self.handle.close()
        Path(self.temporary).unlink(missing_ok=True)

    @classmethod
    def read(cls, batch: ImportBatch) -> Iterator[tuple[Row, list]]:
        """(row, [org, group, unit as written]) for each kept row; ``StaleCheck`` when the
        file is not this batch's complete, unaltered check (the rows may already have
        been used: the caller's transaction must roll back)."""
        kept = cls(batch, cls.name_for(batch))
        try:
            handle = kept.path.open(encoding="utf-8")
        except OSError:
            raise StaleCheck from None
        with handle:
            try:
                header = json.loads(handle.readline())
            except ValueError:
                raise StaleCheck from None
            if header != kept._header():
                raise StaleCheck
            trailer = None
            for line in handle:
                if not line.startswith("["):
                    trailer = line
                    break
                kept.mac.update(line[:-1].encode())
                kept.rows += 1
                number, index, cells, texts = json.loads(line)
                row = Row(number, index=index)
                values = row.values
                for key, value in zip(cls.KEYS, cells, strict=True):
                    if value is None:
                        continue
                    values[key] = date.fromisoformat(value) if key in cls.DATES else value
                yield row, texts
            try:
                end = json.loads(trailer or "")
            except ValueError:
                raise StaleCheck from None
            expected = {"rows": kept.rows, "mac": kept.mac.hexdigest()}
            if end != expected or kept.rows != batch.total_rows or handle.readline():
                raise StaleCheck


def _kept_mac():
    return hmac.new(settings.SECRET_KEY.encode(), b"zhibu.members.kept-rows", hashlib.sha256)


class KeptPlaces:
    """The kept rows' orgs, 党小组 and units, looked up again by key (once each): still
    there, still within the user's ``member.import`` scope, and still open."""

    def __init__(self, user) -> None:
        self.scope = permissions.scope_q(user, "member.import")
        self.orgs: dict[int, Org | None] = {}
        self.groups: dict[int, Org | None] = {}
        self.units: dict[int, Unit | None] = {}

    def recheck(self, row: Row, texts: list) -> None:
        values = row.values
        org_text, group_text, unit_text = texts
        org_pk, group_pk = values.pop("org"), values.pop("group", None)
        if org_pk not in self.orgs:
            self.orgs[org_pk] = Org.objects.filter(self.scope, pk=org_pk).first()
        org, group = self.orgs[org_pk], None
        if group_pk is not None:
            if group_pk not in self.groups:  # check_placement below keeps it in the branch
                self.groups[group_pk] = Org.objects.filter(pk=group_pk).first()
            group = self.groups[group_pk]
        if org is None:
            row.fail("org", ORG_UNKNOWN % {"value": org_text})
        else:
            if group_pk is not None and group is None:
                row.fail("group", GROUP_UNKNOWN % {"value": group_text})
            for key, messages in check_placement(org, group).items():
                for message in messages:
                    row.fail(key, message)
            values["org"], values["group"] = org, group
        unit_pk = values.pop("work_unit", None)
        if unit_pk is not None:
            if unit_pk not in self.units:
                self.units[unit_pk] = Unit.objects.filter(pk=unit_pk).first()
            if self.units[unit_pk] is None:
                row.fail("work_unit", UNIT_UNKNOWN % {"value": unit_text})
            values["work_unit"] = self.units[unit_pk]


# --- the batch workflow ------------------------------------------------------------------


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def import_upload(*, upload, by) -> ImportBatch:
    """Accept a workbook for checking (the check itself runs via ``import_schedule``)."""
    excel.inspect_upload(upload)
    sha256 = _digest(upload)
    done = ImportBatch.objects.filter(sha256=sha256, status=ImportBatch.Status.DONE).first()
    if done is not None:
        day = timezone.localtime(done.finished_at or done.uploaded_at).date()
        raise ValidationError({"file": ALREADY_IMPORTED % {"day": day, "n": done.created_count}})
    purge_stale()
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", upload)
    return ImportBatch.objects.create(
        file_name=os.path.basename(upload.name)[:200],
        sha256=sha256,
        size=upload.size,
        stored=stored,
        uploaded_by=by,
    )


def import_schedule(batch: ImportBatch) -> None:
    """Run the batch's next step now (small files) or in the background worker."""
    from zhibu.members import tasks

    job = tasks.check_import if batch.status == ImportBatch.Status.QUEUED else tasks.commit_import
    if batch.size <= getattr(settings, "ZHIBU_IMPORT_INLINE_BYTES", INLINE_BYTES):
        job.call(batch.pk)
    else:
        job.enqueue(batch.pk)


def _finish(batch: ImportBatch, status: str, message="", *, keep_file: bool = False) -> None:
    batch.status = status
    batch.message = str(message)[:300]
    batch.finished_at = timezone.now()
    if status != ImportBatch.Status.READY and not keep_file:
        _delete_file(batch)
    batch.save()


def _delete_file(batch: ImportBatch) -> None:
    if batch.stored:
        default_storage.delete(batch.stored)
        batch.stored = ""
    kept = Path(default_storage.path(Kept.name_for(batch)))
    kept.unlink(missing_ok=True)  # the checked rows, if any
    kept.with_suffix(".rows-tmp").unlink(missing_ok=True)  # a check cut short
    progress_path(batch).unlink(missing_ok=True)


def _store(batch: ImportBatch, summary: Summary) -> None:
    batch.total_rows, batch.valid_rows = summary.total, summary.valid
    batch.skipped_count, batch.error_count = summary.skipped, summary.error_rows
    batch.errors = summary.errors


def run_check(batch_id: int) -> None:
    """The check step (a background task for large files)."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.QUEUED:
        return
    batch.status, batch.started_at = ImportBatch.Status.VALIDATING, timezone.now()
    batch.save(update_fields=["status", "started_at"])
    try:
        progress = Progress(batch, "check", 0)
        summary = check_file(batch, user=batch.uploaded_by, progress=progress)
    except FileProblem as problem:
        _finish(batch, ImportBatch.Status.INVALID, problem.message)
        return
    except Exception:
        log.exception("import check of batch %s failed", batch.pk)
        _finish(batch, ImportBatch.Status.FAILED, FAILED)
        return
    _store(batch, summary)
    if summary.error_rows:
        _finish(batch, ImportBatch.Status.INVALID)
    elif summary.valid == 0:
        _finish(batch, ImportBatch.Status.DISCARDED, NOTHING_NEW)
    else:
        _finish(batch, ImportBatch.Status.READY)


@transaction.atomic
def import_commit(*, batch: ImportBatch, by) -> ImportBatch:
    """The uploader confirms a checked batch; the commit step follows (``import_schedule``)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != by.pk:
        raise ValidationError(NOT_YOURS)
    if batch.status != ImportBatch.Status.READY:
        raise ValidationError(NOT_READY % {"status": batch.get_status_display()})
    batch.status = ImportBatch.Status.COMMITTING
    batch.save(update_fields=["status"])
    return batch


def run_commit(batch_id: int) -> None:
    """The commit step: every row re-checked and inserted in one transaction."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.COMMITTING:
        return
    user = batch.uploaded_by
    progress = Progress(batch, "commit", batch.total_rows)
    summary = Summary()
    try:
        with transaction.atomic():
            summary = commit_kept(batch, user=user, progress=progress)
            if summary.error_rows:
                raise _Invalid
            batch.created_count = summary.created
            _store(batch, summary)
            # The file goes once the transaction has committed (below), not before.
            _finish(batch, ImportBatch.Status.DONE, keep_file=True)
            audit_record(
                kind=AuditEvent.Kind.IMPORT,
                summary=_g("导入党员 %(n)s 人（%(file)s）")
                % {"n": summary.created, "file": batch.file_name},
                actor=user,
                obj=batch,
                details={
                    "batch": str(batch.public_id),
                    "created": summary.created,
                    "skipped": summary.skipped,
                    "rows": summary.total,
                    "sha256": batch.sha256,
                },
            )
    except _Invalid:
        batch.refresh_from_db()
        _store(batch, summary)
        _finish(batch, ImportBatch.Status.INVALID, CHANGED_SINCE_CHECK)
    except StaleCheck:
        batch.refresh_from_db()
        _finish(batch, ImportBatch.Status.INVALID, KEPT_STALE)
    except IntegrityError:
        # A concurrent registration of the same person (or the same file) won the race.
        batch.refresh_from_db()
        _finish(batch, ImportBatch.Status.INVALID, CHANGED_SINCE_CHECK)
    except Exception:
        log.exception("import commit of batch %s failed", batch.pk)
        batch.refresh_from_db()
        _finish(batch, ImportBatch.Status.FAILED, FAILED)
    else:
        _delete_file(batch)
        batch.save(update_fields=["stored"])
        if summary.created >= ANALYZE_AFTER:
            _refresh_statistics()


# A large import changes the roster's shape faster than autovacuum notices: refresh the
# planner's statistics at once (a search over 50,000 fresh rows took 50 s without them).
ANALYZE_AFTER = 5000


def _refresh_statistics() -> None:
    analyze(Member, Member.history.model, MemberEvent, MemberSpan)


@transaction.atomic
def import_discard(*, batch: ImportBatch, by) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != by.pk:
        raise ValidationError(NOT_YOURS)
    if batch.status not in (ImportBatch.Status.READY, ImportBatch.Status.INVALID):
        raise ValidationError(DISCARD_NOT_ALLOWED % {"status": batch.get_status_display()})
    _finish(batch, ImportBatch.Status.DISCARDED)
    return batch


def _touched(batch: ImportBatch) -> bool:
    """Has anything happened to the batch's members since it was imported?"""
    members = Member.objects.filter(import_batch=batch)
    ids = members.values("pk")
    if members.filter(user__isnull=False).exists():
        return True
    if Member.history.filter(id__in=ids).exclude(history_type="+").exists():
        return True
    return MemberEvent.objects.filter(member__in=ids, recorded_at__gt=batch.finished_at).exists()


@transaction.atomic
def import_rollback(*, batch: ImportBatch, by) -> int:
    """Delete the members of the uploader's latest batch, if none was touched since."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != by.pk:
        raise ValidationError(NOT_YOURS)
    if batch.status != ImportBatch.Status.DONE:
        raise ValidationError(ROLLBACK_NOT_DONE)
    latest = (
        ImportBatch.objects.filter(uploaded_by=by, status=ImportBatch.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    if latest is None or latest.pk != batch.pk:
        raise ValidationError(ROLLBACK_NOT_LAST)
    if _touched(batch):
        raise ValidationError(ROLLBACK_TOUCHED)
    members = Member.objects.filter(import_batch=batch)
    try:
        with transaction.atomic():
            MemberEvent.objects.filter(member__in=members.values("pk")).delete()
            members.delete()
    except ProtectedError:
        # Another record (a post, a meeting's attendance ...) refers to one of the members.
        raise ValidationError(ROLLBACK_TOUCHED) from None
    count = batch.created_count
    batch.status, batch.rolled_back_at = ImportBatch.Status.ROLLED_BACK, timezone.now()
    batch.save(update_fields=["status", "rolled_back_at"])
    audit_record(
        kind=AuditEvent.Kind.IMPORT,
        summary=_g("撤销导入批次（%(file)s），删除 %(n)s 人")
        % {"file": batch.file_name, "n": count},
        actor=by,
        obj=batch,
        details={"batch": str(batch.public_id), "rolled_back": count},
    )
    return count


def purge_stale(now: datetime | None = None) -> int:
    """Delete the files of batches checked but never committed for a week (plaintext IDs)."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = ImportBatch.objects.filter(
        status__in=[ImportBatch.Status.READY, ImportBatch.Status.QUEUED], uploaded_at__lt=cutoff
    )
    count = 0
    for batch in stale:
        _finish(batch, ImportBatch.Status.DISCARDED)
        count += 1
    return count


def _last_activity(batch: ImportBatch) -> datetime:
    """When the batch last showed life: its progress file, else its start or upload."""
    try:
        moved = datetime.fromtimestamp(progress_path(batch).stat().st_mtime, tz=UTC)
    except OSError:
        moved = None
    times = [t for t in (moved, batch.started_at, batch.uploaded_at) if t is not None]
    return max(times)


def recover_interrupted(
    *, stuck_after: timedelta = STUCK_AFTER, now: datetime | None = None
) -> int:
    """Batches left "validating" or "committing" by a killed server or worker go back to
    where they can move on: a commit is one transaction, so nothing was written and the
    batch is checked again (ready, with the reason); an interrupted check fails and its
    file is deleted. Run when the worker starts and by ``tick``; returns how many."""
    cutoff = (now or timezone.now()) - stuck_after
    count = 0
    running = [ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING]
    for batch in ImportBatch.objects.filter(status__in=running):
        if _last_activity(batch) > cutoff:
            continue
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status == ImportBatch.Status.COMMITTING:
                progress_path(batch).unlink(missing_ok=True)
                _finish(batch, ImportBatch.Status.READY, INTERRUPTED_COMMIT)
            elif batch.status == ImportBatch.Status.VALIDATING:
                _finish(batch, ImportBatch.Status.FAILED, INTERRUPTED_CHECK)
            else:
                continue
        log.warning("import batch %s was interrupted; now %s", batch.pk, batch.status)
        count += 1
    return count
