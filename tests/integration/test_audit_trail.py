"""Every billing action is in the hash-chained audit trail, and tampering is detected."""

from sqlalchemy import text

from concierge_app.domain.roles import Role
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import portfolio
from concierge_app.services.shared.audit import booking_audit_log, verify_chain

from ..factories import ACTOR, add_service, add_staff, make_world, pay, send_draft


def test_the_booking_log_says_what_was_billed_when_and_by_whom(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    pay(w, [send_draft(w)])
    add_staff(db, "clara@staff.example", Role.CONCIERGE)
    portfolio.cancel_service(db=db, service_id=sid, actor="clara@staff.example")
    log = booking_audit_log(db=db, booking_id=w.booking_id)
    assert [e.action for e in log] == [
        "booking.created",
        "service.added",
        "service.confirmed",
        "invoice.sent",
        "payment.started",
        "payment.succeeded",
        "service.cancelled",
    ]
    assert log[3].actor == ACTOR and "10.00 EUR" in log[3].data
    assert log[-1].actor == "clara@staff.example"
    assert [e.sequence for e in log] == sorted(e.sequence for e in log)


def test_the_chain_verifies_and_detects_an_edited_event(sqlite_db):
    db = sqlite_db
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    send_draft(w)
    report = verify_chain(db=db)
    assert report.ok and report.events_checked > 5
    # Someone with raw database access drops the guard and edits history.
    with db.transaction() as s:
        s.execute(text("DROP TRIGGER audit_event_no_update"))
        s.execute(
            text(
                "UPDATE audit_event SET data = replace(data, '10.00', '1.00') "
                "WHERE action = 'invoice.sent'"
            )
        )
    report = verify_chain(db=db)
    assert not report.ok and report.problem == "content altered"


def test_the_chain_detects_a_deleted_event(sqlite_db):
    db = sqlite_db
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    with db.transaction() as s:
        s.execute(text("DROP TRIGGER audit_event_no_delete"))
        s.execute(text("DELETE FROM audit_event WHERE id = 2"))
    report = verify_chain(db=db)
    assert not report.ok and report.first_bad_sequence == 2
