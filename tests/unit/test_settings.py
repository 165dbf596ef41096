import pytest
from pydantic import ValidationError

from concierge_app.settings import DEFAULT_SECRET, Settings


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_the_default_secret_is_refused(env):
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(app_env=env, secret_key=DEFAULT_SECRET)


def test_production_accepts_a_private_secret_and_development_the_default():
    assert Settings(app_env="production", secret_key="s3cr3t-" * 6).app_env == "production"
    assert Settings(app_env="development").secret_key == DEFAULT_SECRET


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_a_secret_under_32_bytes_is_refused(env):
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(app_env=env, secret_key="x" * 31)
    assert Settings(app_env=env, secret_key="x" * 32).secret_key == "x" * 32
    assert Settings(app_env="development", secret_key="short").secret_key == "short"


STRONG = "k" * 40


@pytest.mark.parametrize(
    ("env", "payments", "keys", "provider"),
    [
        ("development", None, False, "sandbox"),
        ("test", None, False, "sandbox"),
        ("production", None, False, None),  # never the sandbox by default in production
        ("production", "sandbox", False, "sandbox"),
        ("production", "sandbox", True, "sandbox"),
        ("production", None, True, "stripe"),
        ("development", None, True, "stripe"),
        ("development", "stripe", True, "stripe"),
    ],
)
def test_which_provider_settles_money(env, payments, keys, provider):
    settings = Settings(
        app_env=env,
        secret_key=STRONG,
        payments=payments,
        stripe_secret_key="sk_test_1" if keys else None,
        stripe_webhook_secret="whsec_1" if keys else None,
    )
    assert settings.payment_provider == provider
    assert settings.test_mode is (provider == "sandbox")


def test_payments_stripe_without_its_keys_is_refused_naming_them():
    with pytest.raises(ValidationError, match="PAYMENTS=stripe needs STRIPE_WEBHOOK_SECRET"):
        Settings(payments="stripe", stripe_secret_key="sk_test_1")
