"""The Bookings page's Import bookings card: a CSV from a PMS or channel manager, its progress
and what became of it (created, updated, unchanged), or the rows that refused it."""

from __future__ import annotations

import reflex as rx

from concierge_app.domain.booking_csv import EXAMPLE, MAX_BYTES, MAX_ROWS
from concierge_app.ui.shared.csv_upload import (
    csv_drop_zone,
    csv_example,
    import_button,
    import_done,
    import_refusal,
)
from concierge_app.ui.staff.bookings.import_state import BOOKINGS_UPLOAD
from concierge_app.ui.staff.bookings.state import BookingsState as S

LIMITS = f"at most {MAX_ROWS:,} rows, {MAX_BYTES // 1024:,} KB"


def import_card() -> rx.Component:
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
            csv_example(EXAMPLE),
            csv_drop_zone(
                BOOKINGS_UPLOAD,
                max_bytes=MAX_BYTES,
                disabled=S.importing,
                on_rejected=S.bookings_file_rejected,
                chosen_id="bookings-chosen",
            ),
            import_button(
                BOOKINGS_UPLOAD,
                "Import bookings",
                on_upload=S.upload_bookings,
                importing=S.importing,
                progress=S.import_progress,
                button_id="bookings-import",
                progress_id="bookings-import-progress",
            ),
            import_refusal(S.import_error, S.import_problems, id="bookings-import-error"),
            import_done(S.import_summary, id="bookings-import-result"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="bookings-import-card",
    )
