"""Live updates: a hidden timer that asks the server twice a second whether the ledger moved."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler

POLL_MS = 500


def live_updates(on_tick: EventHandler) -> rx.Component:  # type: ignore[type-arg]
    """Fires `on_tick` every POLL_MS while the page is open; the handler reloads if needed."""
    return rx.moment(interval=POLL_MS, on_change=on_tick, display="none")
