"""`GET /api/auth/session` and `POST /api/auth/signout` over HTTP (the ASGI app): the session
cookie is HttpOnly, SameSite=Lax, Path=/, Secure exactly when PUBLIC_BASE_URL is https; another
site cannot start either request."""

from __future__ import annotations

import httpx
import pytest

from concierge_app import api as api_module
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.settings import get_settings
from concierge_app.ui.shared.session_cookies import read_cookie
from tests.conftest import run_async

from .sign_in_support import (
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_partner_login,
    add_staff,
    staff_token,
)

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app_db(sqlite_db, monkeypatch):
    monkeypatch.setattr(api_module, "get_database", lambda: sqlite_db)
    return sqlite_db


def call(method: str, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=api_module.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
            return await client.request(method, url, headers=headers or {})

    return run_async(send())


def staff_ticket(db) -> str:
    return auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD).ticket


def attributes(response: httpx.Response, name: str) -> dict[str, str]:
    """The attributes of the Set-Cookie header for `name` (lower-case keys)."""
    for header in response.headers.get_list("set-cookie"):
        first, *rest = [p.strip() for p in header.split(";")]
        key, _, value = first.partition("=")
        if key == name:
            attrs = {"value": value}
            for part in rest:
                k, _, v = part.partition("=")
                attrs[k.lower()] = v
            return attrs
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def test_the_session_cookie_is_httponly_lax_and_not_secure_over_http(app_db):
    add_staff(app_db)
    response = call(
        "GET",
        f"/api/auth/session?code={staff_ticket(app_db)}&next=/bookings/AZ-1?x=1",
        SAME_ORIGIN,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/bookings/AZ-1?x=1"
    assert response.headers["cache-control"] == "no-store"
    cookie = attributes(response, "concierge_staff")
    assert auth.current_staff(db=app_db, token=cookie["value"]) is not None
    assert "httponly" in cookie and cookie["samesite"] == "lax" and cookie["path"] == "/"
    assert cookie["max-age"] == str(12 * 3600)
    assert "secure" not in cookie


def test_the_session_cookie_is_secure_when_the_site_is_https(app_db, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://billing.example.com")
    get_settings.cache_clear()
    add_staff(app_db)
    response = call("GET", f"/api/auth/session?code={staff_ticket(app_db)}&next=/", SAME_ORIGIN)
    cookie = attributes(response, "concierge_staff")
    assert "secure" in cookie and "httponly" in cookie and cookie["samesite"] == "lax"


def test_a_used_or_unknown_ticket_goes_back_to_sign_in_without_a_cookie(app_db):
    add_staff(app_db)
    ticket = staff_ticket(app_db)
    assert call("GET", f"/api/auth/session?code={ticket}&next=/", SAME_ORIGIN).status_code == 303
    again = call("GET", f"/api/auth/session?code={ticket}&next=/finance", SAME_ORIGIN)
    assert (again.status_code, again.headers["location"]) == (303, "/login?expired=1")
    assert again.headers.get_list("set-cookie") == []
    partner = call("GET", "/api/auth/session?code=nope&next=/partner/invoices", SAME_ORIGIN)
    assert partner.headers["location"] == "/partner/login?expired=1"


def test_another_site_cannot_open_a_session_and_next_never_leaves_the_site(app_db):
    add_staff(app_db)
    ticket = staff_ticket(app_db)
    refused = call(
        "GET", f"/api/auth/session?code={ticket}&next=/", {"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403 and refused.headers.get_list("set-cookie") == []
    # The ticket was not spent by the refused request; `next` elsewhere goes home instead.
    response = call("GET", f"/api/auth/session?code={ticket}&next=//evil.example/", SAME_ORIGIN)
    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_a_partner_ticket_sets_the_partner_cookie_and_starts_at_the_home_property(app_db):
    add_partner_login(app_db)
    signed = partner_auth.partner_sign_in(db=app_db, email=PARTNER_EMAIL, password=PARTNER_PASSWORD)
    response = call("GET", f"/api/auth/session?code={signed.ticket}&next=/finance", SAME_ORIGIN)
    assert response.headers["location"] == "/partner"  # a partner stays in the Extranet
    cookie = attributes(response, "concierge_partner")
    assert "httponly" in cookie and cookie["samesite"] == "lax"
    assert partner_auth.current_partner_user(db=app_db, token=cookie["value"]) is not None
    assert attributes(response, "concierge_partner_property")["max-age"] == "0"


def test_sign_out_ends_the_session_and_clears_the_cookie(app_db):
    add_staff(app_db)
    token = staff_token(app_db)
    headers = {"Cookie": f"other=1; concierge_staff={token}", "Origin": "http://app.test"}
    assert call("GET", "/api/auth/signout?kind=staff", headers).status_code == 405
    response = call("POST", "/api/auth/signout?kind=staff", headers | SAME_ORIGIN)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    cleared = attributes(response, "concierge_staff")
    assert cleared["max-age"] == "0" and "httponly" in cleared
    assert auth.current_staff(db=app_db, token=token) is None


def test_another_site_cannot_sign_anyone_out(app_db):
    add_staff(app_db)
    token = staff_token(app_db)
    cookie = {"Cookie": f"concierge_staff={token}"}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ):
        assert call("POST", "/api/auth/signout", cookie | headers).status_code == 403
    assert auth.current_staff(db=app_db, token=token) is not None


def test_a_partner_signs_out_of_the_partner_session_only(app_db):
    add_staff(app_db)
    add_partner_login(app_db)
    staff = staff_token(app_db)
    signed = partner_auth.partner_sign_in(db=app_db, email=PARTNER_EMAIL, password=PARTNER_PASSWORD)
    opened = call("GET", f"/api/auth/session?code={signed.ticket}&next=/partner", SAME_ORIGIN)
    partner = attributes(opened, "concierge_partner")["value"]
    cookies = f"concierge_staff={staff}; concierge_partner={partner}"
    response = call("POST", "/api/auth/signout?kind=partner", {"Cookie": cookies} | SAME_ORIGIN)
    assert response.headers["location"] == "/partner/login"
    assert partner_auth.current_partner_user(db=app_db, token=partner) is None
    assert auth.current_staff(db=app_db, token=staff) is not None


def test_the_cookie_header_is_read_even_around_malformed_cookies():
    header = 'a="x; concierge_staff=tok-en_1; broken; concierge_partner="quoted"'
    assert read_cookie(header, "concierge_staff") == "tok-en_1"
    assert read_cookie(header, "concierge_partner") == "quoted"
    assert read_cookie(header, "missing") == ""


def test_behind_a_tls_proxy_the_browsers_same_origin_word_is_enough(app_db):
    add_staff(app_db)
    token = staff_token(app_db)
    headers = {
        "Cookie": f"concierge_staff={token}",
        "Origin": "https://billing.example.com",  # the proxy's address, not the app's own
        "Sec-Fetch-Site": "same-origin",
    }
    assert call("POST", "/api/auth/signout", headers).status_code == 303
    assert auth.current_staff(db=app_db, token=token) is None
