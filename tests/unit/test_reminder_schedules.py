"""Reminder schedules with a frozen clock (`today` given): each step, and every stop condition
for guests (paid, voided, paused) and partners (paid, processing transfer, before the direct
debit's collection day, deducted from payouts, written off, legal)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from concierge_app.domain.reminders import (
    DEFAULT_GUEST_SCHEDULE,
    DEFAULT_PARTNER_SCHEDULE,
    GuestInvoiceFacts,
    PartnerInvoiceFacts,
    PartnerNotice,
    ScheduleError,
    guest_reminder,
    parse_guest_schedule,
    parse_partner_schedule,
    partner_notice_words,
    partner_reminder,
)
from concierge_app.settings import Settings

GUEST = parse_guest_schedule(DEFAULT_GUEST_SCHEDULE)
PARTNER = parse_partner_schedule(DEFAULT_PARTNER_SCHEDULE)
NONE: frozenset[str] = frozenset()
SENT = date(2026, 7, 1)
INVOICE = GuestInvoiceFacts(
    status="active",
    sent_on=SENT,
    check_in=date(2026, 7, 20),
    service_date=date(2026, 7, 22),
    paused=False,
)


def _day(n: int) -> date:
    return SENT + timedelta(days=n)


def test_the_default_guest_schedule_reads_as_three_steps():
    assert [s.label for s in GUEST] == [
        "3 days after sending",
        "2 days before check-in",
        "on the service date",
    ]


def test_no_guest_reminder_before_the_first_step():
    decision = guest_reminder(INVOICE, GUEST, _day(2), NONE)
    assert decision.step is None
    assert decision.next_on == _day(3)
    assert decision.next_step is GUEST[0]


def test_each_guest_step_falls_due_on_its_day_and_only_once():
    sent: set[str] = set()
    days_sent = []
    for n in range(0, 40):
        decision = guest_reminder(INVOICE, GUEST, _day(n), frozenset(sent))
        if decision.step is not None:
            sent.add(decision.step.key)
            days_sent.append((_day(n), decision.step.label))
    assert days_sent == [
        (date(2026, 7, 4), "3 days after sending"),
        (date(2026, 7, 18), "2 days before check-in"),
        (date(2026, 7, 22), "on the service date"),
    ]


def test_a_missed_run_sends_only_the_latest_step_not_a_burst():
    decision = guest_reminder(INVOICE, GUEST, date(2026, 7, 19), NONE)
    assert decision.step == GUEST[1]
    after = guest_reminder(INVOICE, GUEST, date(2026, 7, 19), frozenset({GUEST[1].key}))
    assert after.step is None and after.next_on == date(2026, 7, 22)


def test_steps_on_or_before_the_sending_day_do_not_apply():
    late = replace(INVOICE, sent_on=date(2026, 7, 19))  # sent after "2 before check-in"
    assert guest_reminder(late, GUEST, date(2026, 7, 19), NONE).step is None
    assert guest_reminder(late, GUEST, date(2026, 7, 21), NONE).step is None
    # July 22 is both "3 after sent" and the service date: one reminder that day, not two
    assert guest_reminder(late, GUEST, date(2026, 7, 22), NONE).step == GUEST[0]
    done = frozenset({GUEST[0].key})
    assert guest_reminder(late, GUEST, date(2026, 7, 22), done).step is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "paid"}, "paid"),
        ({"status": "voided"}, "voided"),
        ({"status": "draft", "sent_on": None}, "not sent yet"),
        ({"paused": True}, "paused by staff"),
    ],
)
def test_guest_reminders_stop(change, reason):
    for n in (3, 17, 21, 30):  # every step's day and after
        decision = guest_reminder(replace(INVOICE, **change), GUEST, _day(n), NONE)
        assert decision.step is None
        assert decision.reason == reason
        assert decision.next_on is None


def test_an_invoice_without_services_skips_the_service_step():
    no_service = replace(INVOICE, service_date=None)
    assert guest_reminder(no_service, GUEST, date(2026, 7, 25), frozenset()).step == GUEST[1]


@pytest.mark.parametrize(
    "text",
    [
        "3 after sent, 3 after sent",
        "3 weeks after sent",
        "-2 before check-in",
        "999 after sent",
        "2 after due",
        "3 after sent, " * 11,
        "३ after sent",  # a Devanagari digit
        "3 after sent; 2 before check-in",
        "x" * 10_000,
    ],
)
def test_a_malformed_guest_schedule_is_refused_with_a_reason(text):
    with pytest.raises(ScheduleError) as refused:
        parse_guest_schedule(text)
    assert str(refused.value)


def test_an_empty_guest_schedule_sends_nothing():
    assert guest_reminder(INVOICE, parse_guest_schedule("  "), _day(30), NONE).step is None


# --- partners -------------------------------------------------------------------------------

DUE = date(2026, 12, 15)
DOC = PartnerInvoiceFacts(
    kind="commission",
    state="issued",
    amount_minor=10_000,
    paid_minor=0,
    issued_on=date(2026, 12, 1),
    due=DUE,
)


def test_partner_notices_follow_the_guide_reminder_overdue_final():
    sent: set[str] = set()
    notices = []
    for n in range(0, 40):
        today = date(2026, 12, 1) + timedelta(days=n)
        decision = partner_reminder(DOC, PARTNER, today, frozenset(sent))
        if decision.step is not None:
            sent.add(decision.step.key)
            notices.append((today, PARTNER.notice(decision.step)))
    assert notices == [
        (date(2026, 12, 12), PartnerNotice.REMINDER),
        (date(2026, 12, 16), PartnerNotice.OVERDUE),
        (date(2026, 12, 29), PartnerNotice.FINAL),
    ]


def test_the_overdue_and_final_notices_carry_the_suspension_warning():
    assert "suspension" in partner_notice_words(PartnerNotice.OVERDUE, DUE)
    assert "suspension" in partner_notice_words(PartnerNotice.FINAL, DUE)
    assert "December 15, 2026" in partner_notice_words(PartnerNotice.REMINDER, DUE)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"paid_minor": 10_000}, "paid"),
        ({"kind": "credit_note"}, "credit note"),
        ({"state": "written_off"}, "written off"),
        ({"state": "legal"}, "legal"),
        ({"deducted_from_payout": True}, "deducted"),
        ({"processing_until": date(2027, 2, 1)}, "transfer is processing"),
        ({"collection_day": date(2027, 2, 10)}, "direct debit collects"),
    ],
)
def test_partner_notices_stop(change, reason):
    for today in (date(2026, 12, 12), date(2026, 12, 16), date(2026, 12, 29)):
        decision = partner_reminder(replace(DOC, **change), PARTNER, today, NONE)
        assert decision.step is None
        assert reason in decision.reason


def test_notices_resume_once_the_transfer_should_have_counted_or_the_debit_day_passed():
    processing = replace(DOC, processing_until=date(2026, 12, 17))
    assert partner_reminder(processing, PARTNER, date(2026, 12, 16), NONE).step is None
    assert partner_reminder(processing, PARTNER, date(2026, 12, 17), NONE).step == PARTNER.overdue
    debit = replace(DOC, collection_day=date(2026, 12, 10))
    assert partner_reminder(debit, PARTNER, date(2026, 12, 12), NONE).step == PARTNER.reminder


def test_part_paid_still_gets_its_notices():
    part = replace(DOC, paid_minor=4_000)
    assert partner_reminder(part, PARTNER, date(2026, 12, 16), NONE).step == PARTNER.overdue


@pytest.mark.parametrize(
    "text", ["1 after due, 3 after due, 9 after due", "3 before due, 1 after due", "on sent"]
)
def test_a_malformed_partner_schedule_is_refused(text):
    with pytest.raises(ScheduleError):
        parse_partner_schedule(text)


@pytest.mark.parametrize(
    ("name", "value"),
    [("guest_reminder_days", "3 after lunch"), ("partner_reminder_days", "3 before due")],
)
def test_a_malformed_schedule_stops_the_start_up_naming_the_setting(name, value):
    with pytest.raises(ValidationError) as refused:
        Settings(**{name: value})
    assert name.upper() in str(refused.value)


def test_the_default_settings_read_both_schedules():
    settings = Settings()
    assert settings.guest_reminder_schedule == GUEST
    assert settings.partner_reminder_schedule == PARTNER
