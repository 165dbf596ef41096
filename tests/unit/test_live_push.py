"""Which open pages the live-update watcher reloads for a change (`ui/shared/live_push.py`)."""

from __future__ import annotations

from concierge_app.services.shared.changes import LedgerChanges
from concierge_app.ui.shared.live_push import LiveRegistry, Watch


class Page:  # stands for a page's state class (only its identity matters here)
    pass


GUEST_7 = Watch(Page, booking_id=7, since=10)  # type: ignore[arg-type]
GUEST_8 = Watch(Page, booking_id=8, since=10)  # type: ignore[arg-type]
PARTNER_3 = Watch(Page, partner_id=3, since=10)  # type: ignore[arg-type]
STAFF_LIST = Watch(Page, since=10)  # type: ignore[arg-type]
SECURITY = Watch(Page, sign_ins=True, since=10)  # type: ignore[arg-type]


def registry() -> LiveRegistry:
    r = LiveRegistry()
    r.seen = 10
    for token, watch in [
        ("g7", GUEST_7),
        ("g8", GUEST_8),
        ("p3", PARTNER_3),
        ("staff", STAFF_LIST),
        ("sec", SECURITY),
    ]:
        r.watch(token, watch)
    return r


def test_nothing_moved_reloads_no_page():
    assert registry().concerned(LedgerChanges(head=10)) == []


def test_a_booking_change_reloads_that_booking_its_partners_and_the_ledger_pages():
    changes = LedgerChanges(head=11, bookings=frozenset({7}), partners=frozenset({3}))
    assert sorted(registry().concerned(changes)) == ["g7", "p3", "sec", "staff"]


def test_another_partners_booking_leaves_this_partner_and_other_guests_alone():
    changes = LedgerChanges(head=11, bookings=frozenset({8}), partners=frozenset({4}))
    assert sorted(registry().concerned(changes)) == ["g8", "sec", "staff"]


def test_a_change_of_no_booking_nor_partner_reloads_every_partner_but_no_guest():
    changes = LedgerChanges(head=11, other=True)
    assert sorted(registry().concerned(changes)) == ["p3", "sec", "staff"]


def test_a_sign_in_reloads_the_security_page_only():
    changes = LedgerChanges(head=10, sign_in_head=5, sign_ins=True)
    assert registry().concerned(changes) == ["sec"]


def test_too_many_changes_reload_everything():
    changes = LedgerChanges(head=5000, everything=True)
    assert sorted(registry().concerned(changes)) == ["g7", "g8", "p3", "sec", "staff"]


def test_a_page_that_read_older_data_than_the_watcher_saw_is_looked_at_once():
    r = registry()
    r.watch("late", Watch(Page, booking_id=9, since=9))  # type: ignore[arg-type]
    assert r.concerned(LedgerChanges(head=10)) == ["late"]
    assert r.concerned(LedgerChanges(head=10)) == []  # only once


def test_a_tab_shows_one_page_and_a_closed_tab_is_forgotten():
    r = registry()
    r.watch("g7", Watch(Page, booking_id=8, since=10))  # type: ignore[arg-type]
    assert sorted(r.concerned(LedgerChanges(head=11, bookings=frozenset({7})))) == ["sec", "staff"]
    r.forget(["g8", "g7"])
    changes = LedgerChanges(head=12, bookings=frozenset({7, 8}))
    assert sorted(r.concerned(changes)) == ["sec", "staff"]


def test_a_page_that_saw_a_newer_version_wakes_the_watcher():
    r = registry()
    assert not r.nudged.is_set()
    r.watch("g7", Watch(Page, booking_id=7, since=10))  # type: ignore[arg-type]
    assert not r.nudged.is_set()  # nothing the watcher has not seen
    r.watch("g7", Watch(Page, booking_id=7, since=12))  # type: ignore[arg-type]
    assert r.nudged.is_set()


def test_booking_pages_are_reloaded_before_partner_and_ledger_pages():
    r = registry()
    changes = LedgerChanges(head=11, bookings=frozenset({7}), partners=frozenset({3}))
    turns = r.in_turns(r.concerned(changes))
    assert [sorted(turn) for turn in turns] == [["g7"], ["p3", "sec", "staff"]]


def test_turns_skip_forgotten_tabs_and_empty_turns():
    r = registry()
    r.forget(["g7"])
    assert r.in_turns(["g7", "p3"]) == [["p3"]]
    assert r.in_turns([]) == []
