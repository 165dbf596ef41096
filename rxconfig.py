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


# Without Redis (one worker, the embedded default), the tabs' states stay in the worker's memory.
# Reflex's default keeps them on disk too and scans the whole states folder every 2 s to purge
# old ones: a cost that grows with every open tab while nobody does anything. Every page reads
# its data again on (re)connect, so a restart loses nothing a page shows. With REFLEX_REDIS_URL
# Reflex keeps them in Redis (several workers).
_STATES = {} if os.environ.get("REFLEX_REDIS_URL") else {"state_manager_mode": "memory"}

config = rx.Config(
    **_STATES,
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
