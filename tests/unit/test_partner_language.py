"""A partner's language: chosen from the guests' list (New partner, Edit details), and the
words of its payment notices written in it — the dates, money and month names as its locale
writes them (Babel), the phrases through gettext. The catalogs are translated later, so the
Spanish checks here are the ones Babel decides."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date as babel_date

from concierge_app.domain.booking_input import LOCALES
from concierge_app.domain.documents import PlatformDetails, payment_lines
from concierge_app.domain.formatting import format_long_day, format_money, format_month
from concierge_app.domain.i18n import gettext
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState
from concierge_app.domain.partner_input import PartnerInvalid, check_partner_fields
from concierge_app.domain.reminders import PartnerNotice, partner_notice_words

from .test_partner_input import GOOD as FORM

DUE = date(2026, 12, 16)


def test_the_partner_language_is_one_of_the_guests_languages() -> None:
    assert check_partner_fields({**FORM, "language": "es_ES"}, new=True).language == "es_ES"
    for locale in LOCALES:
        assert check_partner_fields({**FORM, "language": locale}, new=True).language == locale


def test_no_language_typed_is_english() -> None:
    assert check_partner_fields({**FORM, "language": ""}, new=True).language == "en_US"
    assert check_partner_fields(FORM, new=False).language == "en_US"


@pytest.mark.parametrize("typed", ["xx_XX", "es", "ES_es", "<script>", "en_US\x00", "e" * 300])
def test_an_unknown_language_is_refused_at_its_field(typed: str) -> None:
    with pytest.raises(PartnerInvalid) as refused:
        check_partner_fields({**FORM, "language": typed}, new=True)
    (message,) = [m for f, m in refused.value.problems if f == "language"]
    assert "Español" in message and "English (US)" in message


def test_long_days_and_months_in_the_locale() -> None:
    assert format_long_day(DUE) == "December 16, 2026"  # the partner guide's English
    assert format_long_day(DUE, "es_ES") == babel_date(DUE, format="long", locale="es_ES")
    assert format_long_day(DUE, "es_ES") == "16 de diciembre de 2026"
    assert format_long_day(None, "es_ES") == ""
    assert format_month(2026, 11) == "November 2026"
    assert format_month(2026, 11, "es_ES") == "noviembre de 2026"
    assert format_month(2026, 11, "ja_JP") == "2026年11月"


def test_notice_words_in_english_are_the_partner_guide_words() -> None:
    assert partner_notice_words(PartnerNotice.REMINDER, DUE) == (
        "This invoice is due by December 16, 2026."
    )
    overdue = partner_notice_words(PartnerNotice.OVERDUE, DUE)
    assert overdue.startswith("Overdue (due by December 16, 2026). Not paid by its due date")
    assert "suspension" in overdue
    final = partner_notice_words(PartnerNotice.FINAL, DUE)
    assert final.startswith("Final notice: overdue since December 16, 2026.")
    assert final.endswith("your property may be closed on our platform.")
    assert [n.title_in("en_US") for n in PartnerNotice] == [n.label for n in PartnerNotice]


@pytest.mark.parametrize("notice", list(PartnerNotice))
def test_notice_words_carry_the_date_as_the_partner_locale_writes_it(notice) -> None:
    spanish = partner_notice_words(notice, DUE, "es_ES")
    japanese = partner_notice_words(notice, DUE, "ja_JP")
    assert "16 de diciembre de 2026" in spanish and "December" not in spanish
    assert "2026年12月16日" in japanese and "December" not in japanese


def test_payment_instructions_in_the_partner_locale() -> None:
    platform = PlatformDetails(
        name="Azure Villas",
        legal_name="Azure Villas S.L.",
        address="Calle 1",
        vat_id="ESB12345678",
        email="finance@azure.example",
        bank_name="Banco",
        iban="ES9121000418450200051332",
        bic="CAIXESBBXXX",
    )
    payable = format_money(Money.parse("80.00", "EUR"), "es_ES")

    def lines(locale: str, method: str = "bank_transfer") -> list[str]:
        return payment_lines(
            kind=PartnerInvoiceKind.COMMISSION,
            method=method,
            state=PartnerInvoiceState.ISSUED,
            payable=payable,
            deducted=Money.zero("EUR"),
            nothing_to_pay=False,
            due=DUE,
            reference="PRP-1 CM-2026-00001",
            platform=platform,
            locale=locale,
        )

    transfer = lines("es_ES")
    due = "16 de diciembre de 2026"
    assert transfer[0] == gettext(
        "es_ES", "Please pay {payable} by bank transfer by {due}.", payable=payable, due=due
    )
    assert transfer[0] != f"Please pay {payable} by bank transfer by {due}."  # in Spanish
    assert "IBAN: ES91 2100 0418 4502 0005 1332" in transfer
    assert (
        gettext("es_ES", "Quote this reference: {reference}", reference="PRP-1 CM-2026-00001")
        in transfer
    )
    assert lines("es_ES", "online")[0].endswith(f"{due}.")
    assert lines("en_US", "online")[0].endswith("due by December 16, 2026.")
