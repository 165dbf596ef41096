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
