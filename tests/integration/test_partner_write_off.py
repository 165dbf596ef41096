"""Write-off and legal on SQLite and PostgreSQL: the invoice turns black and the property is
closed; it is paid by bank transfer only; once paid in full and reflected, the partner reopens
the property."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.parties import Partner
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import PartnerInvoiceState, StatusColour
from concierge_app.services.partner.money import corrections as partner_corrections
from concierge_app.services.partner.views import documents as partner_documents

from ..factories import ACTOR, snapshot
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import FRIDAY, TUESDAY, eur, invoice_of, status, transfer

OVERDUE_DAY = date(2026, 12, 20)  # the gross villa's 80.00 was due by December 16


def write_off(db, invoice_id, reason="Unpaid after three reminders", to=None):
    partner_corrections.close_invoice(
        db=db,
        invoice_id=invoice_id,
        to=to or PartnerInvoiceState.WRITTEN_OFF,
        reason=reason,
        actor=ACTOR,
    )


def partner_row(db, partner_id) -> Partner:
    with db.read() as s:
        return s.exec(select(Partner).where(Partner.id == partner_id)).one()


def test_overdue_reads_as_the_guide_with_the_suspension_warning(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    overdue = status(db, gross, OVERDUE_DAY)
    assert overdue.status_text == "Overdue (due by December 16, 2026)"
    assert overdue.status_colour is StatusColour.RED
    assert "suspension" in overdue.status_note
    assert overdue.can_announce


def test_write_off_turns_black_and_closes_the_property(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    write_off(db, invoice.id)
    black = status(db, gross, OVERDUE_DAY)
    assert (black.status_text, black.status_colour) == ("Written off", StatusColour.BLACK)
    assert black.can_announce  # by bank transfer, the only way a black invoice is paid
    closed = partner_corrections.property_status(db=db, partner_id=gross, today=OVERDUE_DAY)
    assert closed.closed and not closed.can_reopen
    reason = f"Invoice {invoice.number} was written off: Unpaid after three reminders"
    assert closed.reason == reason
    assert closed.unpaid == (invoice.number,)
    assert partner_row(db, gross).closed_at is not None


def test_legal_reads_as_legal_and_is_black(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    write_off(db, invoice_of(db, gross).id, to=PartnerInvoiceState.LEGAL)
    black = status(db, gross, OVERDUE_DAY)
    assert (black.status_text, black.status_colour) == (
        "With our legal department",
        StatusColour.BLACK,
    )


def test_pay_black_by_transfer_then_reopen_once_reflected(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    write_off(db, invoice.id)
    outcome = transfer(db, "80.00", f"PRP-GRS01 {invoice.number}", received_on=FRIDAY)
    assert outcome.allocated == ((invoice.number, eur("80.00")),)
    # processing: still black, and the property cannot be reopened yet
    monday = date(2026, 12, 7)
    assert status(db, gross, monday).status_colour is StatusColour.BLACK
    with pytest.raises(DomainError, match=invoice.number):
        partner_corrections.reopen_property(db=db, partner_id=gross, actor="partner", today=monday)
    assert partner_row(db, gross).closed_at is not None
    # reflected: Paid, green, and the property opens
    paid = status(db, gross, TUESDAY)
    assert (paid.status_text, paid.status_colour) == ("Paid", StatusColour.GREEN)
    assert partner_corrections.property_status(db=db, partner_id=gross, today=TUESDAY).can_reopen
    partner_corrections.reopen_property(db=db, partner_id=gross, actor="partner", today=TUESDAY)
    reopened = partner_row(db, gross)
    assert reopened.closed_at is None and reopened.closed_reason is None
    with pytest.raises(DomainError, match="already open"):
        partner_corrections.reopen_property(db=db, partner_id=gross, actor="p", today=TUESDAY)


@pytest.mark.parametrize(
    "reason, message",
    [("   ", "reason"), ("x" * 251, "250")],
)
def test_bad_write_off_changes_nothing(ledger, reason, message):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    before = snapshot(db)
    with pytest.raises(DomainError, match=message):
        write_off(db, invoice_of(db, gross).id, reason=reason)
    assert snapshot(db) == before


def test_a_paid_or_already_black_invoice_cannot_be_written_off(ledger):  # noqa: F811
    db, villa, gross = ledger["db"], ledger["villa"], ledger["gross"]
    with pytest.raises(DomainError, match="nothing to write off"):
        write_off(db, invoice_of(db, villa).id)  # deducted from the payout: paid
    invoice = invoice_of(db, gross)
    write_off(db, invoice.id)
    before = snapshot(db)
    with pytest.raises(DomainError, match="already black"):
        write_off(db, invoice.id, to=PartnerInvoiceState.LEGAL)
    assert snapshot(db) == before
    (still_owed,) = partner_documents.outstanding(db=db, partner_id=gross, today=OVERDUE_DAY)
    assert still_owed.number == invoice.number and still_owed.status_text == "Written off"
