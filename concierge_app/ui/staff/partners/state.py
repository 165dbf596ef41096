"""State of `/partners` (staff): the partners by name, searched by name or ID and filtered by
kind, and the New partner form (`services.partner.directory.add_partner`): each refusal shown at
its field, then the new partner's page."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app import routes
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_input import FIELDS, KINDS, PartnerInvalid
from concierge_app.services.partner.directory import (
    MAX_LISTED,
    PartnerListItem,
    add_partner,
    partner_list,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.partners.fields import field_errors
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)

KIND_FILTERS = {"All kinds": "", "Properties": "property", "Operators": "operator"}
# What the New partner form starts with.
NEW_VALUES = {
    "kind": "property",
    "currency": "EUR",
    "timezone": "UTC",
    "payout_method": "net_payout",
    "commission_payment_method": "payout_deduction",
}


@dataclasses.dataclass(frozen=True)
class PartnerRow:
    code: str
    name: str
    kind: str  # "property" | "operator"
    kind_label: str
    category: str
    country: str
    currency: str
    rate: str
    finance_email: str
    href: str


def to_row(item: PartnerListItem) -> PartnerRow:
    return PartnerRow(
        code=item.code,
        name=item.name,
        kind=item.kind,
        kind_label=KINDS.get(item.kind, item.kind),
        category=item.category,
        country=item.country,
        currency=item.currency,
        rate=item.rate,
        finance_email=item.finance_email,
        href=routes.finance_partner(item.code),
    )


class PartnersState(LiveState, AuthState):
    """The Partners list, live; the New partner dialog."""

    rows: list[PartnerRow] = []
    loading: bool = True
    error: str = ""
    search: str = ""
    kind_filter: str = "All kinds"
    creating: bool = False  # the New partner dialog is open
    saving: bool = False
    new_errors: dict[str, str] = {}

    @rx.var
    def view(self) -> str:
        """ "loading", "error", "empty", "no-match" or "table"."""
        if self.loading:
            return "loading"
        if self.error:
            return "error"
        if self.rows:
            return "table"
        return "no-match" if self.search or self.kind_filter != "All kinds" else "empty"

    @rx.var
    def partner_count(self) -> str:
        count = len(self.rows)
        if count >= MAX_LISTED:
            return f"First {MAX_LISTED} partners: search to narrow"
        return "1 partner" if count == 1 else f"{count} partners"

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = value[:100]
        await self._reload()

    @rx.event
    async def set_kind_filter(self, value: str) -> None:
        self.kind_filter = value if value in KIND_FILTERS else "All kinds"
        await self._reload()

    async def _reload(self) -> None:
        try:
            self.version = await self._ledger_version()
            found = await asyncio.to_thread(
                partner_list,
                db=get_database(),
                today=today(),
                search=self.search,
                kind=KIND_FILTERS.get(self.kind_filter, ""),
            )
        except Exception:
            logger.exception("Could not load the partners")
            self.rows, self.error = [], "The partners could not be loaded. Check the server log."
        else:
            self.rows, self.error = [to_row(item) for item in found], ""
        finally:
            self.loading = False

    @rx.event
    def open_new_partner(self) -> None:
        self.creating, self.new_errors = True, {}

    @rx.event
    def close_new_partner(self, open_: bool = False) -> None:
        if not open_ and not self.saving:
            self.creating, self.new_errors = False, {}

    @rx.event
    async def create_partner(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Make the partner typed (a double submit makes one) and open its page."""
        if self.saving:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.saving, self.new_errors = True, {}
        yield
        try:
            saved = await asyncio.to_thread(
                add_partner,
                db=get_database(),
                fields={k: str(form.get(k, "")) for k in FIELDS},
                actor=self.staff_email,
            )
        except PartnerInvalid as refused:
            self.new_errors = field_errors(refused.problems)
        except DomainError as refused:
            self.new_errors = {refused.field or "form": refused.message}
        except Exception:
            logger.exception("Creating a partner failed")
            self.new_errors = {"form": "Something went wrong; nothing was saved."}
        else:
            self.creating = False
            done = "was already created" if saved.repeated else "created"
            yield rx.toast.success(f"Partner {saved.code} {done}.")
            yield rx.redirect(routes.finance_partner(saved.code))
        finally:
            self.saving = False
