"""The Bookings page's Import bookings card: a CSV from a PMS or channel manager, its progress
and what became of it (created, updated, unchanged), or the rows that refused it."""

from __future__ import annotations

import reflex as rx

from concierge_app.domain.booking_csv import EXAMPLE, MAX_BYTES, MAX_ROWS
from concierge_app.ui.staff.bookings.import_state import BOOKINGS_UPLOAD
from concierge_app.ui.staff.bookings.state import BookingsState as S

LIMITS = f"at most {MAX_ROWS:,} rows, {MAX_BYTES // 1024:,} KB"


def _refusal() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle_alert")),
        rx.callout.text(S.import_error, weight="medium"),
        rx.cond(
            S.import_problems.length() > 0,  # type: ignore[attr-defined]
            rx.el.ul(
                rx.foreach(S.import_problems, lambda p: rx.el.li(rx.text(p, size="2"))),
                padding_left="20px",
                margin="0",
                list_style_type="disc",
            ),
        ),
        color_scheme="red",
        role="alert",
        id="bookings-import-error",
        width="100%",
        overflow_wrap="anywhere",
    )


def import_card() -> rx.Component:
    chosen = rx.selected_files(BOOKINGS_UPLOAD)
    return rx.card(
        rx.vstack(
            rx.heading("Import bookings (CSV)", size="3", as_="h2"),
            rx.text(
                f"A header row, then one booking per row ({LIMITS}). Columns in any order: "
                "external_reference, guest_name, guest_email, guest_language (optional), "
                "property (its code), check_in, check_out (YYYY-MM-DD), currency, "
                "accommodation_total, accommodation_paid and collected_by (optional). A bad row "
                "refuses the whole file; a known external reference updates its booking.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.pre(
                EXAMPLE,
                font_family="var(--code-font-family)",
                font_size="12px",
                padding="8px 10px",
                border_radius="var(--radius-2)",
                background_color="var(--gray-a3)",
                white_space="pre",
                overflow_x="auto",
                width="100%",
                margin="0",
            ),
            rx.upload.root(
                rx.vstack(
                    rx.icon("file_up", size=22, color="var(--gray-10)"),
                    rx.cond(
                        chosen.length() > 0,  # type: ignore[attr-defined]
                        rx.text(chosen[0], weight="medium", size="2", id="bookings-chosen"),  # type: ignore[index]
                        rx.text("Drop the CSV file here, or click to choose it", size="2"),
                    ),
                    align="center",
                    spacing="1",
                ),
                id=BOOKINGS_UPLOAD,
                accept={"text/csv": [".csv"], "text/plain": [".csv", ".txt"]},
                max_files=1,
                multiple=False,
                max_size=MAX_BYTES,
                disabled=S.importing,
                on_drop_rejected=S.bookings_file_rejected,
                border="1px dashed var(--gray-a8)",
                border_radius="var(--radius-3)",
                padding="20px",
                width="100%",
                cursor="pointer",
                background_color="var(--color-panel-solid)",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("upload", size=16),
                    "Import bookings",
                    on_click=S.upload_bookings(rx.upload_files(upload_id=BOOKINGS_UPLOAD)),
                    loading=S.importing,
                    disabled=chosen.length() == 0,  # type: ignore[attr-defined]
                    id="bookings-import",
                ),
                rx.cond(
                    S.importing,
                    rx.hstack(
                        rx.spinner(size="2"),
                        rx.text(S.import_progress, size="2", color_scheme="gray"),
                        align="center",
                        spacing="2",
                        id="bookings-import-progress",
                    ),
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(S.import_error != "", _refusal()),
            rx.cond(
                S.import_summary != "",
                rx.callout(
                    S.import_summary,
                    icon="circle_check",
                    color_scheme="green",
                    id="bookings-import-result",
                    role="status",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="bookings-import-card",
    )
