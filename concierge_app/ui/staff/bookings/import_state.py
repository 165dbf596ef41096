"""The Bookings page's Import bookings card: the chosen CSV is read, then imported in the
background with its progress; the summary (created, updated, unchanged) or the refused rows."""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from concierge_app.domain.booking_csv import MAX_BYTES, BookingFileRefused, decode_bookings_file
from concierge_app.domain.errors import DomainError
from concierge_app.services.guest.booking_import import import_bookings
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.progress import with_progress

logger = logging.getLogger(__name__)

BOOKINGS_UPLOAD = "bookings-file"
_REJECTED = {  # why the browser refused a file, by react-dropzone's code
    "file-too-large": f"The file is larger than {MAX_BYTES // 1024:,} KB; split it.",
    "file-invalid-type": "Choose a .csv file (export the bookings as CSV).",
    "too-many-files": "Choose one file at a time.",
}


class ImportBookingsMixin(rx.State, mixin=True):
    """Part of `BookingsState`: uses its `_reload` and the staff session."""

    importing: bool = False
    import_progress: str = ""
    import_summary: str = ""
    import_error: str = ""
    import_problems: list[str] = []
    _bookings_text: str = ""  # an uploaded file waiting for the import to start

    @rx.event
    def bookings_file_rejected(self, rejected: list[dict[str, Any]]) -> None:
        codes = [e.get("code", "") for r in rejected for e in r.get("errors", [])]
        reasons = [_REJECTED.get(c, "This file cannot be imported.") for c in codes]
        self.import_error = " ".join(dict.fromkeys(reasons)) or "This file cannot be imported."
        self.import_problems, self.import_summary = [], ""

    @rx.event
    async def upload_bookings(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """The chosen file arrives: read it, then import it in the background."""
        if self.importing:
            return
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.import_error, self.import_problems, self.import_summary = "", [], ""
        if not files:
            self.import_error = "Choose the bookings CSV file first."
            return
        data = await files[0].read(MAX_BYTES + 1)
        try:
            self._bookings_text = decode_bookings_file(data)
        except BookingFileRefused as refused:
            self.import_error = refused.summary
            return
        self.importing, self.import_progress = True, "Checking every row…"
        yield rx.clear_selected_files(BOOKINGS_UPLOAD)
        yield type(self).run_bookings_import

    def _show_import_progress(self, done: int, total: int) -> None:
        if total:
            self.import_progress = f"Imported {done:,} of {total:,}…"

    @rx.event(background=True)
    async def run_bookings_import(self):  # type: ignore[no-untyped-def]
        async with self:
            text, self._bookings_text = self._bookings_text, ""
            actor = self.staff_email  # type: ignore[attr-defined]
            if not text or not actor:
                self.importing = False
                return
        job = await with_progress(
            self,
            import_bookings,
            self._show_import_progress,
            db=get_database(),
            csv_text=text,
            actor=actor,
            today=today(),
        )
        async with self:
            self.importing, self.import_progress = False, ""
            try:
                result = job.result()
            except BookingFileRefused as refused:
                self.import_error, self.import_problems = refused.summary, list(refused.problems)
                return
            except DomainError as refused:
                self.import_error = refused.message
            except Exception:
                logger.exception("Bookings import failed")
                self.import_error = (
                    "The import stopped with an error. Import the same file again: bookings "
                    "already imported are not duplicated."
                )
            else:
                self.import_summary = result.summary
            await self._reload()  # type: ignore[attr-defined]
