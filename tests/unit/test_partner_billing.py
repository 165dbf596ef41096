"""Monthly commission rules: periods and departure windows, due dates, status texts, colours."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceState,
    Period,
    StatusColour,
    due_date,
    invoice_status,
    is_run_week,
    long_date,
    period_to_invoice,
)


def test_a_period_covers_its_whole_month_and_nothing_else():
    nov = Period.parse("2026-11")
    assert (nov.first_day, nov.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert nov.contains(date(2026, 11, 1)) and nov.contains(date(2026, 11, 30))
    assert not nov.contains(date(2026, 10, 31)) and not nov.contains(date(2026, 12, 1))


@pytest.mark.parametrize(
    ("period", "last"),
    [
        ("2028-02", date(2028, 2, 29)),
        ("2026-02", date(2026, 2, 28)),
        ("2000-02", date(2000, 2, 29)),
    ],
)
def test_february_ends_on_the_leap_day_only_in_leap_years(period, last):
    assert Period.parse(period).last_day == last
    assert Period.parse(period).contains(last)


def test_the_period_before_january_is_december_of_the_year_before():
    assert Period.parse("2027-01").previous() == Period(2026, 12)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert str(Period(2026, 3)) == "2026-03" and Period(2026, 3).label == "March 2026"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "", "November"])
def test_a_malformed_period_is_refused_with_a_clear_message(text):
    with pytest.raises(DomainError) as refused:
        Period.parse(text)
    assert refused.value.field == "period"


def test_the_period_invoiced_depends_on_the_partners_local_date():
    run_at = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert period_to_invoice(run_at, "Europe/Madrid") == Period(2026, 11)  # Dec 1, 01:30 there
    # still Nov 30 in Honolulu: November has not ended there, so October is what departed
    assert period_to_invoice(run_at, "Pacific/Honolulu") == Period(2026, 10)
    assert period_to_invoice(datetime(2027, 1, 3, 12, tzinfo=UTC), "Asia/Tokyo") == Period(2026, 12)


def test_payment_is_due_14_days_after_the_invoice_date():
    assert due_date(date(2026, 12, 3)) == date(2026, 12, 17)
    assert due_date(date(2027, 2, 20)) == date(2027, 3, 6)
    assert due_date(date(2028, 2, 20)) == date(2028, 3, 5)  # leap year


def test_the_run_happens_in_the_first_week():
    assert is_run_week(date(2026, 12, 1)) and is_run_week(date(2026, 12, 7))
    assert not is_run_week(date(2026, 12, 8)) and not is_run_week(date(2026, 11, 30))


def status(paid="0.00", amount="150.00", today=date(2026, 12, 10), state="issued"):
    return invoice_status(
        amount=Money.parse(amount, "EUR"),
        paid=Money.parse(paid, "EUR"),
        due=date(2026, 12, 17),
        today=today,
        state=PartnerInvoiceState(state),
    )


def test_status_texts_read_exactly_as_the_partner_guide_words_them():
    assert (status().text, status().colour) == ("Due by December 17, 2026", StatusColour.RED)
    assert status(today=date(2026, 12, 17)).text == "Due by December 17, 2026"
    overdue = status(today=date(2026, 12, 18))
    assert (overdue.text, overdue.colour) == (
        "Overdue (due by December 17, 2026)",
        StatusColour.RED,
    )
    assert overdue.overdue and not status(today=date(2026, 12, 17)).overdue
    part = status(paid="50.00")
    assert part.text == "You've paid 50.00 EUR of 150.00 EUR" and part.colour is StatusColour.RED
    assert part.outstanding == Money(10000, "EUR")
    assert (status(paid="150.00").text, status(paid="150.00").colour) == (
        "Paid",
        StatusColour.GREEN,
    )
    late_part = status(paid="50.00", today=date(2026, 12, 18))
    assert late_part.text == (
        "Overdue (due by December 17, 2026) · You've paid 50.00 EUR of 150.00 EUR"
    )
    written_off = status(state="written_off", today=date(2027, 3, 1))
    assert (written_off.text, written_off.colour) == ("Written off", StatusColour.BLACK)
    assert status(state="legal").colour is StatusColour.BLACK


def test_a_nothing_to_pay_invoice_counts_as_paid():
    assert status(amount="0.00").text == "Paid"


def test_amounts_and_dates_can_be_formatted_for_people():
    shown = invoice_status(
        amount=Money(15000, "EUR"),
        paid=Money(5000, "EUR"),
        due=date(2026, 12, 17),
        today=date(2026, 12, 1),
        state=PartnerInvoiceState.ISSUED,
        format_money=lambda m: f"€{m.amount_text()}",
    )
    assert shown.text == "You've paid €50.00 of €150.00"
    assert long_date(date(2027, 1, 5)) == "January 5, 2027"
