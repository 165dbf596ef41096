"""The booking page's Refund dialog: open it for one paid service, issue the refund once (one
idempotency key per opened dialog), and say how the payment provider answered."""

from __future__ import annotations

import asyncio
import logging
import secrets

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import RefundStatus
from concierge_app.services.guest.refunds import issue_refund
from concierge_app.services.shared.database import get_database

logger = logging.getLogger(__name__)


def _new_key() -> str:
    return f"refund_{secrets.token_hex(12)}"


class RefundDialogMixin(rx.State, mixin=True):
    """Part of `BookingState`: uses its `busy`, `_notes`, `overview`, `_reload` and session."""

    refund_service_id: str = ""
    refund_service_title: str = ""
    refund_paid: str = ""
    refund_default: str = ""
    refund_key: str = ""
    refund_errors: dict[str, str] = {}

    @rx.event
    def open_refund(self, service_id: str) -> None:
        notes = self._notes.get(service_id)  # type: ignore[attr-defined]
        if notes is None:
            return
        self.refund_service_id = service_id
        self.refund_service_title = notes["title"]
        self.refund_paid = notes["billed"]
        self.refund_default = notes["refund_default"]
        # One key per opened dialog: a double click, or a retry after a timeout, refunds once.
        self.refund_key = _new_key()
        self.refund_errors = {}

    @rx.event
    def close_refund(self, open_: bool = False) -> None:
        if not open_ and self.busy != "refund":  # type: ignore[attr-defined]
            self.refund_service_id, self.refund_errors = "", {}

    @rx.event
    async def issue_refund(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy or not self.refund_service_id:  # type: ignore[attr-defined]
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.busy, self.refund_errors = "refund", {}
        yield
        try:
            currency = self.overview.currency  # type: ignore[attr-defined]
            amount = Money.parse(form.get("amount", ""), currency, field="amount")
            done = await asyncio.to_thread(
                issue_refund,
                db=get_database(),
                service_id=int(self.refund_service_id),
                amount=amount,
                note=form.get("note", ""),
                actor=self.staff_email,  # type: ignore[attr-defined]
                idempotency_key=self.refund_key,
            )
        except DomainError as refused:
            # Refused (bad input, or the provider said no and the refund is marked failed): the
            # next try is a new request, so it gets a new key.
            self.refund_key = _new_key()
            field = refused.field if refused.field in ("amount", "note") else "form"
            self.refund_errors = {field: refused.message}
            self.busy = ""
            await self._reload()  # type: ignore[attr-defined]
            return
        except Exception:
            # Unknown outcome (e.g. a timeout): keep the key, so trying again refunds once.
            logger.exception("Refund of service %s failed", self.refund_service_id)
            self.refund_errors = {
                "form": "The refund could not be completed. Try again: it will not be refunded "
                "twice."
            }
            self.busy = ""
            return
        self.busy = ""
        await self._reload()  # type: ignore[attr-defined]
        title = self.refund_service_title
        if done.status == RefundStatus.FAILED:
            self.refund_key = _new_key()
            self.refund_errors = {"form": "The payment provider refused this refund."}
            return
        self.refund_service_id = ""
        if done.status == RefundStatus.PENDING:
            yield rx.toast.info(
                f"Refund of {format_money(done.amount)} for '{title}' requested; waiting for "
                "the payment provider."
            )
            return
        yield rx.toast.success(f"Refunded {format_money(done.amount)} to the guest for '{title}'.")
