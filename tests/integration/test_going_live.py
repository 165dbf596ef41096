"""Going live: production never settles money in the sandbox, `check --deploy` lists every
production problem, and the app refuses to start in production with any error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.adapters.payments.configured import PaymentsNotConfigured, webhook_secret
from concierge_app.cli import app as cli
from concierge_app.db.payments import PaymentAttempt
from concierge_app.demo.seed import load_demo
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.payments.guest_checkout import begin_checkout
from concierge_app.services.payments.provider import get_gateway, sandbox_checkout
from concierge_app.services.payments.webhooks import receive_webhook
from concierge_app.services.shared.deploy_checks import Severity, deploy_problems
from concierge_app.settings import REPO_ROOT, Settings, get_settings

from ..factories import add_service, make_world, send_draft

STRONG = "a-private-production-secret-" + "x" * 20
GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": STRONG,
    "PUBLIC_BASE_URL": "https://billing.example.com",
    "SMTP_HOST": "smtp.example.com",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_live_example",
    "REFLEX_TRUSTED_PROXY_HOPS": "1",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Set these environment variables (and only these of the app's) for the test."""

    def configure(**values: str) -> Settings:
        for name in ("PAYMENTS", *GOOD_PRODUCTION):
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield configure
    get_settings.cache_clear()


def test_production_without_stripe_keys_settles_nothing_in_the_sandbox(db, environment):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00")
    invoice = send_draft(w)
    environment(APP_ENV="production", SECRET_KEY=STRONG)
    with pytest.raises(PaymentsNotConfigured, match="STRIPE_SECRET_KEY and STRIPE_WEBHOOK"):
        get_gateway(db)
    with pytest.raises(PaymentsNotConfigured):
        begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    assert sandbox_checkout(db) is None  # the sandbox's checkout page is closed
    assert webhook_secret() is None
    # a "sandbox" event signed with the secret the sandbox would use is not applied
    result = receive_webhook(db=db, payload=b"{}", signature="t=1,v1=00")
    assert result.status == 503
    with db.read() as s:
        assert s.exec(select(PaymentAttempt)).all() == []


def test_production_with_the_sandbox_chosen_explicitly_is_test_mode(db, environment):
    settings = environment(APP_ENV="production", SECRET_KEY=STRONG, PAYMENTS="sandbox")
    assert settings.test_mode and get_gateway(db).name == "sandbox"
    problems = deploy_problems(settings)
    payments = [p for p in problems if p.setting == "PAYMENTS"]
    assert [p.severity for p in payments] == [Severity.WARNING]
    assert "TEST MODE" in payments[0].message


def test_check_deploy_lists_every_production_problem(sqlite_db, environment):
    load_demo(sqlite_db)
    environment(APP_ENV="development", SECRET_KEY="short")
    result = CliRunner().invoke(
        cli, ["check", "--deploy", "--url", sqlite_db.url], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1, result.output
    for said in (
        "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET",
        "SECRET_KEY has 5 bytes; it needs at least 32",
        "PUBLIC_BASE_URL: http://localhost:3000 is not https",
        "SMTP_HOST",
        "demo login(s)",
        "concierge@demo.test",
    ):
        assert said in result.output, result.output


def test_check_deploy_passes_a_clean_production_configuration(sqlite_db, environment):
    environment(**GOOD_PRODUCTION)
    result = CliRunner().invoke(cli, ["check", "--deploy", "--url", sqlite_db.url])
    assert result.exit_code == 0, result.output
    assert "No problems found for production." in result.output
    assert deploy_problems(get_settings(), sqlite_db) == []


def test_check_deploy_warns_when_behind_a_proxy_without_trusting_it(sqlite_db, environment):
    environment(**(GOOD_PRODUCTION | {"REFLEX_TRUSTED_PROXY_HOPS": "0"}))
    (problem,) = deploy_problems(get_settings(), sqlite_db)
    assert (problem.severity, problem.setting) == (Severity.WARNING, "REFLEX_TRUSTED_PROXY_HOPS")
    result = CliRunner().invoke(cli, ["check", "--deploy", "--url", sqlite_db.url])
    assert result.exit_code == 1 and "REFLEX_TRUSTED_PROXY_HOPS" in result.output


def _start_app(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import the Reflex app as `reflex run` does, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "import concierge_app.concierge_app"],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k not in GOOD_PRODUCTION} | env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_app_refuses_to_start_in_production_saying_what_is_missing(sqlite_db):
    started = _start_app(
        {"APP_ENV": "production", "SECRET_KEY": STRONG, "DATABASE_URL": sqlite_db.url}
    )
    assert started.returncode != 0
    assert "Refusing to start in production" in started.stderr
    assert "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in started.stderr
    assert "PUBLIC_BASE_URL" in started.stderr
    ok = _start_app(GOOD_PRODUCTION | {"DATABASE_URL": sqlite_db.url})
    assert ok.returncode == 0, ok.stderr[-2000:]
