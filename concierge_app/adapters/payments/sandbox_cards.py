"""The sandbox's test cards: Stripe's numbers that succeed or are declined (with Stripe's words),
and what is wrong with typed card details, as Stripe Checkout says it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.i18n import N_

SUCCEEDING_CARDS = frozenset(
    {
        "4242424242424242",  # Visa
        "4000056655665556",  # Visa (debit)
        "5555555555554444",  # Mastercard
        "2223003122003222",  # Mastercard (2-series)
        "5200828282828210",  # Mastercard (debit)
        "378282246310005",  # American Express
        "6011111111111117",  # Discover
        "4000002500003155",  # Visa, 3-D Secure (authenticated in the sandbox)
    }
)
DECLINING_CARDS = {
    "4000000000000002": N_("Your card was declined."),
    "4000000000009995": N_("Your card has insufficient funds."),
    "4000000000009987": N_("Your card was declined."),  # lost card
    "4000000000000069": N_("Your card has expired."),
    "4000000000000127": N_("Your card's security code is incorrect."),
    "4000000000000119": N_(
        "An error occurred while processing your card. Try again in a little bit."
    ),
}
NOT_A_TEST_CARD = N_(
    "Your card was declined. Your request was in test mode, but used a non test card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing."
)


@dataclass(frozen=True, slots=True)
class Card:
    number: str
    expiry: str  # "MM / YY"
    cvc: str


def card_problem(card: Card) -> str | None:
    """What is wrong with the typed card details, as Checkout words it (None when fine)."""
    number = digits(card.number)
    if not 12 <= len(number) <= 19 or not _luhn(number):
        return N_("Your card number is invalid.")
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", card.expiry)
    if not match:
        return N_("Your card's expiration date is incomplete.")
    month, year = int(match[1]), int(match[2]) % 100 + 2000
    today = date.today()
    if not 1 <= month <= 12:
        return N_("Your card's expiration date is invalid.")
    if (year, month) < (today.year, today.month):
        return N_("Your card's expiration year is in the past.")
    if not re.fullmatch(r"\d{3,4}", card.cvc.strip()):
        return N_("Your card's security code is incomplete.")
    return None


def digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def _luhn(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
