"""The password policy: at least 12 characters, a zxcvbn score of 3 or more, not the person's
own name or email; and the strength shown while a new password is typed."""

import pytest

from concierge_app.services.access.passwords import WeakPassword, check_policy, strength

CLARA = {"email": "clara.ruiz@azure-concierge.test", "name": "Clara Ruiz"}


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaa", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("password1234", "too easy to guess"),
        ("qwertyuiop123", "too easy to guess"),
        ("clara.ruiz-2026!", "must not contain your name or the first part of your email"),
        ("Clara Ruiz rocks 9!", "must not contain your name"),
        ("x" * 129, "at most 128 characters"),
    ],
)
def test_weak_or_personal_passwords_are_refused_with_the_reason(password, why):
    with pytest.raises(WeakPassword, match=why) as refused:
        check_policy(password, **CLARA)
    assert refused.value.field == "password"


def test_a_long_random_passphrase_is_accepted():
    check_policy("tidy otter quartz lantern", **CLARA)
    check_policy("vH7#qL2!mZ9$wK4p", **CLARA)


def test_the_strength_meter_says_what_zxcvbn_says():
    weak = strength("password1234", **CLARA)
    assert (weak.score, weak.acceptable) == (1, False)
    assert "very common password" in weak.feedback
    strong = strength("tidy otter quartz lantern", **CLARA)
    assert (strong.score, strong.label, strong.acceptable) == (4, "Very strong", True)
    personal = strength("clara.ruiz-2026!", **CLARA)
    assert (personal.label, personal.acceptable) == ("Not accepted", False)
