"""docs/rules.md is generated from the rule registry and must stay in step."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from zhibu.core.rules import docs
from zhibu.core.rules.registry import codes, versions


def test_docs_rules_md_is_what_the_command_writes():
    committed = docs.DOC_PATH.read_text(encoding="utf-8")
    assert committed == docs.rules_markdown(), "run `manage.py rules_doc`"


def test_the_command_writes_the_file_and_check_compares_it(tmp_path, monkeypatch):
    target = tmp_path / "rules.md"
    monkeypatch.setattr("zhibu.core.management.commands.rules_doc.DOC_PATH", target)
    with pytest.raises(CommandError, match="out of date"):
        call_command("rules_doc", "--check")
    call_command("rules_doc")
    assert target.read_text(encoding="utf-8") == docs.rules_markdown()
    call_command("rules_doc", "--check")
    target.write_text(target.read_text(encoding="utf-8") + "手改的一行\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("rules_doc", "--check")


def test_every_registered_rule_has_one_row_with_its_citation_confidence_and_defaults():
    lines = docs.rules_markdown().splitlines()
    for code in codes():
        [row] = [line for line in lines if line.startswith(f"| `{code}` |")]
        rule = versions(code)[-1]
        cells = [cell.strip() for cell in row.split(" | ")]
        assert cells[1] == rule.title
        assert cells[2].startswith(rule.citation.regulation)
        assert cells[3] == rule.citation.confidence
        for param in rule.params:
            assert f"`{param.name}` {param.label} = {param.default}{param.unit}" in cells[4]
        for version in versions(code):
            assert f"v{version.version}：{version.effective_from.isoformat()}" in cells[5]


def test_an_uncertain_article_keeps_its_mark_and_a_local_rule_says_so():
    text = docs.rules_markdown()
    assert "| `DEV-12` | " in text and "≈第二十八条 | C? |" in text
    assert "地方/单位规定：公示 5 个工作日 | L |" in text
