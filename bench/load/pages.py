"""The pages the bench opens, as the compiled frontend sees them: the states' full names, what
the browser sends on connect (the compiled `initialStateHashes` and `stateSchema` of
`utils/context.jsx`), each page's `rx.moment` timer (event and interval, read from the page's
compiled components) and when a page's data counts as arrived or Paid."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bench.load.tab import Boot, StateNames, Tab

# The state classes' full names (as in the compiled frontend and the deltas).
_ROOT = "reflex___state____state"
_ON_LOAD = f"{_ROOT}.reflex___state____on_load_internal_state.on_load_internal"
PORTAL = f"{_ROOT}.concierge_app___ui___guest___portal___state____portal_state"
CHECKOUT = (
    f"{_ROOT}.concierge_app___ui___shared___sandbox_checkout___state____sandbox_checkout_state"
)
STAFF_AUTH = f"{_ROOT}.concierge_app___ui___staff___session____auth_state"
STAFF_BOOKING = f"{STAFF_AUTH}.concierge_app___ui___staff___booking___state____booking_state"
PARTNER_AUTH = f"{_ROOT}.concierge_app___ui___partner___session____partner_auth_state"
PARTNER_INVOICES = (
    f"{PARTNER_AUTH}.concierge_app___ui___partner___invoices___state____partner_invoices_state"
)


@dataclass(frozen=True)
class Frontend:
    """What the compiled frontend sends that the bench must send too."""

    boot: Boot
    # each page's timer: (event, its argument, interval ms); ("", "", 0): none
    portal_poll: tuple[str, str, int]
    staff_poll: tuple[str, str, int]  # the staff booking page's
    partner_poll: tuple[str, str, int]  # the partner Invoices page's


def _timer(web: Path, route_file: str) -> tuple[str, str, int]:
    """The first `rx.moment` with an interval in the page's compiled components: the event its
    on_change sends, the event's argument and the interval; ("", "", 0) when there is none."""
    route = (web / "app" / "routes" / route_file).read_text()
    for module in re.findall(r'from "\$/(app_components/[^"]+)"', route):
        path = web / f"{module}.jsx"
        if not path.exists():
            continue
        source = path.read_text()
        for block in re.findall(r"= memo\(\(.*?\n\}\);", source, flags=re.S):
            if "jsx(Moment" not in block:
                continue
            interval = re.search(r"interval:(\d+)", block)
            event = re.search(r'ReflexEvent\("([^"]+)", \(\{ \["(\w+)"\] : _ev_0', block)
            if interval and event:
                return event.group(1), event.group(2), int(interval.group(1))
    return "", "", 0


def read_frontend(web: Path) -> Frontend:
    """From the build the app serves (REFLEX_WEB_WORKDIR)."""
    context = (web / "utils" / "context.jsx").read_text()
    hashes = re.search(r"initialStateHashes = (\[[^\]]*\])", context)
    schema = re.search(r'stateSchema = "([^"]*)"', context)
    return Frontend(
        boot=Boot(
            names=StateNames(root=_ROOT, on_load_internal=_ON_LOAD),
            hashes=json.loads(hashes.group(1)) if hashes else [],
            state_schema=schema.group(1) if schema else "",
        ),
        portal_poll=_timer(web, "[portal].$[reference]._index.jsx"),
        staff_poll=_timer(web, "[bookings].$[reference]._index.jsx"),
        partner_poll=_timer(web, "[partner].[invoices]._index.jsx"),
    )


# -- when a page's data arrived -------------------------------------------------------------
def portal_ready(number: str):  # type: ignore[no-untyped-def]
    """The Payments card shows the booking's open invoice and the total due."""

    def ready(tab: Tab) -> bool:
        if tab.get(PORTAL, "view") != "portal" or not tab.get(PORTAL, "total_due"):
            return False
        return any(i.get("number") == number for i in tab.get(PORTAL, "open_invoices") or [])

    return ready


def portal_paid(number: str):  # type: ignore[no-untyped-def]
    """The Payments card shows the invoice Paid (and no longer open)."""

    def paid(tab: Tab) -> bool:
        open_numbers = {i.get("number") for i in tab.get(PORTAL, "open_invoices") or []}
        paid_numbers = {i.get("number") for i in tab.get(PORTAL, "paid_invoices") or []}
        return number in paid_numbers and number not in open_numbers

    return paid


def staff_status(number: str, status: str):  # type: ignore[no-untyped-def]
    """The staff booking page lists the invoice with this status."""

    def shows(tab: Tab) -> bool:
        rows = tab.get(STAFF_BOOKING, "invoices") or []
        return any(r.get("number") == number and r.get("status") == status for r in rows)

    return shows


def partner_invoices_ready(tab: Tab) -> bool:
    """The partner's Invoices page has read the partner's documents."""
    return tab.get(PARTNER_INVOICES, "view") == "ready"


def checkout_open(tab: Tab) -> bool:
    return tab.get(CHECKOUT, "view") == "open"


def redirect_to(tab: Tab, prefix: str) -> str | None:
    """The path of the latest `_redirect` frontend event starting with `prefix`."""
    for event in reversed(tab.frontend_events):
        if event.get("name") == "_redirect":
            path = str((event.get("payload") or {}).get("path", ""))
            if prefix in path:
                return path
    return None
