"""A partner's payout account as typed by a person: the holder, the IBAN (its checksum and
country format checked) and the BIC (checked when given, else the one the IBAN's bank code names,
if known). One check for the partner's own Bank details page and the staff partner forms."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from concierge_app.domain.errors import Conflict

MAX_HOLDER = 200


@dataclass(frozen=True, slots=True)
class BankDetails:
    account_holder: str
    iban: str  # electronic format: no spaces, upper case
    bic: str  # "" when neither given nor known from the IBAN


def check_bank_details(account_holder: str, iban: str, bic: str) -> BankDetails:
    """The account, checked; `Conflict` naming the field at the first problem."""
    holder = " ".join((account_holder or "").split())
    if not holder:
        raise Conflict("Enter the account holder's name.", field="account_holder")
    if len(holder) > MAX_HOLDER:
        raise Conflict(
            f"The account holder is longer than {MAX_HOLDER} characters.", field="account_holder"
        )
    if len(iban or "") > 64:  # an IBAN is at most 34 characters, a few spaces between groups
        raise Conflict("This IBAN is not valid: it is too long.", field="iban")
    try:
        parsed = IBAN(iban or "")
    except SchwiftyException as bad:
        raise Conflict(f"This IBAN is not valid: {bad}.", field="iban") from None
    bic_text = (bic or "").strip().upper().replace(" ", "")
    if bic_text:
        try:
            BIC(bic_text)
        except SchwiftyException as bad:
            raise Conflict(f"This BIC is not valid: {bad}.", field="bic") from None
    elif parsed.bic is not None:
        bic_text = str(parsed.bic)
    return BankDetails(holder, parsed.compact, bic_text)
