"""Roles enforced in the services (SQLite and PostgreSQL): a concierge-only user is refused a
refund, a write-off, a template edit, the month-end and the journal; a finance-only user is
refused invoices; an unknown or disabled email is refused everything; the app's own actors
(system:, cli:, …) pass. A refusal says why and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.partner_billing import PartnerInvoiceState, Period
from concierge_app.domain.roles import NotAllowed, Role
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.access import guard, staff_users
from concierge_app.services.access.roles import Permission, require_in
from concierge_app.services.books.journal import build_journal
from concierge_app.services.guest import invoicing, portfolio, refunds
from concierge_app.services.partner import accounts
from concierge_app.services.partner.billing.month_end import run_month_end
from concierge_app.services.partner.money import corrections
from concierge_app.services.shared import messages

from ..factories import add_service, draft_id, make_world, pay, send_draft, snapshot

CONCIERGE = "desk@test.example"
FINANCE = "money@test.example"


def staff(db, email, *roles: Role, active: bool = True) -> int:
    staff_id = accounts.create_staff_user(
        db=db, email=email, name=email.split("@")[0], password="x", policy=False, roles=roles
    )
    if not active:
        staff_users.disable_staff(db=db, staff_id=staff_id, actor="system:test")
    return staff_id


def refused(db, call, message: str) -> None:
    before = snapshot(db)
    with pytest.raises(NotAllowed) as error:
        call()
    assert str(error.value) == message
    assert snapshot(db) == before


def test_concierge_only_is_refused_finance_and_admin_work(db):
    staff(db, CONCIERGE, Role.CONCIERGE)
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Tour")
    pay(w, [send_draft(w)])
    refused(
        db,
        lambda: refunds.issue_refund(
            db=db,
            service_id=sid,
            amount=w.money("10.00"),
            note="rain",
            actor=CONCIERGE,
            idempotency_key="k",
        ),
        "Your role does not allow refunds. Ask an admin.",
    )
    refused(
        db,
        lambda: messages.update_template(
            db=db, key="invoice_sent", subject="Hi", body="Hello", actor=CONCIERGE
        ),
        "Your role does not allow editing templates. Ask an admin.",
    )
    refused(
        db,
        lambda: corrections.close_invoice(
            db=db,
            invoice_id=1,
            to=PartnerInvoiceState.WRITTEN_OFF,
            reason="Unpaid",
            actor=CONCIERGE,
        ),
        "Your role does not allow writing off invoices. Ask an admin.",
    )
    refused(
        db,
        lambda: run_month_end(
            db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor=CONCIERGE
        ),
        "Your role does not allow running the month-end. Ask an admin.",
    )
    refused(
        db,
        lambda: build_journal(db=db, period=Period(2026, 11), actor=CONCIERGE),
        "Your role does not allow exports. Ask an admin.",
    )
    # … and may do its own work
    other = add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00", confirm=False)
    assert portfolio.confirm_service(db=db, service_id=other, actor=CONCIERGE).invoice_id


def test_finance_only_is_refused_invoices_and_services(db):
    staff(db, FINANCE, Role.FINANCE)
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    refused(
        db,
        lambda: invoicing.send_invoice(db=db, invoice_id=draft_id(w), actor=FINANCE),
        "Your role does not allow sending or voiding invoices. Ask an admin.",
    )
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00", confirm=False)
    refused(
        db,
        lambda: portfolio.confirm_service(db=db, service_id=sid, actor=FINANCE),
        "Your role does not allow changing services. Ask an admin.",
    )
    refused(
        db,
        lambda: guard.unlock(db=db, account_id=1, actor=FINANCE),
        "Your role does not allow changing other people's sign-in. Ask an admin.",
    )


@pytest.mark.parametrize(
    "actor",
    ["nobody@test.example", "STAFF@test.example.evil", "", "   ", "zoë@ünïcode.example"],
)
def test_unknown_emails_and_nobody_are_refused(db, actor):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00", confirm=False)
    before = snapshot(db)
    with pytest.raises(NotAllowed):
        portfolio.confirm_service(db=db, service_id=sid, actor=actor)
    assert snapshot(db) == before


def test_a_disabled_user_is_refused_what_their_roles_allowed(db):
    staff(db, CONCIERGE, Role.CONCIERGE, active=False)
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00", confirm=False)
    refused(
        db,
        lambda: portfolio.confirm_service(db=db, service_id=sid, actor=CONCIERGE),
        "Your role does not allow changing services. Ask an admin.",
    )


@pytest.mark.parametrize("actor", ["system:month_end", "cli:root", "provider:stripe", "demo"])
def test_the_app_itself_is_not_a_person(db, actor):
    require_in(db, actor, Permission.USERS)  # no error
    make_world(db)  # the tests' own staff member holds every role


def test_the_email_is_matched_without_case(db):
    staff(db, CONCIERGE, Role.CONCIERGE)
    require_in(db, "Desk@Test.Example", Permission.INVOICES)
    with pytest.raises(NotAllowed):
        require_in(db, "Desk@Test.Example", Permission.REFUNDS)
