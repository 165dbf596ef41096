"""`GET /api/guest/documents/<reference>/<number>` over HTTP (the ASGI app): the PDF for the
holder of the booking's portal token or a signed-in staff member; 404 for everyone else (another
booking's token, a revoked one, no token, a made-up or hostile number), never saying which."""

from __future__ import annotations

import io

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import select

from concierge_app import api as api_module
from concierge_app import routes
from concierge_app.db.bookings import Booking
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import GuestReceipt
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.links import (
    issue_guest_link,
    return_code,
    revoke_guest_links,
)
from concierge_app.services.guest.queries import booking_by_reference
from tests.conftest import run_async

from ..factories import ACTOR, add_service, make_world, pay, send_draft
from .sign_in_support import add_staff, staff_token


@pytest.fixture
def app_db(db, monkeypatch):
    monkeypatch.setattr(api_module, "get_database", lambda: db)
    return db


def get(url: str, cookie: str = "") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=api_module.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
            headers = {"Cookie": f"concierge_staff={cookie}"} if cookie else {}
            return await client.get(url, headers=headers)

    return run_async(send())


def paid_booking(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing")
    pay(w, [send_draft(w)])
    return w


def reference_of(db, w) -> str:
    with db.read() as s:
        booking = s.get(Booking, w.booking_id)
        assert booking is not None
        return booking.reference


def test_the_guest_token_downloads_the_receipt_pdf(app_db):
    w = paid_booking(app_db)
    ref = reference_of(app_db, w)
    link = issue_guest_link(db=app_db, booking_id=w.booking_id, actor=ACTOR)
    response = get(routes.guest_document(ref, "RC-000001", link.token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="RC-000001.pdf"'
    assert "no-store" in response.headers["cache-control"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "RC-000001" in text and "€120.00" in text and ref in text


def test_a_signed_in_staff_member_downloads_it_without_a_token(app_db):
    w = paid_booking(app_db)
    add_staff(app_db)
    ref = reference_of(app_db, w)
    assert booking_by_reference(db=app_db, reference=ref).id == w.booking_id
    response = get(routes.guest_document(ref, "RC-000001"), cookie=staff_token(app_db))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert get(routes.guest_document(ref, "RC-000001"), cookie="forged").status_code == 404


def test_everyone_else_gets_404(app_db):
    w = paid_booking(app_db)
    other = make_world(app_db)
    ref = reference_of(app_db, w)
    mine = issue_guest_link(db=app_db, booking_id=w.booking_id, actor=ACTOR).token
    theirs = issue_guest_link(db=app_db, booking_id=other.booking_id, actor=ACTOR).token
    refused = [
        routes.guest_document(ref, "RC-000001"),  # no token, no session
        routes.guest_document(ref, "RC-000001", theirs),  # another booking's token
        routes.guest_document(reference_of(app_db, other), "RC-000001", theirs),  # not theirs
        routes.guest_document(ref, "RC-000002", mine),  # no such receipt
        routes.guest_document(ref, "RC-000001' OR 1=1 --", mine),
        routes.guest_document(ref, "R" * 5_000, mine),
        routes.guest_document(ref, "ＲＣ-000001", mine),
        routes.guest_document(ref, "RC-000001", "x" * 5_000),
    ]
    for url in refused:
        response = get(url)
        assert response.status_code == 404, url
        assert response.text == "Not found."
    revoke_guest_links(db=app_db, booking_id=w.booking_id, actor=ACTOR)
    assert get(routes.guest_document(ref, "RC-000001", mine)).status_code == 404


def test_back_from_the_checkout_the_return_code_downloads_that_bookings_receipt(app_db):
    w = paid_booking(app_db)
    ref = reference_of(app_db, w)
    with app_db.read() as s:
        attempt = s.exec(select(GuestReceipt.attempt_id)).one()
    good = f"{attempt}:{return_code(attempt)}"
    assert get(routes.guest_document(ref, "RC-000001", returned=good)).status_code == 200
    other = reference_of(app_db, make_world(app_db))
    for url in (
        routes.guest_document(ref, "RC-000001", returned=f"{attempt}:wrong"),
        routes.guest_document(ref, "RC-000001", returned=f"{attempt}"),
        routes.guest_document(ref, "RC-000001", returned=":" * 3),
        routes.guest_document(other, "RC-000001", returned=good),  # not the checkout's booking
    ):
        assert get(url).status_code == 404, url


def test_the_sent_invoice_pdf_is_served_to_the_guest_and_staff_only(app_db):
    w = paid_booking(app_db)
    add_staff(app_db)
    ref = reference_of(app_db, w)
    with app_db.read() as s:
        number = s.exec(
            select(GuestInvoice.number).where(GuestInvoice.booking_id == w.booking_id)
        ).one()
    assert number is not None
    token = issue_guest_link(db=app_db, booking_id=w.booking_id, actor=ACTOR).token
    for response in (
        get(routes.guest_document(ref, number, token)),
        get(routes.guest_document(ref, number), cookie=staff_token(app_db)),
    ):
        assert response.status_code == 200
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert number in text and "€120.00" in text and "Paid" in text
    assert get(routes.guest_document(ref, number)).status_code == 404
    other = issue_guest_link(db=app_db, booking_id=make_world(app_db).booking_id, actor=ACTOR)
    assert get(routes.guest_document(ref, number, other.token)).status_code == 404
