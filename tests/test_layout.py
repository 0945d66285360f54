"""The layout of the suite itself: no test module imports another test module. A test module
that others import runs its tests twice over (once per importer, with its fixtures shadowing
the conftest's) and cannot be split or renamed without breaking its neighbours; what tests
share lives in a conftest.py (fixtures) or a *_support.py / support.py module (helpers)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module an import statement of `source` names, with its line, anywhere in the
    file (a function-level import counts as much as one at the top)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))        # from tests.unit import test_x: the name is a module
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if not node.module.split(".")[-1].startswith("test_")]
    return found


def imports_of_test_modules(source: str) -> list[tuple[int, str]]:
    """The imports of `source` that reach a test module (tests.<...>.test_<name>)."""
    return [(line, name) for line, name in imported_modules(source)
            if name.startswith("tests.") and any(part.startswith("test_") for part in name.split(".")[1:])]


def test_the_check_sees_every_way_of_importing_a_test_module() -> None:
    source = ("from tests.unit.test_templates import DESK\n"
              "import tests.integration.test_agent_e2e\n"
              "from tests.unit import test_templates\n"
              "def f():\n    from tests.integration.test_sla_sweep import open_with_priority\n"
              "from tests.unit.template_support import DESK\nfrom tests.conftest import Clock\n")
    assert [line for line, _ in imports_of_test_modules(source)] == [1, 2, 3, 5]


def test_no_test_module_imports_another_test_module() -> None:
    offenders = [f"{path.relative_to(TESTS.parent)}:{line}: imports {name}"
                 for path in sorted(TESTS.rglob("*.py"))
                 for line, name in imports_of_test_modules(path.read_text(encoding="utf-8"))]
    assert offenders == [], "move what they share into a conftest.py or a support module:\n" + "\n".join(offenders)


# fixtures that hand a test a database (tests/conftest.py and the folders' conftest.py files)
DATABASE_FIXTURES = frozenset({"db_url", "empty_db_url", "pg_template", "sqlite_template", "make_settings",
                               "runtime", "runtime_factory", "imap_runtime_factory", "desk", "world"})
# modules that only code with a database needs
DATABASE_MODULES = ("sqlalchemy", "app.runtime", "app.poll", "models.db")


def database_needs(source: str) -> list[tuple[int, str]]:
    """Where `source` asks for a database: a function (test or fixture) taking a database
    fixture, or an import of what only database code uses."""
    tree = ast.parse(source)
    asks = [(node.lineno, f"fixture {arg.arg}") for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for arg in node.args.args + node.args.kwonlyargs if arg.arg in DATABASE_FIXTURES]
    imports = [(line, f"import {name}") for line, name in imported_modules(source)
               if any(name == m or name.startswith(m + ".") for m in DATABASE_MODULES)]
    return sorted(dict(asks + imports).items())  # one finding a line


def test_the_database_check_sees_a_fixture_and_an_import() -> None:
    source = ("from sqlalchemy import select\n"
              "def test_a(desk):\n    pass\n"
              "def test_b(tmp_path, *, runtime):\n    pass\n"
              "def test_c(tmp_path, capsys):\n    pass\n"
              "from models import Ticket\n")
    assert [line for line, _ in database_needs(source)] == [1, 2, 4]


def test_unit_tests_need_no_database() -> None:
    """README: unit/ holds the rules without a database (or a server); what needs one is in
    integration/. A test that starts needing one moves there."""
    offenders = [f"{path.relative_to(TESTS.parent)}:{line}: {what}"
                 for path in sorted((TESTS / "unit").rglob("*.py"))
                 for line, what in database_needs(path.read_text(encoding="utf-8"))]
    assert offenders == [], "these belong in tests/integration/:\n" + "\n".join(offenders)
