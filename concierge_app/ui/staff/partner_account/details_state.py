"""The partner's details on its staff page and the Edit details dialog
(`services.partner.directory`): what the form starts from, each refusal at its field."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from concierge_app.domain.booking_input import LOCALES
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_input import (
    COMMISSION_PAYMENT_METHODS,
    KINDS,
    PAYOUT_METHODS,
    PartnerInvalid,
)
from concierge_app.services.partner.directory import (
    PartnerDetails,
    PartnerSaved,
    edit_partner,
    partner_details,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.partners.fields import EDIT_FIELDS, field_errors

logger = logging.getLogger(__name__)

_SAVED_NAMES = {"bank_account": "bank account", "commission_rate": "new commission rate"}


def saved_text(saved: PartnerSaved) -> str:
    """What staff read after Edit details."""
    if saved.repeated:
        return "Nothing changed: the details were already saved."
    names = [_SAVED_NAMES.get(f, f.replace("_", " ")) for f in saved.changed]
    return f"Details of {saved.code} saved: {', '.join(names)}."


class DetailsMixin(rx.State, mixin=True):
    """Part of `PartnerAccountState` (uses the staff session)."""

    details: dict[str, str] = {}  # the values as stored, by field name
    details_shown: dict[str, str] = {}  # the same, worded for the Details card
    details_rate: str = ""
    details_bank: str = ""  # "holder · ES91 •••• 1332", or ""
    details_fixed: bool = False  # currency and kind stay: it has bookings or invoices
    edit_open: bool = False
    edit_saving: bool = False
    edit_errors: dict[str, str] = {}

    def _show_details(self, found: PartnerDetails) -> None:
        self.details = dict(found.fields)
        shown = dict(found.fields)
        shown["kind"] = KINDS.get(shown["kind"], shown["kind"])
        shown["payout_method"] = PAYOUT_METHODS.get(shown["payout_method"], "")
        shown["commission_payment_method"] = COMMISSION_PAYMENT_METHODS.get(
            shown["commission_payment_method"], ""
        )
        shown["language"] = LOCALES.get(shown.get("language", ""), shown.get("language", ""))
        self.details_shown = shown
        self.details_rate, self.details_bank = found.rate, found.bank_masked
        self.details_fixed = found.currency_fixed

    async def _load_details(self, code: str) -> None:
        found = await asyncio.to_thread(
            partner_details, db=get_database(), code=code, today=today()
        )
        self._show_details(found)

    @rx.event
    def ask_edit(self) -> None:
        self.edit_errors, self.edit_open = {}, True

    @rx.event
    def set_edit_open(self, value: bool) -> None:
        if not self.edit_saving:
            self.edit_open = value

    @rx.event
    async def save_details(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Save what changed (a double click saves once)."""
        if self.edit_saving:
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.edit_saving, self.edit_errors = True, {}
        yield
        try:
            saved = await asyncio.to_thread(
                edit_partner,
                db=get_database(),
                code=self.code,  # type: ignore[attr-defined]
                fields={k: str(form.get(k, "")) for k in EDIT_FIELDS},
                actor=self.staff_email,  # type: ignore[attr-defined]
                today=today(),
            )
        except PartnerInvalid as refused:
            self.edit_errors = field_errors(refused.problems)
            return
        except DomainError as refused:
            self.edit_errors = {refused.field or "form": refused.message}
            return
        except Exception:
            logger.exception("Editing a partner failed")
            self.edit_errors = {"form": "Something went wrong; nothing was saved."}
            return
        finally:
            self.edit_saving = False
        self.edit_open = False
        self.message = saved_text(saved)  # type: ignore[has-type]
        await self._reload()  # type: ignore[attr-defined]
