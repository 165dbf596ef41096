"""Service payment strategies: who collects the guest's money for a service."""

from __future__ import annotations

import enum

from concierge_app.domain.charge_limits import check_chargeable
from concierge_app.domain.errors import InvalidAmount
from concierge_app.domain.money import Money


class PaymentStrategy(enum.StrEnum):
    """The four strategies of the concierge invoicing guide."""

    OPERATOR_COLLECTS_FULL = "operator_collects_full"
    PLATFORM_COLLECTS_FULL = "platform_collects_full"
    PLATFORM_COLLECTS_DEPOSIT = "platform_collects_deposit"
    INCLUDED_IN_STAY = "included_in_stay"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def generates_invoice(self) -> bool:
        """Only the platform-collects strategies put a line on the guest's invoice."""
        return self in (
            PaymentStrategy.PLATFORM_COLLECTS_FULL,
            PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT,
        )

    def validate_prices(self, gross: Money, deposit: Money | None) -> None:
        """Refuse a price/deposit combination that this strategy cannot bill (nothing above
        what one payment can take: see charge_limits)."""
        gross.require_non_negative("The gross price", field="gross_price")
        check_chargeable(gross, "A gross price", field="gross_price")
        if self is PaymentStrategy.PLATFORM_COLLECTS_FULL and gross.is_zero:
            raise InvalidAmount(
                "A service the platform collects needs a price above zero.", field="gross_price"
            )
        if self is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT:
            if deposit is None or deposit.is_zero:
                raise InvalidAmount(
                    "Platform Collects Deposit needs a deposit greater than zero.", field="deposit"
                )
        if deposit is not None:
            deposit.require_non_negative("The deposit", field="deposit")
            check_chargeable(deposit, "A deposit", field="deposit")
            if deposit.currency != gross.currency:
                raise InvalidAmount(
                    "The deposit must be in the same currency as the gross price.", field="deposit"
                )
            if deposit > gross:
                raise InvalidAmount(
                    f"The deposit ({deposit}) cannot be more than the gross price ({gross}).",
                    field="deposit",
                )

    def billable_amount(self, gross: Money, deposit: Money | None) -> Money | None:
        """What the platform bills the guest at confirmation, or None when nothing is billed."""
        self.validate_prices(gross, deposit)
        if self is PaymentStrategy.PLATFORM_COLLECTS_FULL:
            return gross
        if self is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT:
            assert deposit is not None  # validate_prices guarantees it
            return deposit
        return None

    def provider_collects(self, gross: Money, deposit: Money | None) -> Money:
        """What the operator collects from the guest directly (the balance, or everything)."""
        if self is PaymentStrategy.OPERATOR_COLLECTS_FULL:
            return gross
        if self is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT and deposit is not None:
            return gross - deposit
        return Money.zero(gross.currency)


_LABELS = {
    PaymentStrategy.OPERATOR_COLLECTS_FULL: "Operator Collects Full",
    PaymentStrategy.PLATFORM_COLLECTS_FULL: "Platform Collects Full",
    PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT: "Platform Collects Deposit",
    PaymentStrategy.INCLUDED_IN_STAY: "Included in Stay",
}
