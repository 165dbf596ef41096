"""State of `/partner/group` ("All properties"): a group login's properties, their outstanding
documents, the total due, how to pay it (one transfer quoting the group code, or online) and
the group's payments with their allocation breakdown. Live; a group login sees only its own
group (the group comes from its session, never from the page)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.documents import group_iban
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.services.partner.views.group import GroupView, group_view
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.checkout import PartnerPayOnlineMixin
from concierge_app.ui.partner.session import PartnerAuthState
from concierge_app.ui.shared.document_status import STATUS_COLOURS
from concierge_app.ui.shared.pay_online.rows import PayAllRow, pay_all_row

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class GroupInvoiceRow:
    id: str
    number: str
    property_code: str
    property_name: str
    title: str
    due_date: str
    outstanding: str
    status: str
    colour: str  # green / red / black
    colour_css: str
    note: str


@dataclasses.dataclass(frozen=True)
class PropertyRow:
    code: str
    name: str
    total_due: str  # "" when nothing is due
    open_count: int
    overdue: int


@dataclasses.dataclass(frozen=True)
class AllocationRow:
    property: str  # "Villa Sol Ibiza · PRP-1004"
    number: str
    amount: str


@dataclasses.dataclass(frozen=True)
class PaymentRow:
    id: str
    received: str
    method: str
    amount: str
    reference: str
    credit_left: str  # "" when all of it was applied
    lines: list[AllocationRow]


def _rows(view: GroupView) -> list[GroupInvoiceRow]:
    """Every property's outstanding documents, in the order the view gives (oldest due first:
    the order money is applied)."""
    return [
        GroupInvoiceRow(
            str(d.summary.id),
            d.summary.number,
            d.property_code,
            d.property_name,
            d.summary.title,
            format_day(d.summary.due_date),
            format_money(d.summary.outstanding),
            d.summary.status_text,
            d.summary.status_colour.value,
            STATUS_COLOURS[d.summary.status_colour.value],
            d.summary.status_note,
        )
        for d in view.documents
    ]


class PartnerGroupState(PartnerPayOnlineMixin, PartnerAuthState):
    GROUP = True  # the group pays (Pay all online), and comes back here
    RETURN_PATH = routes.PARTNER_GROUP
    not_group: bool = False  # the login is not a group login
    code: str = ""
    name: str = ""
    finance_email: str = ""
    properties: list[PropertyRow] = []
    invoices: list[GroupInvoiceRow] = []
    total_due: str = ""  # "€230.00" (" + " between currencies); "" when nothing is due
    overdue: int = 0
    credit: str = ""
    pay_all: list[PayAllRow] = []  # "Pay all online": one per currency
    payments: list[PaymentRow] = []
    bank_name: str = ""
    iban: str = ""
    bic: str = ""
    beneficiary: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self._remember_return()
        self.pay_error = ""
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    def _push_scope(self) -> dict[str, Any]:
        """Every property of the group: pushed any change."""
        return {}

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        self.not_group = not self._gid
        if self.not_group:
            self.view = "ready"
            return
        try:
            view = await asyncio.to_thread(
                group_view, db=get_database(), group_id=self._gid, today=today()
            )
            returned = await asyncio.to_thread(self._checkout_status)
        except Exception:
            logger.exception("Could not load group %s", self._gid)
            self.view = "error"
            return
        self.code, self.name, self.finance_email = view.code, view.name, view.finance_email
        self.properties = [
            PropertyRow(
                p.code,
                p.name,
                " + ".join(format_money(m) for m in p.total_due),
                len(p.outstanding),
                p.overdue,
            )
            for p in view.properties
        ]
        self.invoices = _rows(view)
        self.total_due = " + ".join(format_money(m) for m in view.total_due)
        self.overdue = view.overdue
        self.credit = " + ".join(format_money(m) for m in view.credit)
        self.pay_all = [pay_all_row(o.invoice_ids, o.amount) for o in view.online]
        self.payments = [
            PaymentRow(
                str(p.payment_id),
                format_day(p.received_on),
                p.method_label,
                format_money(p.amount),
                p.reference,
                "" if p.credit_left.is_zero else format_money(p.credit_left),
                [
                    AllocationRow(
                        f"{ln.property_name} · {ln.property_code}",
                        ln.number,
                        format_money(ln.amount),
                    )
                    for ln in p.lines
                ],
            )
            for p in view.payments
        ]
        platform = view.platform
        self.bank_name, self.bic = platform.bank_name, platform.bic
        self.iban = group_iban(platform.iban)  # in groups of four, as on the invoice
        self.beneficiary = platform.legal_name
        self._show_return(returned)
        self.view = "ready"
