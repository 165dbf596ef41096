"""Issue 15, the direct debit mandate (SQLite and PostgreSQL): saving an IBAN signs nothing — a
partner paying by direct debit gets a mandate that waits until the partner accepts its text,
and nothing is debited before; the acceptance records who, when and from where, with the text
accepted; accepting a mandate replaced meanwhile is refused and writes nothing; accepting twice
changes nothing.

The ledger (test_partner_documents): the chef OPR-CHEF1 pays by direct debit, €36.00 to
collect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select, update

from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.domain.errors import DomainError
from concierge_app.services.partner.views import finance as partner_finance
from concierge_app.services.payments import direct_debit_mandate

from ..factories import snapshot
from .test_direct_debit import GOOD_IBAN, audit_actions, collect
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import eur

NOW = datetime(2026, 12, 9, 10, 15, tzinfo=UTC)


def save_iban(db, partner_id, iban=GOOD_IBAN):
    partner_finance.update_bank_account(
        db=db,
        partner_id=partner_id,
        account_holder="Chef S.L.",
        iban=iban,
        bic="",
        actor="chef@example.com",
        notify=False,
    )
    return direct_debit_mandate.mandate_of(db=db, partner_id=partner_id)


def accept(db, partner_id, reference, **kwargs):
    return direct_debit_mandate.accept_mandate(
        db=db,
        partner_id=partner_id,
        reference=reference,
        accepted_by=kwargs.get("by", "chef@example.com"),
        accepted_from=kwargs.get("where", "203.0.113.7"),
        now=NOW,
    )


def account(db, partner_id) -> PartnerBankAccount:
    with db.read() as s:
        return s.exec(
            select(PartnerBankAccount).where(col(PartnerBankAccount.partner_id) == partner_id)
        ).one()


def test_saving_an_iban_makes_a_mandate_that_waits_and_debits_nothing(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    mandate = save_iban(db, chef)
    assert mandate is not None and mandate.pending
    assert mandate.reference.startswith("MNDT-OPR-CHEF1-")
    assert mandate.text == (
        f"Direct debit mandate {mandate.reference} for ES79 •••• •••• •••• •••• 6789 is waiting "
        "for your acceptance: nothing is debited until you accept it."
    )
    row = account(db, chef)
    assert (row.mandate_signed_on, row.mandate_accepted_at, row.mandate_accepted_by) == (
        None,
        None,
        None,
    )
    (created,) = audit_actions(db, "partner.mandate_created")
    assert created["after"] == mandate.reference
    assert created["status"] == "awaiting the partner's acceptance"
    summary = collect(db)
    assert summary.partners == 0 and summary.requested == ()


def test_the_partner_accepts_the_mandate_text_and_who_when_and_where_are_kept(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    pending = save_iban(db, chef)
    title = f"SEPA Direct Debit Mandate {pending.reference} — recurrent payments."
    assert pending.terms[0] == title
    assert any("authorise (A) Azure Concierge S.L." in line for line in pending.terms)
    assert any("refund must be claimed within 8 weeks" in line for line in pending.terms)
    signed = accept(db, chef, pending.reference)
    assert not signed.pending
    assert signed.text == (
        f"Direct debit mandate {pending.reference}, signed December 9, 2026 by chef@example.com "
        "from 203.0.113.7, collected from ES79 •••• •••• •••• •••• 6789"
    )
    row = account(db, chef)
    assert (row.mandate_signed_on.isoformat(), row.mandate_accepted_at) == ("2026-12-09", NOW)
    assert (row.mandate_accepted_by, row.mandate_accepted_from) == (
        "chef@example.com",
        "203.0.113.7",
    )
    (event,) = audit_actions(db, "partner.mandate_accepted")
    assert event["mandate"] == pending.reference and event["terms"] == list(pending.terms)
    assert (event["accepted_by"], event["accepted_from"]) == ("chef@example.com", "203.0.113.7")
    (debit,) = collect(db).requested
    assert debit.amount == eur("36.00")
    before = snapshot(db)
    assert accept(db, chef, pending.reference).text == signed.text  # a double click
    assert snapshot(db) == before


def test_a_mandate_replaced_meanwhile_cannot_be_accepted(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    shown = save_iban(db, chef)
    replaced = save_iban(db, chef, iban="DE89 3704 0044 0532 0130 00")
    assert replaced.reference != shown.reference
    before = snapshot(db)
    with pytest.raises(DomainError, match="no longer the one on your account"):
        accept(db, chef, shown.reference)
    with pytest.raises(DomainError, match="Sign in"):
        accept(db, chef, replaced.reference, by="  ")
    assert snapshot(db) == before
    assert account(db, chef).mandate_signed_on is None


def test_a_partner_not_paying_by_direct_debit_gets_no_mandate_to_accept(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]  # pays by bank transfer
    assert save_iban(db, gross) is None
    with db.transaction() as s:  # a mandate left from an earlier arrangement
        s.exec(
            update(PartnerBankAccount)
            .where(col(PartnerBankAccount.partner_id) == gross)
            .values(mandate_reference="MNDT-OLD")
        )
    before = snapshot(db)
    with pytest.raises(DomainError, match="do not pay by direct debit"):
        accept(db, gross, "MNDT-OLD")
    assert snapshot(db) == before
