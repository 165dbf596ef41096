"""The layering is checked by import-linter (`make lint`); an import inside a function or a class
would hide a dependency from it (and is how an import circle gets dodged), so our modules import
each other at module level only. Imports under a module-level `if TYPE_CHECKING:` are fine."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "concierge_app"
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _ours(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == PACKAGE.name
    return any(alias.name.split(".")[0] == PACKAGE.name for alias in node.names)


def _nested_imports(tree: ast.AST, inside: str | None = None) -> Iterator[tuple[int, str, str]]:
    """(line, enclosing function or class, imported module) of each import of ours below a
    function or class."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom) and inside and _ours(child):
            module = (
                "." * child.level + (child.module or "")
                if isinstance(child, ast.ImportFrom)
                else ", ".join(alias.name for alias in child.names)
            )
            yield child.lineno, inside, module
        scope = getattr(child, "name", "lambda") if isinstance(child, SCOPES) else inside
        yield from _nested_imports(child, scope)


def nested_imports(root: Path = PACKAGE) -> list[str]:
    """`path:line in scope: module` for every import of ours inside a function or class body."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, scope, module in _nested_imports(tree):
            found.append(f"{path.relative_to(root.parent)}:{line} in {scope}: {module}")
    return found


def test_the_check_sees_imports_in_functions_methods_and_classes_but_not_at_module_level(
    tmp_path: Path,
) -> None:
    package = tmp_path / "concierge_app"
    package.mkdir()
    (package / "sample.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import json\n"
        "from concierge_app.domain import money\n"
        "if TYPE_CHECKING:\n"
        "    from concierge_app.db.engine import Database\n"
        "def f():\n"
        "    import json\n"
        "    from concierge_app.services import shared\n"
        "class C:\n"
        "    import concierge_app.settings\n"
        "    def m(self):\n"
        "        from . import sibling\n",
        encoding="utf-8",
    )
    assert nested_imports(package) == [
        "concierge_app/sample.py:8 in f: concierge_app.services",
        "concierge_app/sample.py:10 in C: concierge_app.settings",
        "concierge_app/sample.py:12 in m: .",
    ]


def test_no_module_of_ours_imports_another_inside_a_function_or_class() -> None:
    assert nested_imports() == []
