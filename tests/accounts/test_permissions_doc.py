"""docs/permissions.md is generated from the permission matrix and must stay in step."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from zhibu.accounts import docs, permissions
from zhibu.accounts.models import PLATFORM_ROLES, Role


def test_docs_permissions_md_is_what_the_command_writes():
    committed = docs.DOC_PATH.read_text(encoding="utf-8")
    assert committed == docs.permissions_markdown(), "run `manage.py permissions_doc`"


def test_the_command_writes_the_file_and_check_compares_it(tmp_path, monkeypatch, capsys):
    target = tmp_path / "permissions.md"
    monkeypatch.setattr("zhibu.accounts.management.commands.permissions_doc.DOC_PATH", target)
    with pytest.raises(CommandError, match="out of date"):
        call_command("permissions_doc", "--check")
    call_command("permissions_doc")
    assert target.read_text(encoding="utf-8") == docs.permissions_markdown()
    call_command("permissions_doc", "--check")
    target.write_text(target.read_text(encoding="utf-8") + "手改的一行\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("permissions_doc", "--check")


def test_every_matrix_row_shows_exactly_its_actions_with_labels_and_codes():
    text = docs.permissions_markdown()
    codes = list(permissions.ACTIONS)
    for (role, level), actions in permissions.MATRIX.items():
        prefix = f"| {Role(role).label} `{role}` | {permissions.LEVEL_LABELS[level]} `{level}` |"
        [line] = [row for row in text.splitlines() if row.startswith(prefix)]
        cells = [cell.strip() for cell in line.split("|")[3:-1]]
        assert {code for code, cell in zip(codes, cells, strict=True) if cell == "✓"} == actions
    for code, label in permissions.ACTIONS.items():
        assert f"| `{code}` | {label} |" in text


def test_platform_roles_hold_no_member_action_and_no_org_level():
    for (role, level), actions in permissions.MATRIX.items():
        assert set(actions) <= set(permissions.ACTIONS), (role, level)
        if role in PLATFORM_ROLES:
            assert level == permissions.PLATFORM
            assert not actions & permissions.PERSONAL_DATA_ACTIONS, role
