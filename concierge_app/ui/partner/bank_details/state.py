"""State of `/partner/bank-details`: the payout account (masked; edited with IBAN validation)
and the direct debit mandate (signed, or waiting for the partner to read and accept it)."""

from __future__ import annotations

import asyncio

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.services.partner.views.finance import bank_account, update_bank_account
from concierge_app.services.payments.direct_debit_mandate import accept_mandate, mandate_of
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerAuthState, PartnerLiveState
from concierge_app.ui.shared.session import client_address


class BankDetailsState(PartnerLiveState, PartnerAuthState):
    """`/partner/bank-details`: the payout account, masked; edit with IBAN validation."""

    holder: str = ""
    iban_masked: str = ""
    bic: str = ""
    updated: str = ""
    mandate: str = ""  # "Direct debit mandate …, signed …, collected from …" (if any)
    # a mandate waiting for the partner's acceptance: its text, and the acceptance form
    mandate_pending: bool = False
    mandate_reference: str = ""
    mandate_terms: list[str] = []
    mandate_agreed: bool = False  # the "I accept" box is ticked
    accepting: bool = False
    mandate_error: str = ""
    signer: str = ""  # who accepts: the signed-in login
    editing: bool = False
    errors: dict[str, str] = {}
    saved: str = ""
    saving: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.editing, self.errors, self.saved = False, {}, ""
        self.mandate_agreed, self.mandate_error = False, ""
        if not await self._enter():
            yield self._to_sign_in()
            return
        who = await self._identity()
        self.signer = "" if who is None else who.email
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        account = await asyncio.to_thread(bank_account, **self._scope())
        self.holder = "" if account is None else account.account_holder
        self.iban_masked = "" if account is None else account.iban_masked
        self.bic = "" if account is None else account.bic
        self.updated = "" if account is None else f"{account.updated_at} by {account.updated_by}"
        mandate = await asyncio.to_thread(mandate_of, **self._scope())
        self.mandate = "" if mandate is None else mandate.text
        pending = mandate is not None and mandate.pending
        if not pending or mandate is None or mandate.reference != self.mandate_reference:
            self.mandate_agreed = False  # a new mandate: read it and tick the box again
        self.mandate_pending = pending
        self.mandate_reference = "" if mandate is None else mandate.reference
        self.mandate_terms = [] if mandate is None else list(mandate.terms)
        self.view = "ready"

    @rx.event
    def set_mandate_agreed(self, value: bool) -> None:
        self.mandate_agreed, self.mandate_error = bool(value), ""

    @rx.event
    async def accept_mandate(self):  # type: ignore[no-untyped-def]
        """The partner accepts the mandate it reads (the box ticked): who (this login), when and
        from where (the browser's address) are recorded; debits can be requested from then."""
        if self.accepting:
            return
        who = await self._identity()
        if who is None or who.partner_id != self._pid:
            yield self._to_sign_in()
            return
        if not self.mandate_agreed:
            self.mandate_error = "Tick the box to accept the mandate."
            return
        self.accepting, self.mandate_error = True, ""
        yield
        try:
            await asyncio.to_thread(
                accept_mandate,
                db=get_database(),
                partner_id=self._pid,
                reference=self.mandate_reference,
                accepted_by=who.email,
                accepted_from=client_address(self),
            )
        except DomainError as refused:
            self.mandate_error = refused.message
        else:
            self.saved = "Direct debit mandate accepted: we collect your open invoices from it."
        finally:
            self.accepting = False
        await self._reload()

    @rx.event
    def start_edit(self) -> None:
        self.editing, self.errors, self.saved = True, {}, ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.errors = False, {}

    @rx.event
    async def save(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.saving:
            return
        who = await self._identity()
        if who is None or who.partner_id != self._pid:
            yield self._to_sign_in()
            return
        self.saving, self.errors = True, {}
        yield
        try:
            await asyncio.to_thread(
                update_bank_account,
                db=get_database(),
                partner_id=self._pid,
                account_holder=form.get("account_holder", ""),
                iban=form.get("iban", ""),
                bic=form.get("bic", ""),
                actor=who.email,
            )
        except DomainError as refused:
            self.errors = {refused.field or "form": refused.message}
            self.saving = False
            return
        self.saving, self.editing = False, False
        self.saved = "Bank details saved. We emailed your finance contact about the change."
        await self._reload()
        if self.mandate_pending:
            self.saved += " Read and accept the new direct debit mandate below."
