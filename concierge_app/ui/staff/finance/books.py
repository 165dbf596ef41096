"""The Books tab: the period's double-entry journal to download (one CSV per currency, or the
Xero / QuickBooks import), and invoiced / paid / outstanding by month for guest invoices and
partner commission."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.staff.finance.parts import card
from concierge_app.ui.staff.finance.state import FinanceState as F


def books_tab() -> rx.Component:
    return rx.vstack(
        card(
            "Journal",
            rx.text(
                "Every money event of the month as balanced double-entry lines (debits equal "
                "credits per currency): one file per currency, or the Xero and QuickBooks "
                "manual-journal imports.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.input(
                    value=F.books_period,
                    on_change=F.set_books_period,
                    placeholder="YYYY-MM",
                    id="books-period",
                    width="140px",
                    aria_label="Period",
                ),
                rx.button("Show", variant="soft", on_click=F.show_journal, id="books-show"),
                align="center",
                spacing="2",
            ),
            rx.cond(
                F.books_error != "",
                rx.callout(F.books_error, icon="info", color_scheme="gray", id="books-error"),
            ),
            rx.vstack(rx.foreach(F.books_totals, _total_row), spacing="2", width="100%"),
            id="books-journal",
        ),
        card(
            "Guest invoices by month",
            _charts(F.guest_chart),
            id="books-guest-chart",
        ),
        card(
            "Partner commission by month",
            _charts(F.commission_chart),
            id="books-commission-chart",
        ),
        on_mount=F.load_books,
        spacing="5",
        width="100%",
    )


def _total_row(t: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    """One currency: its entries and totals, then its downloads (they wrap on a phone)."""
    currency = t["currency"]
    return rx.flex(
        rx.hstack(
            rx.text(currency, weight="bold", class_name="books-currency"),
            rx.text(t["entries"], " entries", size="2", color_scheme="gray"),
            rx.text("Debit ", rx.code(t["debit"], class_name="books-debit"), size="2"),
            rx.text("Credit ", rx.code(t["credit"], class_name="books-credit"), size="2"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            _download("CSV", currency, "journal"),
            _download("Xero", currency, "xero"),
            _download("QuickBooks", currency, "quickbooks"),
            spacing="1",
            wrap="wrap",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        gap="2",
        width="100%",
        padding_y="6px",
        border_bottom="1px solid var(--gray-a5)",
        class_name="books-total",
    )


def _download(label: str, currency: rx.Var, fmt: str) -> rx.Component:  # type: ignore[type-arg]
    return rx.button(
        rx.icon("download", size=14),
        label,
        size="1",
        variant="soft",
        on_click=F.download_journal(currency, fmt),
        class_name=f"books-download-{fmt}",
    )


def _charts(groups: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.cond(
        groups.length() > 0,  # type: ignore[attr-defined]
        rx.grid(
            rx.foreach(groups, _monthly_chart),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.text("Nothing invoiced in the last twelve months.", size="2", color_scheme="gray"),
    )


def _monthly_chart(group: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    """One currency's last twelve months (currencies never mixed), as the Overview's chart."""
    return rx.vstack(
        rx.text(group["currency"], weight="bold", size="2"),
        rx.recharts.bar_chart(
            rx.recharts.bar(
                data_key="invoiced",
                fill="var(--accent-9)",
                name="Invoiced",
                is_animation_active=False,
            ),
            rx.recharts.bar(
                data_key="paid", fill="var(--green-9)", name="Paid", is_animation_active=False
            ),
            rx.recharts.bar(
                data_key="outstanding",
                fill="var(--red-9)",
                name="Outstanding",
                is_animation_active=False,
            ),
            rx.recharts.x_axis(data_key="month"),
            rx.recharts.y_axis(width=72),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            data=group["data"],
            width="100%",
            height=220,
        ),
        width="100%",
        class_name="books-chart",
    )
