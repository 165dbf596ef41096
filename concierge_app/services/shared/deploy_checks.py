"""What stands between this configuration and a safe production run (`concierge check --deploy`).

Like Django's `check --deploy`: every problem is listed, none is fixed. Errors stop the app from
starting in production (`refuse_unsafe_start`); warnings are said but do not stop it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffUser
from concierge_app.db.partner_billing import PartnerUser
from concierge_app.settings import DEFAULT_SECRET, MIN_SECRET_BYTES, Settings

# The demo's logins live under this reserved domain (RFC 2606: no real address can).
DEMO_DOMAIN = "demo.test"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    setting: str  # what to change, e.g. "SECRET_KEY"
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value.upper()} {self.setting}: {self.message}"


class UnsafeStart(RuntimeError):
    """Production settings with errors: the app refuses to start, saying which."""


def deploy_problems(settings: Settings, db: Database | None = None) -> list[Problem]:
    """Every production problem of these settings (and, with `db`, of the data in it)."""
    problems = _payment_problems(settings) + _secret_problems(settings)
    if not settings.public_base_url.lower().startswith("https://"):
        problems.append(
            Problem(
                Severity.ERROR,
                "PUBLIC_BASE_URL",
                f"{settings.public_base_url} is not https: guest links and sign-in cookies "
                "would travel in clear text.",
            )
        )
    elif settings.reflex_trusted_proxy_hops == 0:
        problems.append(
            Problem(
                Severity.WARNING,
                "REFLEX_TRUSTED_PROXY_HOPS",
                "https is usually served by a proxy in front of the app; unless the app speaks "
                "TLS itself, set REFLEX_TRUSTED_PROXY_HOPS=1 (one proxy) so sign-in throttling "
                "counts each browser's address, not the proxy's for everyone.",
            )
        )
    if not settings.smtp_host:
        problems.append(
            Problem(
                Severity.WARNING,
                "SMTP_HOST",
                "No SMTP server: invoices, receipts and partner messages stay in the Outbox.",
            )
        )
    if db is not None:
        problems += _demo_login_problems(db)
    return problems


def _payment_problems(settings: Settings) -> list[Problem]:
    if settings.payments == "sandbox":
        return [
            Problem(
                Severity.WARNING,
                "PAYMENTS",
                "PAYMENTS=sandbox: payments run in the sandbox (TEST MODE on every page), "
                "no real money moves"
                + ("." if settings.stripe_keys_set else " and no Stripe keys are set."),
            )
        ]
    if settings.payment_provider == "sandbox" or not settings.stripe_keys_set:
        missing = [
            name
            for name, value in (
                ("STRIPE_SECRET_KEY", settings.stripe_secret_key),
                ("STRIPE_WEBHOOK_SECRET", settings.stripe_webhook_secret),
            )
            if not value
        ]
        return [
            Problem(
                Severity.ERROR,
                " and ".join(missing),
                "No payment provider: production never settles money in the sandbox. Set "
                f"{' and '.join(missing)}, or PAYMENTS=sandbox to run in test mode.",
            )
        ]
    return []


def _secret_problems(settings: Settings) -> list[Problem]:
    size = len(settings.secret_key.encode())
    if settings.secret_key == DEFAULT_SECRET:
        said = "is the development default"
    elif size < MIN_SECRET_BYTES:
        said = f"has {size} bytes; it needs at least {MIN_SECRET_BYTES}"
    else:
        return []
    return [Problem(Severity.ERROR, "SECRET_KEY", f"SECRET_KEY {said}.")]


def _demo_login_problems(db: Database) -> list[Problem]:
    try:
        with db.read() as session:
            logins = sorted(
                email
                for table in (StaffUser, PartnerUser)
                for email in session.exec(
                    select(table.email).where(
                        or_(
                            func.lower(table.email).like(f"%@{DEMO_DOMAIN}"),
                            func.lower(table.email).like(f"%.{DEMO_DOMAIN}"),
                        ),
                        col(table.is_active).is_(True),
                    )
                ).all()
            )
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0][:200]
        return [Problem(Severity.ERROR, "DATABASE_URL", f"The database cannot be read: {reason}")]
    if not logins:
        return []
    shown = ", ".join(logins[:5]) + (f" and {len(logins) - 5} more" if len(logins) > 5 else "")
    return [
        Problem(
            Severity.ERROR,
            "demo logins",
            f"{len(logins)} demo login(s) with published passwords are active ({shown}): "
            "production needs a database without the demo data.",
        )
    ]


def refuse_unsafe_start(settings: Settings, db: Database | None) -> list[Problem]:
    """In production, raise UnsafeStart when there is any error; return the warnings."""
    if settings.app_env != "production":
        return []
    problems = deploy_problems(settings, db)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise UnsafeStart(
            "Refusing to start in production:\n"
            + "\n".join(f"  - {p}" for p in errors)
            + "\nRun `concierge check --deploy` for the full list."
        )
    return problems
