"""Reflex configuration.

The database URL comes from `concierge_app.settings` (env var `DATABASE_URL`, or `.env`; default
`data/concierge.db` in the repo). If the package cannot be imported, the same variable and default
are read here, so this file stays importable on its own.
"""

import os
from pathlib import Path

import reflex as rx


def _database_url() -> str:
    try:
        from concierge_app.settings import get_settings
    except ImportError:
        default = f"sqlite:///{Path(__file__).resolve().parent / 'data' / 'concierge.db'}"
        return os.environ.get("DATABASE_URL") or default
    return get_settings().database_url


config = rx.Config(
    app_name="concierge_app",
    db_url=_database_url(),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        # Reflex 0.9+ takes the Radix theme here; `rx.App(theme=...)` is deprecated.
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="light",
                accent_color="teal",
                gray_color="slate",
                radius="medium",
                scaling="100%",
                panel_background="solid",
            )
        ),
    ],
    # No public deployment URL to put in a sitemap; the plugin only warns about that.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
