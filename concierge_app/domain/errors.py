"""Domain errors: each carries a message a person understands."""


class DomainError(Exception):
    """A business rule refused the request. `str(error)` is fit to show to a user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidAmount(DomainError):
    """An amount is malformed, negative where it must not be, or too precise for its currency."""


class UnknownCurrency(DomainError):
    """The code is not an ISO 4217 currency we know."""


class CurrencyMismatch(DomainError):
    """Two amounts in different currencies were combined."""


class InvalidTransition(DomainError):
    """A status change that the lifecycle does not allow."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(DomainError):
    """The request contradicts the current state of the ledger."""
