"""The booking page's Edit dialog: open it with the booking's current values, send the changed
fields to `services.guest.booking_entry.edit_booking`, show each refusal at its field."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from concierge_app.domain.booking_input import FIELDS, BookingInvalid
from concierge_app.domain.errors import DomainError
from concierge_app.services.guest.booking_entry import edit_booking, edit_values
from concierge_app.services.guest.queries import list_partners
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.booking_fields import field_errors

logger = logging.getLogger(__name__)


class EditBookingMixin(rx.State, mixin=True):
    """Part of `BookingState`: uses its `busy`, `booking_id`, `_reload` and the session."""

    editing: bool = False
    edit_values: dict[str, str] = {}
    edit_errors: dict[str, str] = {}
    edit_properties: list[list[str]] = []  # [code, "name (code)"]

    @rx.event
    async def open_edit(self) -> None:
        db, booking_id = get_database(), self.booking_id  # type: ignore[attr-defined]
        self.edit_errors = {}
        try:
            values = await asyncio.to_thread(edit_values, db=db, booking_id=booking_id)
            found = await asyncio.to_thread(list_partners, db=db, kind="property")
        except Exception:
            logger.exception("Could not open the Edit dialog of booking %s", booking_id)
            self.edit_errors = {"form": "The booking could not be loaded. Check the server log."}
            return
        self.edit_values = values
        self.edit_properties = [[p.code, f"{p.name} ({p.code})"] for p in found]
        self.editing = True

    @rx.event
    def close_edit(self, open_: bool = False) -> None:
        if not open_ and self.busy != "edit":  # type: ignore[attr-defined]
            self.editing, self.edit_errors = False, {}

    @rx.event
    async def save_edit(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy:  # type: ignore[attr-defined]
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.busy, self.edit_errors = "edit", {}
        yield
        try:
            changed = await asyncio.to_thread(
                edit_booking,
                db=get_database(),
                booking_id=self.booking_id,  # type: ignore[attr-defined]
                fields={k: str(form.get(k, "")) for k in FIELDS},
                actor=self.staff_email,  # type: ignore[attr-defined]
            )
        except BookingInvalid as refused:
            self.edit_errors = field_errors(refused.problems)
        except DomainError as refused:
            self.edit_errors = {"form": refused.message}
        except Exception:
            logger.exception("Editing booking %s failed", self.booking_id)  # type: ignore[attr-defined]
            self.edit_errors = {"form": "Something went wrong; nothing was changed."}
        else:
            self.editing = False
            await self._reload()  # type: ignore[attr-defined]
            done = ", ".join(c.replace("_", " ") for c in changed)
            yield rx.toast.success(f"Saved: {done}." if changed else "Nothing changed.")
        finally:
            self.busy = ""
