"""The Bookings page's New booking form: open it with the properties to choose from, send the
typed fields to `services.guest.booking_entry.new_booking` with this opening's request key (a
repeated submit finds the booking already made), show each refusal at its field, and open the
new booking's page."""

from __future__ import annotations

import asyncio
import logging
import secrets

import reflex as rx

from concierge_app import routes
from concierge_app.domain.booking_input import FIELDS, BookingInvalid
from concierge_app.domain.errors import DomainError
from concierge_app.services.guest.booking_entry import new_booking
from concierge_app.services.guest.queries import list_partners
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.booking_fields import field_errors

logger = logging.getLogger(__name__)


class NewBookingMixin(rx.State, mixin=True):
    """Part of `BookingsState`: uses the staff session."""

    creating: bool = False  # the dialog is open
    saving: bool = False
    new_errors: dict[str, str] = {}
    property_options: list[list[str]] = []  # [code, "name (code)"]
    _request_key: str = ""  # new at each opening of the dialog (backend only)

    @rx.event
    async def open_new_booking(self) -> None:
        self.creating, self.new_errors = True, {}
        self._request_key = secrets.token_urlsafe(24)
        try:
            found = await asyncio.to_thread(list_partners, db=get_database(), kind="property")
        except Exception:
            logger.exception("Could not list the properties")
            self.new_errors = {"form": "The properties could not be loaded. Check the server log."}
            return
        self.property_options = [[p.code, f"{p.name} ({p.code})"] for p in found]

    @rx.event
    def close_new_booking(self, open_: bool = False) -> None:
        if not open_ and not self.saving:
            self.creating, self.new_errors = False, {}

    @rx.event
    async def create_booking(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.saving:
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.saving, self.new_errors = True, {}
        yield
        try:
            made = await asyncio.to_thread(
                new_booking,
                db=get_database(),
                fields={k: str(form.get(k, "")) for k in FIELDS},
                actor=self.staff_email,  # type: ignore[attr-defined]
                received_on=today(),  # what is already paid is recorded as received today
                request_key=self._request_key or None,
            )
        except BookingInvalid as refused:
            self.new_errors = field_errors(refused.problems)
        except DomainError as refused:
            self.new_errors = {"form": refused.message}
        except Exception:
            logger.exception("Creating a booking failed")
            self.new_errors = {"form": "Something went wrong; nothing was saved."}
        else:
            self.creating = False
            reused = " (an existing guest with this email)" if made.guest_reused else ""
            done = "was already created" if made.repeated else f"created{reused}"
            yield rx.toast.success(f"Booking {made.reference} {done}.")
            yield rx.redirect(routes.booking(made.reference))
        finally:
            self.saving = False
