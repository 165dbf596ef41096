"""The session cookies: names, attributes and how they are read back.

A session token lives only in an HttpOnly cookie, set by `GET /api/auth/session` (api.py) and
cleared by `POST /api/auth/signout`: JavaScript never sees it. The Reflex states read it from
the Cookie header of their websocket connection (`router.headers.cookie`, server side only;
Reflex 0.10 does not send request cookies to the browser).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from concierge_app.domain.sign_in import Kind
from concierge_app.settings import get_settings

STAFF_COOKIE = "concierge_staff"
PARTNER_COOKIE = "concierge_partner"
# A group login's chosen property (its code): not a secret, read and written by the pages.
PROPERTY_COOKIE = "concierge_partner_property"


def cookie_name(kind: Kind) -> str:
    return STAFF_COOKIE if kind is Kind.STAFF else PARTNER_COOKIE


def secure_cookies() -> bool:
    """Secure (sent over https only) exactly when the site's public address is https."""
    return urlsplit(get_settings().public_base_url).scheme == "https"


def read_cookie(header: str, name: str) -> str:
    """The value of cookie `name` in a Cookie request header ("" when absent). Parsed by hand:
    `http.cookies` gives up on the whole header at the first cookie it finds malformed."""
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key.strip() == name:
            return value.strip().strip('"')
    return ""


def public_origin() -> str:
    """scheme://host[:port] of PUBLIC_BASE_URL."""
    parts = urlsplit(get_settings().public_base_url)
    return f"{parts.scheme}://{parts.netloc}".lower()
