"""The load bench reads what a browser sends from the compiled frontend (bench/load/pages.py)
and builds each event's router data as state.js does (bench/load/tab.py). The app itself is
not started here (its frontend build alone takes over a minute): a build's files are written
in the shape Reflex 0.10 compiles them."""

from __future__ import annotations

from pathlib import Path

from bench.load.pages import PORTAL, read_frontend
from bench.load.tab import Route

_CONTEXT = """
export const initialStateHashes = ["e0396a2d9a6b0151", "74ff643b8523e9c3"]
export const stateSchema = "5e942721a8c313c766e18bb83d29b6b6"
"""

_PORTAL_COMPONENTS = f"""
const Moment_moment_f65_7a = /*#__PURE__*/ (() => {{
const Moment_moment_f65_7a = memo(({{children, ...rest}}) => {{
    const on_change_65a = useCallback(((_ev_0) => (addEvents([(ReflexEvent("{PORTAL}.poll", \
({{ ["_tick"] : _ev_0 }}), ({{  }})))], [_ev_0], ({{  }})))), [addEvents, ReflexEvent])
    return(
        jsx(Moment,{{...mergeSlotProps(rest, ({{ css:({{ ["display"] : "none" }}), \
interval:500, onChange:on_change_65a }}))}},)
    )
}});
"""


def _build(tmp_path: Path, *, portal_timer: bool) -> Path:
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "context.jsx").write_text(_CONTEXT)
    routes = tmp_path / "app" / "routes"
    routes.mkdir(parents=True)
    components = tmp_path / "app_components" / "concierge_app" / "ui" / "guest" / "portal"
    components.mkdir(parents=True)
    (routes / "[portal].$[reference]._index.jsx").write_text(
        'import {Moment_moment_f65_7a} from "$/app_components/concierge_app/ui/guest/portal/page"'
    )
    (components / "page.jsx").write_text(_PORTAL_COMPONENTS if portal_timer else "")
    for other in ("[bookings].$[reference]._index.jsx", "[partner].[invoices]._index.jsx"):
        (routes / other).write_text("")
    return tmp_path


def test_the_boot_payload_and_the_portal_timer_come_from_the_build(tmp_path: Path) -> None:
    frontend = read_frontend(_build(tmp_path, portal_timer=True))
    assert frontend.boot.hashes == ["e0396a2d9a6b0151", "74ff643b8523e9c3"]
    assert frontend.boot.state_schema == "5e942721a8c313c766e18bb83d29b6b6"
    assert frontend.portal_poll == (f"{PORTAL}.poll", "_tick", 500)
    assert frontend.staff_poll == ("", "", 0)  # no timer on that page of this build


def test_a_page_without_a_timer_sends_no_poll(tmp_path: Path) -> None:
    assert read_frontend(_build(tmp_path, portal_timer=False)).portal_poll == ("", "", 0)


def test_router_data_carries_the_query_and_the_route_parameters() -> None:
    route = Route("/portal/LB-1", "?t=abc&x=", {"reference": "LB-1"})
    assert route.router_data() == {
        "pathname": "/portal/LB-1",
        "asPath": "/portal/LB-1?t=abc&x=",
        "query": {"t": "abc", "x": "", "reference": "LB-1"},
    }
    assert Route("/partner/invoices").router_data() == {
        "pathname": "/partner/invoices",
        "asPath": "/partner/invoices",
    }
