"""A partner's bank details: shown masked, changed with an audit entry and an email to the
partner's finance contact."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.db.types import utcnow
from concierge_app.domain.bank_details import BankDetails, check_bank_details
from concierge_app.domain.direct_debit import new_mandate_reference
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.statuses import CommissionPaymentMethod
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings


def mask_iban(iban: str) -> str:
    """ "ES91 •••• •••• •••• •••• 1332": the country, check digits and last four only."""
    compact = iban.replace(" ", "")
    if len(compact) < 8:
        return "•" * len(compact)
    hidden = len(compact) - 8
    groups = [compact[:4], *(["••••"] * ((hidden + 3) // 4)), compact[-4:]]
    return " ".join(groups)


@dataclass(frozen=True, slots=True)
class BankAccountView:
    account_holder: str
    iban_masked: str
    bic: str
    updated_at: str
    updated_by: str


def bank_account(*, db: Database, partner_id: int) -> BankAccountView | None:
    with db.read() as session:
        row = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
        partner = session.get(Partner, partner_id)
        timezone = "UTC" if partner is None else partner.timezone
        return None if row is None else account_view(row, timezone)


def account_view(row: PartnerBankAccount, timezone: str = "UTC") -> BankAccountView:
    return BankAccountView(
        row.account_holder,
        mask_iban(row.iban),
        row.bic,
        format_moment(row.updated_at, timezone),
        row.updated_by,
    )


def update_bank_account(
    *,
    db: Database,
    partner_id: int,
    account_holder: str,
    iban: str,
    bic: str,
    actor: str,
    notify: bool = True,
) -> BankAccountView:
    """Change the payout account: the IBAN's checksum (and the BIC) are checked; the change is
    audited (masked) and the partner's finance contact is told. A direct debit mandate belongs
    to one account: on a new IBAN a partner paying by direct debit gets a new mandate, which
    waits until the partner accepts it (saving an IBAN signs nothing); any other partner's
    mandate is withdrawn."""
    details = check_bank_details(account_holder, iban, bic)
    with db.transaction() as session:
        partner = load(session, Partner, partner_id, "Partner", lock=True)
        return save_bank_account(session, partner, details, actor=actor, notify=notify)


def save_bank_account(
    session: Session, partner: Partner, details: BankDetails, *, actor: str, notify: bool
) -> BankAccountView:
    """`update_bank_account` inside the caller's transaction, the partner row locked."""
    partner_id, now = id_of(partner), utcnow()
    holder, compact, bic_text = details.account_holder, details.iban, details.bic
    row = session.exec(
        select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
    ).first()
    before = None if row is None else mask_iban(row.iban)
    if row is None:
        row = PartnerBankAccount(
            partner_id=partner_id, account_holder=holder, iban=compact, updated_by=actor
        )
    debits = partner.commission_payment_method == CommissionPaymentMethod.DIRECT_DEBIT
    new_account = row.iban != compact or row.id is None
    if (debits and (new_account or not row.mandate_reference)) or (
        row.mandate_reference and new_account
    ):
        # A direct debit mandate belongs to one account. A partner paying by direct debit
        # gets a new mandate on the new account, waiting for its acceptance: nothing is
        # debited until the partner accepts its text (`direct_debit.accept_mandate`). Any
        # other partner's mandate is withdrawn, not kept on an account it was never given
        # for.
        old_mandate = row.mandate_reference
        row.mandate_reference = (
            new_mandate_reference(partner.code, secrets.token_hex(3)) if debits else None
        )
        row.mandate_signed_on = row.mandate_accepted_at = None
        row.mandate_accepted_by = row.mandate_accepted_from = None
        record_event(
            session,
            actor=actor,
            action="partner.mandate_withdrawn"
            if row.mandate_reference is None
            else "partner.mandate_reissued"
            if old_mandate
            else "partner.mandate_created",
            subject=f"partner:{partner_id}",
            data={
                "before": old_mandate,
                "after": row.mandate_reference,
                "iban": mask_iban(compact),
                **({"status": "awaiting the partner's acceptance"} if debits else {}),
            },
        )
    row.account_holder, row.iban, row.bic = holder, compact, bic_text
    row.updated_by, row.updated_at = actor, now
    session.add(row)
    record_event(
        session,
        actor=actor,
        action="partner.bank_details_changed",
        subject=f"partner:{partner_id}",
        data={"before": before, "after": mask_iban(compact), "holder": holder},
    )
    if notify:
        _tell_partner(session, partner, holder, compact, actor, now)
    session.flush()
    return account_view(row, partner.timezone)


def _tell_partner(
    session: Session, partner: Partner, holder: str, iban: str, actor: str, now: datetime
) -> None:
    """ "Bank Details Changed" to the partner's finance contact."""
    queue_message(
        session,
        dedupe_key=f"bank_details_changed:{partner.id}:{now.isoformat()}",
        template_key="bank_details_changed",
        recipient=partner.finance_email,
        partner_id=partner.id,
        context={
            "platform_name": get_settings().platform_name,
            "partner_name": partner.name,
            "partner_code": partner.code,
            "changed_at": format_moment(now, partner.timezone),
            "changed_by": actor,
            "account_holder": holder,
            "iban_masked": mask_iban(iban),
        },
    )
