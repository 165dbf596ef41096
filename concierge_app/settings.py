"""Configuration from the environment (and a `.env` file), validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from concierge_app.domain.errors import DomainError
from concierge_app.domain.journal_accounts import ChartOfAccounts, parse_chart
from concierge_app.domain.reminders import (
    DEFAULT_GUEST_SCHEDULE,
    DEFAULT_PARTNER_SCHEDULE,
    PartnerSchedule,
    Step,
    parse_guest_schedule,
    parse_partner_schedule,
)
from concierge_app.domain.vat import TaxRate, parse_rates

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SECRET = "dev-only-secret-change-me"
MIN_SECRET_BYTES = 32  # SECRET_KEY signs links and derives the sandbox's webhook secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{REPO_ROOT / 'data' / 'concierge.db'}"
    secret_key: str = DEFAULT_SECRET
    public_base_url: str = "http://localhost:3000"
    staff_session_hours: int = 12
    guest_link_days: int = 60
    # Business days a partner's bank transfer is "processing" before it counts as paid.
    transfer_processing_days: int = Field(default=2, ge=0, le=10)
    # VAT/GST on commission: partners in these countries get a separate VAT/GST document with
    # each commission invoice. "CC:percent" pairs, e.g. "ES:21,AU:10" (empty: none).
    vat_rates: str = "ES:21,AU:10,NZ:15"
    # The sandbox bank refuses direct debits from this account (Stripe's failing test IBAN).
    sandbox_failing_iban: str = "DE62370400440532013001"
    direct_debit_check_seconds: int = 3600  # the in-app direct-debit schedule's check (0: off)
    # The zone every staff page shows times in (and says so), an IANA name, e.g. Europe/Madrid.
    # A booking's page shows its property's zone instead.
    platform_timezone: str = "UTC"
    platform_name: str = "Azure Concierge"
    platform_email: str = "concierge@azure-concierge.test"
    # On partner invoices: who issues them and where transfers go.
    platform_legal_name: str = "Azure Concierge S.L."
    platform_address: str = "Carrer de Balmes 150\n08008 Barcelona\nSpain"
    platform_vat_id: str = "ESB12345678"
    platform_bank_name: str = "Banco Demo"
    platform_iban: str = "ES9121000418450200051332"
    platform_bic: str = "CAIXESBBXXX"

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # e.g. a local stripe-mock / localstripe; default: Stripe
    # Which payment provider settles money: "stripe", "sandbox" (test mode: no real money), or
    # unset: Stripe when both keys are set, else the sandbox — but only in development and test.
    payments: Literal["stripe", "sandbox"] | None = None

    @property
    def stripe_keys_set(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def payment_provider(self) -> Literal["stripe", "sandbox"] | None:
        """The provider money goes through; None when production has none configured (the
        sandbox never settles money in production unless PAYMENTS=sandbox says so)."""
        if self.payments is not None:
            return self.payments
        if self.stripe_keys_set:
            return "stripe"
        return None if self.app_env == "production" else "sandbox"

    @property
    def stripe_enabled(self) -> bool:
        """Real Stripe: PAYMENTS=stripe, or both keys set and no other choice made."""
        return self.payment_provider == "stripe"

    @property
    def test_mode(self) -> bool:
        """Payments go to the embedded sandbox: every page says TEST MODE."""
        return self.payment_provider == "sandbox"

    # Reflex's own setting (env REFLEX_TRUSTED_PROXY_HOPS), read here for `check --deploy`: how
    # many proxies' X-Forwarded-For to trust for the browser's address (sign-in throttling).
    reflex_trusted_proxy_hops: int = Field(default=0, ge=0)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "Azure Concierge <billing@azure-concierge.test>"
    outbox_delivery_seconds: int = 10  # the in-app delivery job's pause (0: off)
    month_end_check_seconds: int = 3600  # the in-app month-end schedule's check (0: off)
    reconciliation_check_seconds: int = 3600  # the daily reconciliation's check (0: off)
    reminder_check_seconds: int = 3600  # the in-app reminder job's check (0: off)
    # When an unpaid guest invoice gets a reminder: "N after sent", "N before check-in",
    # "on service date", comma-separated (empty: none).
    guest_reminder_days: str = DEFAULT_GUEST_SCHEDULE
    # A partner's reminder, overdue notice and final notice, relative to the due date.
    partner_reminder_days: str = DEFAULT_PARTNER_SCHEDULE

    @property
    def guest_reminder_schedule(self) -> tuple[Step, ...]:
        return parse_guest_schedule(self.guest_reminder_days)

    @property
    def partner_reminder_schedule(self) -> PartnerSchedule:
        return parse_partner_schedule(self.partner_reminder_days)

    @model_validator(mode="after")
    def _check_reminder_days(self) -> Settings:
        for name, parse in (
            ("GUEST_REMINDER_DAYS", parse_guest_schedule),
            ("PARTNER_REMINDER_DAYS", parse_partner_schedule),
        ):
            try:
                parse(getattr(self, name.lower()))
            except DomainError as bad:
                raise ValueError(f"{name}: {bad}") from None
        return self

    # The journal export's account codes: "receivable_guest=1100,bank=1010" (the rest default)
    journal_accounts: str = ""

    @property
    def chart_of_accounts(self) -> ChartOfAccounts:
        """`journal_accounts` over the default chart (checked at start-up)."""
        return parse_chart(self.journal_accounts)

    @model_validator(mode="after")
    def _check_journal_accounts(self) -> Settings:
        try:
            parse_chart(self.journal_accounts)
        except DomainError as bad:
            raise ValueError(f"JOURNAL_ACCOUNTS: {bad}") from None
        return self

    @property
    def tax_rates(self) -> dict[str, TaxRate]:
        """`vat_rates` read per country (checked at start-up)."""
        return parse_rates(self.vat_rates)

    @model_validator(mode="after")
    def _check_vat_rates(self) -> Settings:
        try:
            parse_rates(self.vat_rates)
        except DomainError as bad:
            raise ValueError(f"VAT_RATES: {bad}") from None
        return self

    @model_validator(mode="after")
    def _check_platform_timezone(self) -> Settings:
        try:
            ZoneInfo(self.platform_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"PLATFORM_TIMEZONE: {self.platform_timezone!r} is not a time zone; use an IANA "
                "name such as Europe/Madrid or UTC."
            ) from None
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret_outside_development(self) -> Settings:
        if self.app_env == "development":
            return self
        if self.secret_key == DEFAULT_SECRET:
            raise ValueError("SECRET_KEY must be set to a private value outside development.")
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes outside development "
                f"(it has {len(self.secret_key.encode())}); e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return self

    @model_validator(mode="after")
    def _stripe_needs_its_keys(self) -> Settings:
        if self.payments == "stripe" and not self.stripe_keys_set:
            missing = [
                name
                for name, value in (
                    ("STRIPE_SECRET_KEY", self.stripe_secret_key),
                    ("STRIPE_WEBHOOK_SECRET", self.stripe_webhook_secret),
                )
                if not value
            ]
            raise ValueError(f"PAYMENTS=stripe needs {' and '.join(missing)}.")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
