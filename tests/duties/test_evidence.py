"""Evidence files for duties records: checked by content, downloaded only within scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhibu.duties.models import Evidence
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.services import evidence as services

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n"


def test_a_file_is_stored_with_its_facts_and_served_within_scope(cast, login, private_media):
    item = services.evidence_add(
        org=cast.branch1,
        ref="task:0f0e",
        upload=SimpleUploadedFile("整改报告.pdf", PDF),
        by=cast.branch_secretary,
    )
    assert item.original_name == "整改报告.pdf" and item.content_type == "application/pdf"
    assert item.file.name.endswith(".pdf") and "整改报告" not in item.file.name
    assert evidence_for("task:0f0e") == [item]
    url = reverse("duties:evidence", args=[item.public_id])
    for user in (cast.branch_secretary, cast.party_secretary):
        response = login(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert "sandbox" in response["Content-Security-Policy"]
    assert login(cast.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", b"<html>not a pdf</html>", "文件内容与扩展名不符"),
        ("报告.exe", b"MZ\x90\x00", "只能上传 PDF、PNG 或 JPG 文件"),
        ("空.pdf", b"", "文件是空的"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(cast, private_media, name, content, message):
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            org=cast.branch1, ref="task:1", upload=SimpleUploadedFile(name, content)
        )
    assert message in str(refused.value)
    assert not Evidence.objects.exists()


def test_an_oversized_file_is_refused(cast, private_media, monkeypatch):
    monkeypatch.setattr(services, "MAX_MB", 0)
    with pytest.raises(ValidationError, match="文件过大"):
        services.evidence_add(
            org=cast.branch1, ref="task:1", upload=SimpleUploadedFile("a.pdf", PDF)
        )
