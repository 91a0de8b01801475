"""The tests' own layout: helpers live in tests/kit/ and the conftest modules, so no test module imports
another (a test module is for tests; importing one runs its module-level set-up and couples two suites)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return [
        name for name in names if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    ]


def test_no_test_module_imports_another() -> None:
    offenders = {
        str(path.relative_to(TESTS)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := imported_test_modules(path))
    }
    assert offenders == {}, offenders


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text("from tests.payments.test_runs import helper\nimport tests.kit\n", encoding="utf-8")
    assert imported_test_modules(module) == ["tests.payments.test_runs"]
