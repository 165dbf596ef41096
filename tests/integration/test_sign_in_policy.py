"""The password policy wherever a password is set: a new staff account, a new partner login,
a staff member's and a partner's password change. Only the demo's documented logins skip it."""

from __future__ import annotations

import pytest

from concierge_app.demo.seed import DEMO_STAFF, load_demo
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access.passwords import WeakPassword
from concierge_app.services.access.tickets import redeem_session
from concierge_app.services.partner import accounts as partners

from ..factories import make_partner
from .sign_in_support import (
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    STAFF_PASSWORD,
    add_partner_login,
    add_staff,
)

WEAK = ["aaaaaaaaaa", "password1234", "ana.lopez-2026!"]


@pytest.mark.parametrize("password", WEAK)
def test_a_new_staff_account_needs_a_strong_password(db, password):
    with pytest.raises(WeakPassword):
        partners.create_staff_user(
            db=db, email="ana.lopez@example.com", name="Ana López", password=password
        )


@pytest.mark.parametrize("password", WEAK)
def test_a_new_partner_login_needs_a_strong_password(db, password):
    with pytest.raises(WeakPassword):
        partner_auth.create_partner_user(
            db=db,
            partner_id=make_partner(db),
            email="ana.lopez@example.com",
            name="Ana López",
            password=password,
            actor="test",
        )


def test_a_staff_password_change_needs_a_strong_password(db):
    staff_id = add_staff(db)
    with pytest.raises(WeakPassword, match="too easy to guess"):
        auth.change_password(
            db=db,
            staff_id=staff_id,
            current=STAFF_PASSWORD,
            new="password1234",
            repeat="password1234",
        )


def test_a_partner_changes_its_password_under_the_same_policy(db):
    user_id = add_partner_login(db)
    with pytest.raises(WeakPassword, match="at least 12"):
        partner_auth.change_partner_password(
            db=db, user_id=user_id, current=PARTNER_PASSWORD, new="aaaaaaaaaa", repeat="aaaaaaaaaa"
        )
    with pytest.raises(partner_auth.SignInRefused, match="current password is not correct"):
        partner_auth.change_partner_password(
            db=db, user_id=user_id, current="wrong", new=STAFF_PASSWORD, repeat=STAFF_PASSWORD
        )
    first = partner_auth.partner_sign_in(db=db, email=PARTNER_EMAIL, password=PARTNER_PASSWORD)
    other = redeem_session(db=db, code=first.ticket).token
    partner_auth.change_partner_password(
        db=db, user_id=user_id, current=PARTNER_PASSWORD, new=STAFF_PASSWORD, repeat=STAFF_PASSWORD
    )
    assert partner_auth.current_partner_user(db=db, token=other) is None  # signed out
    assert partner_auth.partner_sign_in(db=db, email=PARTNER_EMAIL, password=STAFF_PASSWORD)


def test_the_demo_keeps_its_documented_short_logins(db):
    load_demo(db)
    step = auth.sign_in(db=db, email=DEMO_STAFF[0], password=DEMO_STAFF[1])
    assert step.next == "session"
