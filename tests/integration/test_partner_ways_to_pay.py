"""Issue 15 on SQLite and PostgreSQL: "Pay online" is offered where the partner's payment method
allows it, and where not the page and the service say why; a refused direct debit is told on
the Invoices page — that it failed, the bank's reason, what to do — and its documents can then
be paid another way (online too).

The ledger (test_partner_documents): PRP-GRS01 pays by bank transfer (€80.00 due December 16);
the chef OPR-CHEF1 pays by direct debit (€36.00 to collect, due December 16)."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_checkout import how_you_pay
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.payments import direct_debit
from concierge_app.services.payments.partner_checkout import begin_partner_checkout
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.ui.partner.invoices.state import outstanding_rows

from ..factories import snapshot
from .test_direct_debit import COLLECTION, MANDATE, collect, failing_iban, give_mandate
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import eur, invoice_of

REASON = "The customer's account has insufficient funds to cover this payment."


def pay_online(db, partner_id, invoice_id, today=COLLECTION):
    return begin_partner_checkout(
        db=db,
        invoice_ids=[invoice_id],
        actor=f"partner:{partner_id}",
        return_path="/partner/invoices",
        partner_id=partner_id,
        gateway=sandbox_gateway(db),
        today=today,
    )


def row_of(db, partner_id, code, today=COLLECTION):
    """The partner's one Outstanding balances row, as its Invoices page shows it."""
    view = partner_documents.invoices_view(db=db, partner_id=partner_id, today=today)
    (row,) = outstanding_rows(view, code)
    return view, row


def test_a_partner_paying_by_bank_transfer_is_told_to_transfer_not_offered_pay_online(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    view, row = row_of(db, gross, "PRP-GRS01")
    assert not row.pay_online and row.transfer_only == ""
    assert how_you_pay(view.way, "PRP-GRS01") == (
        "You pay by bank transfer, quoting PRP-GRS01 and the invoice number (e.g. PRP-GRS01 "
        "CM-…). To pay online instead, ask us through the Inbox (Invoices and commission → "
        "Other)."
    )
    before = snapshot(db)
    with pytest.raises(DomainError, match="You pay by bank transfer: quote PRP-GRS01"):
        pay_online(db, gross, invoice.id)
    assert snapshot(db) == before


def test_a_partner_on_direct_debit_is_collected_not_offered_pay_online(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef)
    invoice = invoice_of(db, chef)
    view, row = row_of(db, chef, "OPR-CHEF1")
    assert not row.pay_online
    assert how_you_pay(view.way, "OPR-CHEF1") == (
        f"Your invoices in EUR are collected by direct debit from your account (mandate "
        f"{MANDATE}) once a month: nothing to do. If a debit fails, you can pay those invoices "
        "online."
    )
    before = snapshot(db)
    with pytest.raises(DomainError, match="Collected by direct debit"):
        pay_online(db, chef, invoice.id)
    assert snapshot(db) == before


def test_a_partner_on_direct_debit_without_an_accepted_mandate_may_pay_online(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    view, row = row_of(db, chef, "OPR-CHEF1")  # no account, no mandate: nothing can be debited
    assert row.pay_online and how_you_pay(view.way, "OPR-CHEF1") == ""
    assert pay_online(db, chef, invoice_of(db, chef).id).url


def test_a_failed_direct_debit_is_told_on_the_invoices_page_and_may_be_paid_online(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef, iban=failing_iban())
    invoice = invoice_of(db, chef)
    (debit,) = collect(db).requested
    view = partner_documents.invoices_view(db=db, partner_id=chef, today=COLLECTION)
    assert view.failed_debits == () and view.outstanding == []  # green the day it is sent
    answers = direct_debit.answer_sandbox_debits(db=db)
    assert (answers.succeeded, answers.failed) == (0, 1)

    view, row = row_of(db, chef, "OPR-CHEF1", today=date(2026, 12, 11))
    (failed,) = view.failed_debits
    assert (failed.payment_id, failed.amount, failed.requested_on) == (
        debit.payment_id,
        eur("36.00"),
        COLLECTION,
    )
    assert (failed.reason, failed.documents, failed.still_due) == (
        REASON,
        (invoice.number,),
        eur("36.00"),
    )
    assert row.debit_failed == f"Direct debit failed on {failed.failed_on:%B} " + (
        f"{failed.failed_on.day}, {failed.failed_on.year}: {REASON}"
    )
    assert row.pay_online  # pay it another way: online too
    assert pay_online(db, chef, invoice.id, today=date(2026, 12, 11)).url


def test_a_failed_debit_paid_another_way_is_no_longer_told(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef, iban=failing_iban())
    invoice = invoice_of(db, chef)
    collect(db)
    direct_debit.answer_sandbox_debits(db=db)
    from .test_partner_transfers import transfer

    transfer(db, "36.00", f"OPR-CHEF1 {invoice.number}", received_on=date(2026, 12, 11))
    view = partner_documents.invoices_view(db=db, partner_id=chef, today=date(2026, 12, 16))
    assert view.outstanding == [] and view.failed_debits == ()
