"""The direct debit mandate on a partner's account: what the partner reads on Bank details,
and its explicit acceptance (who, when, from where), after which the partner is collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.db.types import utcnow
from concierge_app.domain.direct_debit import mandate_terms
from concierge_app.domain.errors import Conflict, DomainError
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.partner_billing import long_date
from concierge_app.domain.statuses import CommissionPaymentMethod
from concierge_app.services.partner.views.finance import mask_iban
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.settings import get_settings

_P, _ACC = table_of(Partner), table_of(PartnerBankAccount)


@dataclass(frozen=True, slots=True)
class MandateView:
    reference: str
    iban_masked: str
    signed_on: str  # "August 12, 2026"; "" while it waits for the partner's acceptance
    accepted_by: str = ""
    accepted_from: str = ""
    accepted_at: str = ""  # "August 12, 2026 10:15" at the partner
    terms: tuple[str, ...] = ()  # the mandate's text, as the partner reads and accepts it

    @property
    def pending(self) -> bool:
        return not self.signed_on

    @property
    def text(self) -> str:
        if self.pending:
            return (
                f"Direct debit mandate {self.reference} for {self.iban_masked} is waiting for "
                "your acceptance: nothing is debited until you accept it."
            )
        who = (
            f" by {self.accepted_by}"
            + (f" from {self.accepted_from}" if self.accepted_from else "")
            if self.accepted_by
            else ""
        )
        return (
            f"Direct debit mandate {self.reference}, signed {self.signed_on}{who}, collected "
            f"from {self.iban_masked}"
        )


def _mandate_row(conn: Connection, partner_id: int, *, lock: bool = False) -> Any:
    stmt = (
        select(
            _ACC.c.id,
            _ACC.c.account_holder,
            _ACC.c.iban,
            _ACC.c.mandate_reference,
            _ACC.c.mandate_signed_on,
            _ACC.c.mandate_accepted_at,
            _ACC.c.mandate_accepted_by,
            _ACC.c.mandate_accepted_from,
            _P.c.code,
            _P.c.timezone,
            _P.c.commission_payment_method,
        )
        .join(_P, _P.c.id == _ACC.c.partner_id)
        .where(_ACC.c.partner_id == partner_id, _ACC.c.mandate_reference.is_not(None))
    )
    if lock:
        stmt = stmt.with_for_update(of=_ACC)
    return conn.execute(stmt).first()


def _view(row: Any) -> MandateView:
    settings = get_settings()
    masked = mask_iban(row.iban)
    return MandateView(
        reference=row.mandate_reference,
        iban_masked=masked,
        signed_on="" if row.mandate_signed_on is None else long_date(row.mandate_signed_on),
        accepted_by=row.mandate_accepted_by or "",
        accepted_from=row.mandate_accepted_from or "",
        accepted_at=""
        if row.mandate_accepted_at is None
        else format_moment(row.mandate_accepted_at, row.timezone),
        terms=mandate_terms(
            creditor=settings.platform_legal_name,
            creditor_address=settings.platform_address,
            reference=row.mandate_reference,
            debtor=row.account_holder,
            iban_masked=masked,
        ),
    )


def mandate_of(*, db: Database, partner_id: int) -> MandateView | None:
    """The partner's direct debit mandate, if its account has one (signed, or waiting)."""
    with db.read() as session:
        row = _mandate_row(session.connection(), partner_id)
    return None if row is None else _view(row)


def accept_mandate(
    *,
    db: Database,
    partner_id: int,
    reference: str,
    accepted_by: str,
    accepted_from: str,
    now: datetime | None = None,
) -> MandateView:
    """The partner accepts the mandate it was shown (`reference`): signed today, with who
    accepted it and from where (the browser's address); audited with the text accepted. Asking
    again once signed changes nothing; a mandate replaced meanwhile (a new account) is
    refused: its text was not the one shown."""
    who = " ".join((accepted_by or "").split())[:254]
    if not who:
        raise DomainError("Sign in to accept the mandate.")
    where = " ".join((accepted_from or "").split())[:64] or "unknown address"
    moment = now or utcnow()
    with db.transaction() as session:
        conn = session.connection()
        row = _mandate_row(conn, partner_id, lock=True)
        if row is None or row.mandate_reference != reference.strip():
            raise Conflict(
                "This mandate is no longer the one on your account: read the current one and "
                "accept it."
            )
        if row.commission_payment_method != CommissionPaymentMethod.DIRECT_DEBIT.value:
            raise DomainError("You do not pay by direct debit: there is no mandate to accept.")
        if row.mandate_signed_on is not None:  # accepted already (a double click)
            return _view(row)
        conn.execute(
            update(_ACC)
            .where(_ACC.c.id == row.id)
            .values(
                mandate_signed_on=moment.date(),
                mandate_accepted_at=moment,
                mandate_accepted_by=who,
                mandate_accepted_from=where,
            )
        )
        accepted = _mandate_row(conn, partner_id)
        view = _view(accepted)
        record_event(
            session,
            actor=who,
            action="partner.mandate_accepted",
            subject=f"partner:{partner_id}",
            data={
                "mandate": view.reference,
                "iban": view.iban_masked,
                "accepted_by": who,
                "accepted_from": where,
                "accepted_at": moment.isoformat(),
                "terms": list(view.terms),
            },
        )
    return view
