"""The booking page's Add service form: open and close it, follow the chosen payment strategy
(a deposit field for Platform Collects Deposit), read the form and add the service as a draft;
a refusal is shown at the field it names."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.services.guest import portfolio
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.booking.rows import DEPOSIT_STRATEGY

logger = logging.getLogger(__name__)

# The fields of the Add service form (DomainError.field names); anything else is form-wide.
SERVICE_FIELDS = (
    "title",
    "description",
    "operator",
    "service_date",
    "gross_price",
    "deposit",
    "strategy",
)
_FIELD_ALIASES = {"currency": "gross_price", "operator_id": "operator"}


class AddServiceMixin(rx.State, mixin=True):
    """Part of `BookingState`: uses its `busy`, `booking_id`, `overview`, `_reload` and session."""

    adding: bool = False
    form_strategy: str = ""
    form_errors: dict[str, str] = {}

    @rx.event
    def open_add_service(self) -> None:
        self.adding, self.form_errors, self.form_strategy = True, {}, ""

    @rx.event
    def close_add_service(self, open_: bool = False) -> None:
        if not open_ and self.busy != "add":  # type: ignore[attr-defined]
            self.adding, self.form_errors = False, {}

    @rx.event
    def set_form_strategy(self, value: str) -> None:
        self.form_strategy = value
        self.form_errors = {
            k: v for k, v in self.form_errors.items() if k not in ("strategy", "deposit")
        }

    @rx.event
    async def add_service(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy:  # type: ignore[attr-defined]
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.busy, self.form_errors = "add", {}
        yield
        currency = self.overview.currency  # type: ignore[attr-defined]
        strategy = self.form_strategy
        title = form.get("title", "")
        try:
            gross = Money.parse(form.get("gross_price", ""), currency, field="gross_price")
            deposit_text = (form.get("deposit") or "").strip()
            deposit = (
                Money.parse(deposit_text, currency, field="deposit")
                if strategy == DEPOSIT_STRATEGY and deposit_text
                else None
            )
            operator = (form.get("operator") or "").strip()
            if not operator.isdigit():
                raise DomainError("Choose the operator who delivers the service.", field="operator")
            try:
                day = date.fromisoformat((form.get("service_date") or "").strip())
            except ValueError:
                raise DomainError("Choose the date of the service.", field="service_date") from None
            await asyncio.to_thread(
                portfolio.add_service_item,
                db=get_database(),
                booking_id=self.booking_id,  # type: ignore[attr-defined]
                operator_id=int(operator),
                title=title,
                service_date=day,
                gross=gross,
                strategy=strategy,
                deposit=deposit,
                description=form.get("description", ""),
                actor=self.staff_email,  # type: ignore[attr-defined]
            )
        except DomainError as refused:
            field = _FIELD_ALIASES.get(refused.field or "", refused.field or "")
            self.form_errors = {field if field in SERVICE_FIELDS else "form": refused.message}
            self.busy = ""
            return
        except Exception:
            booking = self.booking_id  # type: ignore[attr-defined]
            logger.exception("Adding a service to booking %s failed", booking)
            self.form_errors = {"form": "Something went wrong; nothing was saved."}
            self.busy = ""
            return
        self.busy = ""
        self.adding, self.form_strategy = False, ""
        await self._reload()  # type: ignore[attr-defined]
        yield rx.toast.success(
            f"'{title.strip()}' added as a draft. Confirm it to put it on the guest's plan."
        )
