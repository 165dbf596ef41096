"""The app's pages as absolute addresses (on PUBLIC_BASE_URL), for messages and providers."""

from __future__ import annotations

from concierge_app.settings import get_settings


def public_url(path: str) -> str:
    """`path` (one of `concierge_app.routes`) on the app's public base URL."""
    return get_settings().public_base_url.rstrip("/") + path
