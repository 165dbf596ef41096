"""routes.py: every path once; the addresses built from it and read back from it."""

import ast
import re
from pathlib import Path

from concierge_app import routes

PACKAGE = Path(routes.__file__).parent
# the first segment of every page and endpoint path routes.py defines
FIRST_SEGMENTS = sorted(
    {
        value.split("/")[1].split("?")[0]
        for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and value.startswith("/") and len(value) > 1
    }
)
SEGMENTS = "|".join(map(re.escape, FIRST_SEGMENTS))
PATH_LITERAL = re.compile(rf"^/({SEGMENTS})(/|$|\?|#)")


def bare_paths(root: Path = PACKAGE) -> list[str]:
    """`file:line 'literal'` of each string of the app, outside routes.py, that is one of its
    paths (or starts like one)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "routes.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if PATH_LITERAL.match(node.value):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.value!r}")
    return found


def test_every_path_is_written_once_in_routes_py() -> None:
    assert {"bookings", "finance", "partner", "portal", "api", "sandbox"} <= set(FIRST_SEGMENTS)
    assert bare_paths() == []


def test_the_check_finds_a_path_written_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "concierge_app").mkdir()
    sample = tmp_path / "concierge_app" / "links.py"
    sample.write_text('URL = "/partner/invoices"\nOK = "/etc/hosts"\n', encoding="utf-8")
    assert bare_paths(tmp_path / "concierge_app") == [
        "concierge_app/links.py:1 '/partner/invoices'"
    ]


def test_an_address_built_for_a_page_is_read_back_by_its_prefix() -> None:
    assert routes.booking("BK-000123") == "/bookings/BK-000123"
    assert routes.path_parameter(routes.booking("BK-000123"), routes.BOOKING_PREFIX) == "BK-000123"
    assert routes.path_parameter(
        "/finance/partners/PRP%2D1001/", routes.FINANCE_PARTNER_PREFIX
    ) == ("PRP-1001")
    assert routes.path_parameter(
        routes.partner_document("CM-1"), routes.PARTNER_DOCUMENT_PREFIX
    ) == ("CM-1")


def test_a_path_of_another_page_has_no_parameter() -> None:
    assert routes.path_parameter(routes.FINANCE, routes.FINANCE_PARTNER_PREFIX) == ""
    assert routes.path_parameter(routes.BOOKINGS, routes.BOOKING_PREFIX) == ""


def test_every_page_path_is_defined_once() -> None:
    paths = [
        value
        for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and not name.endswith("_PREFIX")
    ]
    assert len(paths) == len(set(paths)), sorted(paths)
