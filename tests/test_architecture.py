"""The structure holds: apps import downwards only (import-linter enforces the layers in
`make lint`), no two apps import each other, and every import of another app made inside a
function says why on its line."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("structure", ROOT / "scripts" / "structure.py")
assert _spec is not None and _spec.loader is not None
structure = importlib.util.module_from_spec(_spec)
sys.modules["structure"] = structure  # dataclasses look their module up there
_spec.loader.exec_module(structure)


def test_core_imports_no_other_app():
    assert structure.app_edges().get("core", set()) == set()


def test_no_two_apps_import_each_other():
    assert structure.cycles(structure.app_edges()) == []


def test_every_deferred_cross_app_import_gives_its_reason():
    unexplained = [
        f"{d.path}:{d.line} {d.module}" for d in structure.deferred_imports() if not d.reason
    ]
    assert unexplained == []


def test_the_report_finds_a_deferred_import_and_its_reason(tmp_path):
    app = tmp_path / "zhibu" / "alpha"
    app.mkdir(parents=True)
    (app / "views.py").write_text(
        "def f():\n"
        "    from zhibu.beta.models import X  # beta imports alpha at start-up\n"
        "    from zhibu.gamma import y\n"
    )
    found = {(d.module, d.reason) for d in structure.deferred_imports(tmp_path)}
    assert found == {
        ("zhibu.beta.models", "beta imports alpha at start-up"),
        ("zhibu.gamma", ""),
    }
