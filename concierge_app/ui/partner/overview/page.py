"""`/partner` (Financial Overview): how the partner pays its commission and where to, its payout
account, the commission chart and the payouts. Live."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.partner.overview.state import OverviewState as O
from concierge_app.ui.partner.overview.state import PayoutRow
from concierge_app.ui.partner.shell import fact, partner_shell
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.stacked_table import PHONE, stacked_cell, stacked_table


def _payout_row(row: PayoutRow) -> rx.Component:
    return rx.table.row(
        stacked_cell(row.period, title=True),
        stacked_cell(row.gross, label="Collected", text_align="right"),
        stacked_cell(row.commission, label="Commission", text_align="right"),
        stacked_cell(row.net, label="Paid out", text_align="right"),
    )


def overview_page() -> rx.Component:
    return partner_shell(
        page_header("Financial Overview", "How you pay your commission, and where to."),
        rx.cond(
            O.view == "loading",
            loading_card("Loading…"),
            rx.vstack(
                rx.grid(
                    rx.card(
                        rx.vstack(
                            rx.heading("Payment information", size="4", as_="h2"),
                            fact("Your payment method", O.method_label, id="payment-method"),
                            rx.text(O.how_it_works, size="2", color_scheme="gray"),
                            fact("Reference to quote on transfers", O.reference_format),
                            spacing="3",
                        ),
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Our bank details (for transfers)", size="4", as_="h2"),
                            fact("Account holder", O.platform_name),
                            fact("Bank", O.bank_name),
                            fact("IBAN", O.iban, id="platform-iban"),
                            fact("BIC", O.bic),
                            spacing="3",
                        ),
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Your payout account", size="4", as_="h2"),
                            rx.cond(
                                O.payout_account != "",
                                rx.vstack(
                                    fact("Account holder", O.payout_holder),
                                    fact("IBAN", O.payout_account),
                                    spacing="3",
                                ),
                                rx.text("No payout account yet.", color_scheme="gray"),
                            ),
                            rx.link("Bank details →", href=routes.PARTNER_BANK_DETAILS, size="2"),
                            spacing="3",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading(
                            "Commission by month (",
                            O.currency,
                            ", last 12 months)",
                            size="4",
                            as_="h2",
                        ),
                        rx.recharts.bar_chart(
                            rx.recharts.bar(
                                data_key="commission", fill="var(--accent-9)", name="Commission"
                            ),
                            rx.recharts.x_axis(data_key="month"),
                            rx.recharts.y_axis(),
                            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                            rx.recharts.graphing_tooltip(),
                            data=O.chart,
                            width="100%",
                            height=260,
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                    id="commission-chart",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Payouts", size="4", as_="h2"),
                        stacked_table(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Period"),
                                    rx.table.column_header_cell("Collected", text_align="right"),
                                    rx.table.column_header_cell("Commission", text_align="right"),
                                    rx.table.column_header_cell("Paid out", text_align="right"),
                                )
                            ),
                            rx.table.body(rx.foreach(O.payouts, _payout_row)),
                            stack_below=PHONE,
                            min_column="88px",  # the three figures side by side on a phone
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="5",
                width="100%",
            ),
        ),
        active="Financial Overview",
    )
