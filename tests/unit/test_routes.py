"""routes.py: every path once; the addresses built from it and read back from it."""

from concierge_app import routes


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
