"""档案材料: typed, dated files checked by content, served only through the access check."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhibu.members import archive
from zhibu.members.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def form(content=PDF, name="入党申请书.pdf", **overrides):
    data = {
        "kind": "application",
        "title": "入党申请书",
        "dated": "2011-03-01",
        "file": SimpleUploadedFile(name, content),
    }
    data.update(overrides)
    return data


def add_url(member):
    return reverse("members:attachment_add", args=[member.public_id])


def test_upload_and_download_a_pdf(cast, login, private_media):
    client = login(cast.branch_secretary)
    response = client.post(add_url(cast.ordinary_member), form())
    assert response.status_code == 302
    attachment = Attachment.objects.get(member=cast.ordinary_member)
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.file.name.startswith("members/") and "王党员" not in attachment.file.name
    assert Path(private_media, attachment.file.name).read_bytes() == PDF
    download = client.get(reverse("members:attachment", args=[attachment.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download["Content-Security-Policy"]
    page = client.get(
        reverse("members:detail", args=[cast.ordinary_member.public_id]), {"tab": "archive"}
    ).content.decode()
    assert "入党申请书" in page


def test_an_image_is_accepted(cast, login):
    login(cast.branch_secretary).post(
        add_url(cast.ordinary_member), form(PNG, "照片.png", kind="other", title="照片")
    )
    assert Attachment.objects.get().content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "伪装.pdf", "文件内容与扩展名不符"),
        (PDF, "病毒.exe", "只能上传 PDF、PNG 或 JPG 文件"),
        (PNG, "图片.pdf", "文件内容与扩展名不符"),
        (b"", "空.pdf", "空文件"),
    ],
)
def test_files_are_checked_by_content_not_only_extension(
    cast, login, private_media, content, name, message
):
    response = login(cast.branch_secretary).post(add_url(cast.ordinary_member), form(content, name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not list(Path(private_media).rglob("*.*"))


def test_an_oversized_file_is_refused(cast, login, monkeypatch):
    monkeypatch.setattr(archive, "MAX_MB", 0)
    response = login(cast.branch_secretary).post(
        add_url(cast.ordinary_member), form(PDF + b"x" * 200)
    )
    assert "文件过大" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_future_date_names_the_field(cast, login):
    response = login(cast.branch_secretary).post(
        add_url(cast.ordinary_member), form(dated="2099-01-01")
    )
    assert "材料日期不能晚于今天" in response.content.decode()
    assert not Attachment.objects.exists()


def test_archive_access(cast, login, inspector):
    response = login(cast.branch_secretary).post(add_url(cast.ordinary_member), form())
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = reverse("members:attachment", args=[attachment.public_id])
    delete = reverse("members:attachment_delete", args=[attachment.public_id])
    assert login(inspector).get(download).status_code == 200  # member.view may read the archive
    assert login(inspector).post(add_url(cast.ordinary_member), form()).status_code == 403
    assert login(inspector).post(delete).status_code == 403
    assert login(cast.outsider).get(download).status_code == 404
    assert login(cast.ordinary).get(download).status_code == 403
    assert Attachment.objects.count() == 1


def test_deleting_removes_the_file_after_commit(
    cast, login, private_media, django_capture_on_commit_callbacks
):
    client = login(cast.branch_secretary)
    client.post(add_url(cast.ordinary_member), form())
    attachment = Attachment.objects.get()
    path = Path(private_media, attachment.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:attachment_delete", args=[attachment.public_id]))
    assert response.status_code == 302
    assert not Attachment.objects.exists() and not path.exists()
    assert Attachment.history.filter(history_type="-", history_user=cast.branch_secretary).exists()
