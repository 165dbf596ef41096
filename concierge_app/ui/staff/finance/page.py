"""`/finance` (staff), one tab per job: Overview (invoiced vs paid vs outstanding, partner
balances), Month-end (preview, run with a progress bar, past runs), Bank transfers (record one,
import a bank statement CSV, the queue of unmatched ones), Direct debit (collect; the sandbox
bank's answers), Payouts, Documents (the latest partner documents), Books (the journal
export, the monthly charts) and Reconciliation (the provider's records against the ledger).
`?tab=<name>` opens a tab; choosing one puts it in the address."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.staff.finance.books import books_tab
from concierge_app.ui.staff.finance.direct_debit import direct_debit_card
from concierge_app.ui.staff.finance.documents import documents_tab
from concierge_app.ui.staff.finance.month_end import month_end_tab
from concierge_app.ui.staff.finance.overview import overview_tab
from concierge_app.ui.staff.finance.payouts import payouts_tab
from concierge_app.ui.staff.finance.reconciliation import reconciliation_tab
from concierge_app.ui.staff.finance.state import DATES_NOTE, FINANCE_TABS
from concierge_app.ui.staff.finance.state import FinanceState as F
from concierge_app.ui.staff.finance.transfers import bank_transfers_tab
from concierge_app.ui.staff.shell import page_shell


def _tab_trigger(value: str) -> rx.Component:
    label = FINANCE_TABS[value]
    if value == "transfers":  # the queue waits for staff: its size shows on the tab
        return rx.tabs.trigger(
            label,
            rx.cond(
                F.queue.length() > 0,  # type: ignore[attr-defined]
                rx.badge(
                    F.queue.length(),  # type: ignore[attr-defined]
                    color_scheme="amber",
                    variant="soft",
                    radius="full",
                    margin_left="6px",
                    id="transfers-tab-count",
                ),
            ),
            value=value,
            id=f"finance-tab-{value}",
        )
    return rx.tabs.trigger(label, value=value, id=f"finance-tab-{value}")


_TAB_CONTENT = {
    "overview": overview_tab,
    "month-end": month_end_tab,
    "transfers": bank_transfers_tab,
    "direct-debit": direct_debit_card,
    "payouts": payouts_tab,
    "documents": documents_tab,
    "books": books_tab,
    "reconciliation": reconciliation_tab,
}


def _tabs() -> rx.Component:
    """One tab per job (a deep link opens one: `/finance?tab=transfers`)."""
    return rx.tabs.root(
        rx.tabs.list(
            *[_tab_trigger(value) for value in FINANCE_TABS],
            flex_wrap="wrap",
            margin_bottom="16px",
        ),
        *[
            rx.tabs.content(_TAB_CONTENT[value](), value=value, width="100%")
            for value in FINANCE_TABS
        ],
        value=F.tab,
        on_change=F.choose_tab,
        width="100%",
        id="finance-tabs",
    )


def finance_page() -> rx.Component:
    return page_shell(
        page_header(
            "Partner finance",
            f"Commission invoices, payouts and the month-end run. {DATES_NOTE}",
        ),
        rx.cond(
            F.loading,
            loading_card("Loading partner finance…"),
            _tabs(),
        ),
        active="Finance",
    )
