"""Staff create and edit partners (`services.partner.directory`) on SQLite and PostgreSQL: the
form checked before anything is written, a double submit makes one partner, an edit writes and
audits only what changed, the currency fixed once the partner has business in it, a new rate
dated in the history (never over the past), the bank account saved as the partner's own page
saves it, and the Partners list's search and filter."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner, PartnerCommissionRate
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.domain.commission_rates import FROM_THE_START
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.partner_input import PartnerInvalid
from concierge_app.domain.roles import Role
from concierge_app.services.partner.directory import (
    add_partner,
    edit_partner,
    partner_details,
    partner_list,
)

from ..factories import ACTOR, add_staff, make_booking

TODAY = date(2026, 12, 6)
IBAN = "ES9121000418450200051332"
FORM = {
    "code": "villa-sol",
    "name": "Villa Sol S.L.",
    "kind": "property",
    "category": "villa",
    "address": "Calle Mayor 1\n07001 Palma",
    "country": "ES",
    "timezone": "Europe/Madrid",
    "currency": "EUR",
    "commission_rate": "12.5",
    "payout_method": "net_payout",
    "commission_payment_method": "payout_deduction",
    "finance_contact": "Marta Ruiz",
    "finance_email": "finance@villasol.es",
    "account_holder": "Villa Sol S.L.",
    "iban": "ES91 2100 0418 4502 0005 1332",
    "bic": "",
}


def edit_form(**changes: str) -> dict[str, str]:
    base = {k: v for k, v in FORM.items() if k not in ("code", "account_holder", "iban", "bic")}
    return {**base, "commission_rate": "", **changes}


def events(db: Database, action: str) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
        return [json.loads(r.data) | {"_actor": r.actor} for r in rows]


def count(db: Database, model: Any) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def partner(db: Database, code: str = "VILLA-SOL") -> Partner:
    with db.read() as s:
        found = s.exec(select(Partner).where(Partner.code == code)).one()
        s.expunge(found)
        return found


def test_a_partner_is_created_with_its_details_bank_account_and_opening_rate(
    db: Database,
) -> None:
    saved = add_partner(db=db, fields=FORM, actor=ACTOR)
    assert (saved.code, saved.repeated) == ("VILLA-SOL", False)
    p = partner(db)
    assert (p.name, p.kind, p.category, p.country, p.currency) == (
        "Villa Sol S.L.",
        "property",
        "villa",
        "ES",
        "EUR",
    )
    assert (p.finance_contact, p.finance_email, p.timezone) == (
        "Marta Ruiz",
        "finance@villasol.es",
        "Europe/Madrid",
    )
    assert p.address == "Calle Mayor 1\n07001 Palma"
    with db.read() as s:
        rates = s.exec(
            select(PartnerCommissionRate).where(PartnerCommissionRate.partner_id == p.id)
        ).all()
        account = s.exec(select(PartnerBankAccount)).one()
    assert [(r.rate_bps, r.valid_from) for r in rates] == [(1250, FROM_THE_START)]
    assert (account.account_holder, account.iban, account.partner_id) == (
        "Villa Sol S.L.",
        IBAN,
        p.id,
    )
    created = events(db, "partner.created")
    assert created[0]["code"] == "VILLA-SOL" and created[0]["rate_bps"] == 1250
    assert created[0]["finance_contact"] == "Marta Ruiz" and created[0]["_actor"] == ACTOR
    assert events(db, "partner.bank_details_changed")[0]["after"].endswith("1332")
    assert count(db, OutboxMessage) == 0  # a new partner is not told its account changed


def test_a_double_submit_makes_one_partner(db: Database) -> None:
    first = add_partner(db=db, fields=FORM, actor=ACTOR)
    again = add_partner(db=db, fields=FORM, actor=ACTOR)
    assert again.repeated and again.id == first.id
    assert count(db, Partner) == 1 and len(events(db, "partner.created")) == 1
    with pytest.raises(Conflict, match="already exists"):
        add_partner(db=db, fields={**FORM, "name": "Another Villa"}, actor=ACTOR)
    assert count(db, Partner) == 1


def test_bad_input_changes_nothing(db: Database) -> None:
    hostile = {
        **FORM,
        "commission_rate": "100.001",
        "country": "XX",
        "currency": "ZZZ",
        "timezone": "Mars/Base",
        "iban": "ES9121000418450200051333",
        "name": "N" * 10_000,
    }
    with pytest.raises(PartnerInvalid) as refused:
        add_partner(db=db, fields=hostile, actor=ACTOR)
    assert {"commission_rate", "country", "currency", "timezone", "iban", "name"} <= {
        f for f, _ in refused.value.problems
    }
    assert count(db, Partner) == 0 and count(db, AuditEvent) == 0


def test_an_edit_writes_and_audits_only_what_changed_once(db: Database) -> None:
    add_partner(db=db, fields=FORM, actor=ACTOR)
    add_staff(db, "boss@test.example", Role.FINANCE)
    form = edit_form(
        name="Villa Sol Mallorca S.L.",
        finance_email="cuentas@villasol.es",
        address="Calle Mayor 2\n07001 Palma",
    )
    saved = edit_partner(
        db=db, code="villa-sol", fields=form, actor="boss@test.example", today=TODAY
    )
    assert set(saved.changed) == {"name", "finance_email", "address"} and not saved.repeated
    p = partner(db)
    assert (p.name, p.finance_email, p.code) == (
        "Villa Sol Mallorca S.L.",
        "cuentas@villasol.es",
        "VILLA-SOL",
    )
    [audit] = events(db, "partner.details_changed")
    assert audit["changed"]["name"] == {
        "before": "Villa Sol S.L.",
        "after": "Villa Sol Mallorca S.L.",
    }
    assert set(audit["changed"]) == {"name", "finance_email", "address"}
    assert audit["_actor"] == "boss@test.example"
    again = edit_partner(db=db, code="VILLA-SOL", fields=form, actor=ACTOR, today=TODAY)
    assert again.repeated and again.changed == ()
    assert len(events(db, "partner.details_changed")) == 1


def test_the_currency_is_fixed_once_the_partner_has_bookings_in_it(db: Database) -> None:
    saved = add_partner(db=db, fields=FORM, actor=ACTOR)
    edit_partner(
        db=db, code="VILLA-SOL", fields=edit_form(currency="GBP"), actor=ACTOR, today=TODAY
    )
    assert partner(db).currency == "GBP"  # nothing billed yet: it may change
    edit_partner(
        db=db, code="VILLA-SOL", fields=edit_form(currency="EUR"), actor=ACTOR, today=TODAY
    )
    make_booking(db, property_id=saved.id, currency="EUR")
    assert partner_details(db=db, code="VILLA-SOL", today=TODAY).currency_fixed
    with pytest.raises(PartnerInvalid) as refused:
        edit_partner(
            db=db,
            code="VILLA-SOL",
            fields=edit_form(currency="USD", name="New name"),
            actor=ACTOR,
            today=TODAY,
        )
    assert refused.value.field == "currency" and "cannot change" in refused.value.message
    with pytest.raises(PartnerInvalid) as kind:
        edit_partner(
            db=db, code="VILLA-SOL", fields=edit_form(kind="operator"), actor=ACTOR, today=TODAY
        )
    assert kind.value.field == "kind"
    p = partner(db)
    assert (p.currency, p.name, p.kind) == ("EUR", "Villa Sol S.L.", "property")  # nothing written


def test_a_new_rate_is_dated_in_the_history_never_over_the_past(db: Database) -> None:
    saved = add_partner(db=db, fields=FORM, actor=ACTOR)
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(PartnerInvalid) as past:
        edit_partner(
            db=db,
            code="VILLA-SOL",
            actor=ACTOR,
            today=TODAY,
            fields=edit_form(
                commission_rate="15", rate_valid_from=TODAY.isoformat(), name="Not saved"
            ),
        )
    assert past.value.field == "rate_valid_from"
    assert partner(db).name == "Villa Sol S.L."  # the whole edit was refused
    with pytest.raises(PartnerInvalid) as no_day:
        edit_partner(
            db=db,
            code="VILLA-SOL",
            actor=ACTOR,
            today=TODAY,
            fields=edit_form(commission_rate="15", rate_valid_from="soon"),
        )
    assert no_day.value.field == "rate_valid_from"
    form = edit_form(commission_rate="15", rate_valid_from=tomorrow.isoformat())
    done = edit_partner(db=db, code="VILLA-SOL", fields=form, actor=ACTOR, today=TODAY)
    assert done.changed == ("commission_rate",)
    assert edit_partner(db=db, code="VILLA-SOL", fields=form, actor=ACTOR, today=TODAY).repeated
    with db.read() as s:
        rates = s.exec(
            select(PartnerCommissionRate)
            .where(PartnerCommissionRate.partner_id == saved.id)
            .order_by(col(PartnerCommissionRate.valid_from))
        ).all()
    assert [(r.rate_bps, r.valid_from) for r in rates] == [(1250, FROM_THE_START), (1500, tomorrow)]
    assert partner(db).commission_rate_bps == 1250  # the opening rate is never rewritten
    [changed] = events(db, "partner.rate_changed")
    assert changed["previous_rate_bps"] == 1250 and changed["rate_bps"] == 1500
    assert partner_details(db=db, code="VILLA-SOL", today=TODAY).rate == "12.5 %"
    assert partner_details(db=db, code="VILLA-SOL", today=tomorrow).rate == "15 %"


def test_a_new_bank_account_is_saved_audited_and_the_partner_told(db: Database) -> None:
    add_partner(db=db, fields={**FORM, "iban": "", "account_holder": ""}, actor=ACTOR)
    assert count(db, PartnerBankAccount) == 0
    form = edit_form(account_holder="Villa Sol", iban="DE89 3704 0044 0532 0130 00")
    assert edit_partner(db=db, code="VILLA-SOL", fields=form, actor=ACTOR, today=TODAY).changed == (
        "bank_account",
    )
    assert edit_partner(db=db, code="VILLA-SOL", fields=form, actor=ACTOR, today=TODAY).repeated
    with db.read() as s:
        account = s.exec(select(PartnerBankAccount)).one()
        told = s.exec(select(OutboxMessage)).all()
    assert account.iban == "DE89370400440532013000"
    assert [m.recipient for m in told] == ["finance@villasol.es"]
    assert len(events(db, "partner.bank_details_changed")) == 1
    assert "3000" in partner_details(db=db, code="VILLA-SOL", today=TODAY).bank_masked


def test_editing_an_unknown_partner_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        edit_partner(db=db, code="NOPE-1", fields=edit_form(), actor=ACTOR, today=TODAY)


def test_the_list_searches_name_and_id_and_filters_by_kind(db: Database) -> None:
    add_partner(db=db, fields=FORM, actor=ACTOR)
    add_partner(
        db=db,
        actor=ACTOR,
        fields={
            **FORM,
            "code": "SAIL-1",
            "name": "Blue 100% Sailing",
            "kind": "operator",
            "category": "sailing tour",
            "commission_rate": "10",
            "iban": "",
            "account_holder": "",
        },
    )
    everyone = partner_list(db=db, today=TODAY)
    assert [p.code for p in everyone] == ["SAIL-1", "VILLA-SOL"]
    assert everyone[1].rate == "12.5 %" and everyone[0].rate == "10 %"
    assert [p.code for p in partner_list(db=db, today=TODAY, search="villa")] == ["VILLA-SOL"]
    assert [p.code for p in partner_list(db=db, today=TODAY, search="sail-")] == ["SAIL-1"]
    assert [p.code for p in partner_list(db=db, today=TODAY, search="100%")] == ["SAIL-1"]
    assert [p.code for p in partner_list(db=db, today=TODAY, search="%")] == ["SAIL-1"]
    assert partner_list(db=db, today=TODAY, search="_") == []
    assert [p.code for p in partner_list(db=db, today=TODAY, kind="operator")] == ["SAIL-1"]
    assert partner_list(db=db, today=TODAY, search="x" * 100_000) == []


def test_a_switch_to_direct_debit_needs_an_account_and_issues_a_mandate(db: Database) -> None:
    add_partner(db=db, fields={**FORM, "iban": "", "account_holder": ""}, actor=ACTOR)
    debit = edit_form(commission_payment_method="direct_debit")
    with pytest.raises(PartnerInvalid) as refused:
        edit_partner(db=db, code="VILLA-SOL", fields=debit, actor=ACTOR, today=TODAY)
    assert refused.value.field == "iban"
    assert partner(db).commission_payment_method == "payout_deduction"  # nothing written
    edit_partner(
        db=db,
        code="VILLA-SOL",
        fields=edit_form(account_holder="Villa Sol", iban=IBAN),
        actor=ACTOR,
        today=TODAY,
    )
    with db.read() as s:
        assert s.exec(select(PartnerBankAccount)).one().mandate_reference is None
    edit_partner(db=db, code="VILLA-SOL", fields=debit, actor=ACTOR, today=TODAY)
    with db.read() as s:
        account = s.exec(select(PartnerBankAccount)).one()
    assert account.mandate_reference and account.mandate_signed_on is None  # awaits the partner
    assert partner(db).commission_payment_method == "direct_debit"
    assert len(events(db, "partner.mandate_created")) == 1


def test_two_submits_at_once_make_one_partner(db: Database) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: add_partner(db=db, fields=FORM, actor=ACTOR), range(2)))
    assert {r.id for r in results} == {results[0].id}
    assert sorted(r.repeated for r in results) == [False, True]
    assert count(db, Partner) == 1 and count(db, PartnerBankAccount) == 1


def test_the_partner_language_is_saved_edited_and_audited(db: Database) -> None:
    add_partner(db=db, fields={**FORM, "language": "es_ES"}, actor=ACTOR)
    assert partner(db).language == "es_ES"
    assert events(db, "partner.created")[0]["language"] == "es_ES"
    assert partner_details(db=db, code="VILLA-SOL", today=TODAY).fields["language"] == "es_ES"
    saved = edit_partner(
        db=db, code="VILLA-SOL", fields=edit_form(language="fr_FR"), actor=ACTOR, today=TODAY
    )
    assert saved.changed == ("language",) and partner(db).language == "fr_FR"
    (changed,) = events(db, "partner.details_changed")
    assert changed["changed"] == {"language": {"before": "es_ES", "after": "fr_FR"}}
    again = edit_partner(
        db=db, code="VILLA-SOL", fields=edit_form(language="fr_FR"), actor=ACTOR, today=TODAY
    )
    assert again.repeated


def test_an_unknown_partner_language_is_refused_and_nothing_written(db: Database) -> None:
    with pytest.raises(PartnerInvalid) as refused:
        add_partner(db=db, fields={**FORM, "language": "klingon"}, actor=ACTOR)
    assert [f for f, _ in refused.value.problems] == ["language"]
    assert count(db, Partner) == 0
    add_partner(db=db, fields=FORM, actor=ACTOR)  # no language typed: English (US)
    assert partner(db).language == "en_US"
    with pytest.raises(PartnerInvalid):
        edit_partner(
            db=db, code="VILLA-SOL", fields=edit_form(language="xx_XX"), actor=ACTOR, today=TODAY
        )
    assert partner(db).language == "en_US" and events(db, "partner.details_changed") == []
