"""Group accounts (the multiple property payment plan) on SQLite and PostgreSQL: a transfer
quoting the group code is allocated across the group's properties oldest due first, the
allocation breakdown is emailed and audited; staff assign a queued transfer to a group; an
online group payment skips written-off documents; the group page's read model; tenant
isolation between a group login, an ordinary login and another group."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.errors import Conflict, DomainError, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState, Period, StatusColour
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access.tickets import redeem_session
from concierge_app.services.guest import bookings
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.money import (
    corrections as partner_corrections,
)
from concierge_app.services.partner.money import (
    credit as partner_credit,
)
from concierge_app.services.partner.money import (
    groups as partner_groups,
)
from concierge_app.services.partner.money import (
    payments as partner_payments,
)
from concierge_app.services.partner.money import (
    transfers as partner_transfers,
)
from concierge_app.services.partner.views import (
    documents as partner_documents,
)
from concierge_app.services.partner.views import (
    finance as partner_finance,
)
from concierge_app.services.partner.views.group import group_view
from concierge_app.settings import get_settings

from ..factories import ACTOR, snapshot

FRIDAY = date(2026, 12, 4)  # received on a Friday: reflected on Tuesday
TUESDAY = date(2026, 12, 8)
PASSWORD = "harbour-lantern-quartz-7"  # passes the password policy


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def prop(db, code, name, actor=ACTOR):
    """A property paid gross (it owes its whole commission), paying by bank transfer, in a
    country without VAT documents."""
    return partners.create_partner(
        db=db,
        code=code,
        name=name,
        kind="property",
        category="villa",
        country="PT",
        currency="EUR",
        commission_rate_bps=1000,
        finance_email=f"{code.lower()}@example.com",
        payout_method="gross_stripe",
        commission_payment_method="bank_transfer",
        actor=actor,
    )


def stay(db, property_id, ref, check_in, check_out, total):
    guest = bookings.create_guest(db=db, name="Ana", email=f"{ref.lower()}@example.com")
    bookings.create_booking(
        db=db,
        reference=ref,
        guest_id=guest,
        property_id=property_id,
        check_in=check_in,
        check_out=check_out,
        currency="EUR",
        accommodation_total=eur(total),
        actor=ACTOR,
    )


@pytest.fixture
def plan(db):
    """GRP-9001 over Villa Sol (October: €100, November: €80) and Casa Mar (November: €50);
    Villa Lejos (November: €30) is on its own; GRP-9002 has Casa Otra (November: €20)."""
    sol, mar = prop(db, "PRP-SOL1", "Villa Sol"), prop(db, "PRP-MAR2", "Casa Mar")
    lejos, otra = prop(db, "PRP-LEJ3", "Villa Lejos"), prop(db, "PRP-OTR4", "Casa Otra")
    stay(db, sol, "BK-S0", date(2026, 10, 5), date(2026, 10, 9), "1000.00")
    month_end.run_month_end(db=db, period=Period(2026, 10), run_date=date(2026, 11, 3), actor=ACTOR)
    stay(db, sol, "BK-S1", date(2026, 11, 2), date(2026, 11, 6), "800.00")
    stay(db, mar, "BK-M1", date(2026, 11, 10), date(2026, 11, 12), "500.00")
    stay(db, lejos, "BK-L1", date(2026, 11, 10), date(2026, 11, 12), "300.00")
    stay(db, otra, "BK-O1", date(2026, 11, 10), date(2026, 11, 12), "200.00")
    month_end.run_month_end(db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor=ACTOR)
    group = partner_groups.create_group(
        db=db,
        code="grp-9001",
        name="Balearic Test Group",
        finance_email="Money@Group.test",
        actor=ACTOR,
    )
    other = partner_groups.create_group(
        db=db, code="GRP-9002", name="Other Group", finance_email="other@group.test", actor=ACTOR
    )
    for pid in (sol, mar):
        partner_groups.join_group(db=db, group_id=group, partner_id=pid, actor=ACTOR)
    partner_groups.join_group(db=db, group_id=other, partner_id=otra, actor=ACTOR)
    numbers = {}
    with db.read() as s:
        for inv in s.exec(select(PartnerInvoice).order_by(col(PartnerInvoice.id))).all():
            numbers[(inv.partner_id, inv.period)] = inv.number
    return {
        "db": db,
        "group": group,
        "other": other,
        "sol": sol,
        "mar": mar,
        "lejos": lejos,
        "otra": otra,
        "sol_oct": numbers[(sol, "2026-10")],
        "sol_nov": numbers[(sol, "2026-11")],
        "mar_nov": numbers[(mar, "2026-11")],
        "lejos_nov": numbers[(lejos, "2026-11")],
        "otra_nov": numbers[(otra, "2026-11")],
    }


def transfer(db, amount, reference, external_id="BANK-G1"):
    return partner_transfers.record_bank_transfer(
        db=db,
        amount=eur(amount),
        reference=reference,
        received_on=FRIDAY,
        external_id=external_id,
        actor=ACTOR,
    )


def statuses(db, partner_id, today=TUESDAY):
    return {
        s.number: (s.status_text, s.status_colour)
        for s in partner_documents.partner_invoices(db=db, partner_id=partner_id, today=today)
    }


def outbox(db):
    with db.read() as s:
        return s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "payment_allocation")
        ).all()


def events(db, action):
    with db.read() as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def actions_about(db, subject):
    with db.read() as s:
        return [
            e.action
            for e in s.exec(
                select(AuditEvent).where(AuditEvent.subject == subject).order_by(col(AuditEvent.id))
            ).all()
        ]


def test_a_group_transfer_is_allocated_across_properties_oldest_due_first(plan):
    db = plan["db"]
    first_nov, second_nov = sorted([plan["sol_nov"], plan["mar_nov"]])
    outcome = transfer(db, "150.00", "Payment GRP-9001")
    assert outcome.matched and outcome.partner_code == "GRP-9001" and not outcome.duplicate
    # October's invoice is due first; then November's, the lower number first.
    amounts = {plan["sol_nov"]: "80.00", plan["mar_nov"]: "50.00"}
    assert outcome.allocated == (
        (plan["sol_oct"], eur("100.00")),
        (first_nov, eur("50.00")),
    )
    assert outcome.credit_left.is_zero and outcome.reflected_on == TUESDAY
    with db.read() as s:
        pay = s.get(PartnerPayment, outcome.payment_id)
        assert pay is not None
        assert (pay.group_id, pay.partner_id, pay.status) == (plan["group"], None, "applied")
    # Processing until Tuesday, then paid / part-paid.
    monday = statuses(db, plan["sol"], date(2026, 12, 7))
    assert monday[plan["sol_oct"]][1] is StatusColour.RED
    sol, mar = statuses(db, plan["sol"]), statuses(db, plan["mar"])
    both = sol | mar
    assert both[plan["sol_oct"]] == ("Paid", StatusColour.GREEN)
    assert both[first_nov] == (
        f"You've paid €50.00 of €{amounts[first_nov]}",
        StatusColour.RED,
    )
    assert both[second_nov] == ("Due by December 16, 2026", StatusColour.RED)
    assert statuses(db, plan["lejos"])[plan["lejos_nov"]][0] == "Due by December 16, 2026"

    (mail,) = outbox(db)
    assert mail.recipient == "money@group.test" and mail.partner_id is None
    platform = get_settings().platform_name
    assert mail.subject == f"{platform}: your payment of €150.00 — how it was applied"
    name = {plan["sol_nov"]: "Villa Sol (PRP-SOL1)", plan["mar_nov"]: "Casa Mar (PRP-MAR2)"}
    still = {plan["sol_nov"]: "€30.00", plan["mar_nov"]: "€0.00"}
    assert "Amount: €150.00\nMethod: Bank transfer\nDate: December 4, 2026\n" in mail.body, (
        mail.body
    )
    assert (
        f"  • Villa Sol (PRP-SOL1), {plan['sol_oct']}: €100.00 applied, €0.00 still due\n"
        f"  • {name[first_nov]}, {first_nov}: €50.00 applied, {still[first_nov]} still due\n"
    ) in mail.body
    assert "Credit left: €0.00" in mail.body and "/partner/group" in mail.body
    (received,) = events(db, "partner_payment.received")
    assert received.subject == f"partner_payment:{outcome.payment_id}"
    assert '"group":"GRP-9001"' in received.data
    assert (
        f'"allocated":{{"{plan["sol_oct"]}":"100.00 EUR","{first_nov}":"50.00 EUR"}}'
        in received.data
    )
    # audited once, by the transfer (the allocation is no separate event)
    assert actions_about(db, f"partner_payment:{outcome.payment_id}") == [
        "partner_payment.received"
    ]

    # The same bank line again: nothing changes.
    before = snapshot(db)
    again = transfer(db, "150.00", "Payment GRP-9001")
    assert again.duplicate and again.matched and again.partner_code == "GRP-9001"
    assert again.allocated == outcome.allocated and snapshot(db) == before


def test_quoted_invoices_are_paid_first_and_an_over_payment_is_the_groups_credit(plan):
    db = plan["db"]
    outcome = transfer(db, "250.00", f"GRP-9001 {plan['mar_nov']}")
    assert outcome.allocated[0] == (plan["mar_nov"], eur("50.00"))
    assert outcome.allocated[1:] == (
        (plan["sol_oct"], eur("100.00")),
        (plan["sol_nov"], eur("80.00")),
    )
    assert outcome.credit_left == eur("20.00")
    (mail,) = outbox(db)
    assert "Credit left: €20.00" in mail.body
    view = group_view(db=db, group_id=plan["group"], today=TUESDAY)
    assert view.total_due == () and view.credit == (eur("20.00"),)
    # the transfer counts from Tuesday: on Monday there is no credit yet (as in the ledger)
    assert group_view(db=db, group_id=plan["group"], today=date(2026, 12, 7)).credit == ()
    (payment,) = view.payments
    assert (payment.amount, payment.credit_left, payment.method_label) == (
        eur("250.00"),
        eur("20.00"),
        "Bank transfer",
    )
    assert [(ln.property_code, ln.number, ln.amount) for ln in payment.lines] == [
        ("PRP-MAR2", plan["mar_nov"], eur("50.00")),
        ("PRP-SOL1", plan["sol_oct"], eur("100.00")),
        ("PRP-SOL1", plan["sol_nov"], eur("80.00")),
    ]


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("GRP-9001 PRP-LEJ3", "PRP-LEJ3 is not on GRP-9001's plan."),
        ("GRP-9001 {lejos_nov}", "Invoice {lejos_nov} is not of a property of GRP-9001."),
        ("GRP-9001 CM-2026-999999", "No invoice CM-2026-999999."),
        ("GRP-9001 GRP-9002", "The reference names several groups."),
    ],
)
def test_a_group_reference_that_does_not_fit_waits_for_staff_who_assign_it(plan, reference, reason):
    db = plan["db"]
    reference, reason = reference.format(**plan), reason.format(**plan)
    outcome = transfer(db, "230.00", reference)
    assert not outcome.matched and outcome.reason == reason and outcome.allocated == ()
    assert outbox(db) == []
    (queued,) = partner_transfers.transfer_queue(db=db)
    with pytest.raises(DomainError, match="No group 'GRP-0000'"):
        partner_transfers.assign_transfer(
            db=db, payment_id=queued.payment_id, partner_code="GRP-0000", actor=ACTOR
        )
    assigned = partner_transfers.assign_transfer(
        db=db, payment_id=queued.payment_id, partner_code=" grp-9001 ", actor=ACTOR
    )
    assert assigned.matched and assigned.partner_code == "GRP-9001"
    assert [n for n, _ in assigned.allocated] == [
        plan["sol_oct"],
        *sorted([plan["sol_nov"], plan["mar_nov"]]),
    ]
    assert assigned.credit_left.is_zero
    assert partner_transfers.transfer_queue(db=db) == []
    with db.read() as s:
        pay = s.get(PartnerPayment, queued.payment_id)
        assert pay is not None and (pay.group_id, pay.partner_id) == (plan["group"], None)
    (mail,) = outbox(db)
    assert "Amount: €230.00" in mail.body
    (assigned_event,) = events(db, "partner_payment.assigned")
    assert '"group":"GRP-9001"' in assigned_event.data
    assert f'"{plan["sol_oct"]}":"100.00 EUR"' in assigned_event.data
    assert actions_about(db, f"partner_payment:{queued.payment_id}") == [
        "partner_payment.queued",
        "partner_payment.assigned",
    ]


def test_a_group_transfer_pays_written_off_invoices_an_online_payment_does_not(plan):
    db = plan["db"]
    (sol_oct_id,) = [
        s.id
        for s in partner_documents.partner_invoices(db=db, partner_id=plan["sol"], today=TUESDAY)
        if s.number == plan["sol_oct"]
    ]
    partner_corrections.close_invoice(
        db=db,
        invoice_id=sol_oct_id,
        to=PartnerInvoiceState.WRITTEN_OFF,
        reason="Unpaid after three reminders",
        actor=ACTOR,
    )
    view = group_view(db=db, group_id=plan["group"], today=TUESDAY)
    assert view.total_due == (eur("230.00"),)  # black documents are still owed
    (online,) = view.online  # … but not online
    assert online.amount == eur("130.00") and sol_oct_id not in online.invoice_ids

    with db.transaction() as s:  # as the online checkout's fulfilment does
        pay = PartnerPayment(
            method=PartnerPaymentMethod.ONLINE.value,
            external_id="pc_test",
            group_id=plan["group"],
            currency="EUR",
            amount_minor=10000,
            received_on=FRIDAY,
            reflected_on=FRIDAY,
            status=PartnerPaymentStatus.APPLIED.value,
            created_by=ACTOR,
        )
        s.add(pay)
        s.flush()
        assert pay.id is not None
        done, left = partner_payments.apply_group_payment(
            s, payment_id=pay.id, effective=FRIDAY, first=()
        )
    first_nov, second_nov = sorted([plan["sol_nov"], plan["mar_nov"]])
    first_amount = eur("80.00") if first_nov == plan["sol_nov"] else eur("50.00")
    assert done == [(first_nov, first_amount), (second_nov, eur("100.00") - first_amount)]
    assert left.is_zero
    (mail,) = outbox(db)
    assert "Method: Online payment" in mail.body and plan["sol_oct"] not in mail.body

    # Applying the same payment again spends only what is left of it: nothing.
    before = snapshot(db)
    with db.transaction() as s:
        again = partner_payments.apply_group_payment(
            s, payment_id=pay.id, effective=FRIDAY, first=()
        )
    assert again == ([], eur("0.00")) and snapshot(db) == before

    # A bank transfer pays the written-off invoice.
    outcome = transfer(db, "130.00", "GRP-9001")
    assert outcome.allocated[0] == (plan["sol_oct"], eur("100.00"))
    assert statuses(db, plan["sol"])[plan["sol_oct"]][1] is StatusColour.GREEN


def test_apply_refuses_a_payment_that_is_not_the_groups(plan):
    db = plan["db"]
    outcome = transfer(db, "30.00", f"PRP-LEJ3 {plan['lejos_nov']}")  # Villa Lejos' own
    before = snapshot(db)
    with pytest.raises(Conflict, match="not a group's payment"), db.transaction() as s:
        partner_payments.apply_group_payment(
            s, payment_id=outcome.payment_id, effective=FRIDAY, first=()
        )
    with pytest.raises(NotFound), db.transaction() as s:
        partner_payments.apply_group_payment(s, payment_id=999_999, effective=FRIDAY, first=())
    assert snapshot(db) == before


def test_the_group_page_shows_every_property_and_the_total_due(plan):
    db = plan["db"]
    view = group_view(db=db, group_id=plan["group"], today=TUESDAY)
    assert (view.code, view.name, view.finance_email) == (
        "GRP-9001",
        "Balearic Test Group",
        "money@group.test",
    )
    assert [(p.code, [s.number for s in p.outstanding], p.total_due) for p in view.properties] == [
        ("PRP-MAR2", [plan["mar_nov"]], (eur("50.00"),)),
        ("PRP-SOL1", [plan["sol_oct"], plan["sol_nov"]], (eur("180.00"),)),
    ]
    assert view.total_due == (eur("230.00"),) and view.credit == () and view.payments == []
    assert view.overdue == 1  # October's, due November 17
    assert [(p.code, p.overdue) for p in view.properties] == [("PRP-MAR2", 0), ("PRP-SOL1", 1)]
    # every property's documents in the order a payment pays them: oldest due, then lower number
    assert [(d.property_code, d.summary.number) for d in view.documents] == [
        ("PRP-SOL1", plan["sol_oct"]),
        *sorted([("PRP-SOL1", plan["sol_nov"]), ("PRP-MAR2", plan["mar_nov"])], key=lambda d: d[1]),
    ]
    (online,) = view.online
    assert online.amount == eur("230.00") and len(online.invoice_ids) == 3
    with pytest.raises(NotFound):
        group_view(db=db, group_id=999_999, today=TUESDAY)


def test_group_login_sees_its_properties_only_and_a_plain_login_sees_nothing_of_the_group(plan):
    db = plan["db"]
    partner_auth.create_partner_user(
        db=db,
        partner_id=plan["sol"],
        group_id=plan["group"],
        email="group@example.com",
        name="Group finance",
        password=PASSWORD,
        actor=ACTOR,
    )
    partner_auth.create_partner_user(
        db=db,
        partner_id=plan["mar"],
        email="mar@example.com",
        name="Casa Mar finance",
        password=PASSWORD,
        actor=ACTOR,
    )
    group = partner_auth.partner_sign_in(db=db, email="group@example.com", password=PASSWORD)
    group_token = redeem_session(db=db, code=group.ticket).token  # as /api/auth/session does
    who = group.identity
    assert (who.group_id, who.group_code, who.group_name) == (
        plan["group"],
        "GRP-9001",
        "Balearic Test Group",
    )
    assert [p.code for p in who.properties] == ["PRP-MAR2", "PRP-SOL1"]
    assert who.partner_code == "PRP-SOL1"  # its home property

    def as_group(code):
        found = partner_auth.current_partner_user(db=db, token=group_token, property_code=code)
        assert found is not None
        return found

    assert as_group("prp-mar2").partner_id == plan["mar"]  # switched to the other property
    # Another group's property, or one on its own: the home property, never theirs.
    assert as_group("PRP-OTR4").partner_id == plan["sol"]
    assert as_group("PRP-LEJ3").partner_id == plan["sol"]
    assert as_group("PRP-OTR4").group_id == plan["group"]

    mar = partner_auth.partner_sign_in(db=db, email="mar@example.com", password=PASSWORD)
    mar_token = redeem_session(db=db, code=mar.ticket).token
    plain = partner_auth.current_partner_user(db=db, token=mar_token, property_code="PRP-SOL1")
    assert plain is not None and plain.partner_id == plan["mar"]
    assert (plain.group_id, plain.group_code, plain.properties) == (None, "", ())
    seen = {
        s.number
        for s in partner_documents.partner_invoices(
            db=db, partner_id=plain.partner_id, today=TUESDAY
        )
    }
    assert seen == {plan["mar_nov"]}
    with pytest.raises(NotFound):
        partner_finance.invoice_id_by_number(
            db=db, partner_id=plain.partner_id, number=plan["sol_oct"]
        )


def test_a_group_login_needs_a_home_property_on_the_plan(plan):
    db = plan["db"]
    before = snapshot(db)
    with pytest.raises(Conflict, match="not on this group's plan"):
        partner_auth.create_partner_user(
            db=db,
            partner_id=plan["lejos"],
            group_id=plan["group"],
            email="wrong@example.com",
            name="Wrong",
            password=PASSWORD,
            actor=ACTOR,
        )
    assert snapshot(db) == before


def test_groups_are_created_and_joined_with_clear_refusals(plan):
    db = plan["db"]
    before = snapshot(db)
    with pytest.raises(DomainError, match="GRP-7001"):
        partner_groups.create_group(
            db=db, code="7001", name="X", finance_email="x@example.com", actor=ACTOR
        )
    with pytest.raises(Conflict, match="already exists"):
        partner_groups.create_group(
            db=db, code="GRP-9001", name="X", finance_email="x@example.com", actor=ACTOR
        )
    with pytest.raises(DomainError, match="finance email"):
        partner_groups.create_group(
            db=db, code="GRP-9003", name="X", finance_email="nobody", actor=ACTOR
        )
    with pytest.raises(Conflict, match="another group"):
        partner_groups.join_group(
            db=db, group_id=plan["other"], partner_id=plan["sol"], actor=ACTOR
        )
    with pytest.raises(NotFound):
        partner_groups.join_group(db=db, group_id=999, partner_id=plan["sol"], actor=ACTOR)
    partner_groups.join_group(db=db, group_id=plan["group"], partner_id=plan["sol"], actor=ACTOR)
    assert snapshot(db) == before  # joining again changes nothing
    assert partner_groups.group_id_by_code(db=db, code="grp-9001") == plan["group"]
    joined = events(db, "partner_group.joined")
    assert len(joined) == 3 and '"partner":"PRP-SOL1"' in joined[0].data


def test_allocations_never_exceed_what_is_due(plan):
    db = plan["db"]
    transfer(db, "500.00", "GRP-9001", external_id="BANK-A")
    transfer(db, "70.00", "GRP-9001", external_id="BANK-B")
    with db.read() as s:
        allocated = sum(a.amount_minor for a in s.exec(select(PartnerAllocation)).all())
    assert allocated == 23000  # everything due; the rest is credit
    view = group_view(db=db, group_id=plan["group"], today=TUESDAY)
    assert view.credit == (eur("340.00"),)
    assert [p.credit_left for p in view.payments] == [eur("70.00"), eur("270.00")]


def december_invoice(db, partner_id):
    with db.read() as s:
        return s.exec(
            select(PartnerInvoice).where(
                PartnerInvoice.partner_id == partner_id, PartnerInvoice.period == "2026-12"
            )
        ).one()


def test_a_groups_credit_pays_the_next_invoice_of_any_of_its_properties(plan):
    db = plan["db"]
    outcome = transfer(db, "250.00", f"GRP-9001 {plan['mar_nov']}")  # everything due + €20.00
    assert outcome.credit_left == eur("20.00")
    stay(db, plan["sol"], "BK-S2", date(2026, 12, 7), date(2026, 12, 10), "600.00")
    run_day = date(2027, 1, 4)
    month_end.run_month_end(db=db, period=Period(2026, 12), run_date=run_day, actor=ACTOR)
    december = december_invoice(db, plan["sol"])
    assert december.amount_minor == 6000
    with db.read() as s:
        (used,) = s.exec(
            select(PartnerAllocation).where(PartnerAllocation.invoice_id == december.id)
        ).all()
    assert (used.payment_id, used.amount_minor, used.effective_on) == (
        outcome.payment_id,
        2000,
        run_day,
    )
    assert statuses(db, plan["sol"], run_day)[december.number] == (
        "You've paid €20.00 of €60.00",
        StatusColour.RED,
    )
    view = group_view(db=db, group_id=plan["group"], today=run_day)
    assert view.credit == () and view.total_due == (eur("40.00"),)
    assert view.payments[0].credit_left.is_zero
    (applied,) = events(db, "partner_credit.applied")
    assert applied.subject == f"partner_group:{plan['group']}" and applied.actor == "system:credit"
    assert '"group":"GRP-9001"' in applied.data
    assert f'"from":"payment:{outcome.payment_id}"' in applied.data
    assert f'"to":"{december.number}"' in applied.data
    before = snapshot(db)
    assert partner_credit.apply_pending_credit(db=db, today=run_day) == 0  # a rerun: nothing
    assert snapshot(db) == before


def test_a_groups_online_credit_never_pays_a_written_off_invoice_a_transfers_does(plan):
    db = plan["db"]
    (sol_oct_id,) = [
        s.id
        for s in partner_documents.partner_invoices(db=db, partner_id=plan["sol"], today=TUESDAY)
        if s.number == plan["sol_oct"]
    ]
    partner_corrections.close_invoice(
        db=db,
        invoice_id=sol_oct_id,
        to=PartnerInvoiceState.WRITTEN_OFF,
        reason="Unpaid after three reminders",
        actor=ACTOR,
    )

    def group_payment(method, external_id, amount, on):
        with db.transaction() as s:
            pay = PartnerPayment(
                method=method,
                external_id=external_id,
                group_id=plan["group"],
                currency="EUR",
                amount_minor=eur(amount).minor,
                received_on=on,
                reflected_on=on,
                status=PartnerPaymentStatus.APPLIED.value,
                created_by=ACTOR,
            )
            s.add(pay)
            s.flush()
            assert pay.id is not None
            return pay.id

    online = group_payment(PartnerPaymentMethod.ONLINE.value, "pc_credit", "200.00", FRIDAY)
    with db.transaction() as s:
        done, left = partner_payments.apply_group_payment(
            s, payment_id=online, effective=FRIDAY, first=()
        )
    assert sum(m.minor for _, m in done) == 13000 and left == eur("70.00")
    assert partner_credit.apply_pending_credit(db=db, today=TUESDAY) == 0  # only black is open
    assert statuses(db, plan["sol"])[plan["sol_oct"]][1] is StatusColour.BLACK
    # A group transfer kept whole as credit (say nothing was open the day it came) pays it.
    bank = group_payment(PartnerPaymentMethod.BANK_TRANSFER.value, "BANK-C1", "30.00", TUESDAY)
    assert partner_credit.apply_pending_credit(db=db, today=TUESDAY) == 1
    with db.read() as s:
        (paid,) = s.exec(
            select(PartnerAllocation).where(PartnerAllocation.invoice_id == sol_oct_id)
        ).all()
    assert (paid.payment_id, paid.amount_minor) == (bank, 3000)
    view = group_view(db=db, group_id=plan["group"], today=TUESDAY)
    assert view.credit == (eur("70.00"),)  # the online payment's, untouched
