"""Roles and permissions: what each role allows, several roles together, refusals' wording,
parsing what is stored, and which actors are people."""

from __future__ import annotations

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.roles import (
    ALL_ROLES,
    GRANTS,
    Permission,
    Role,
    allows,
    clean_roles,
    format_roles,
    is_person,
    parse_roles,
    permissions_of,
    refusal,
)


def test_each_role_grants_only_its_own_work():
    assert allows([Role.CONCIERGE], Permission.INVOICES)
    assert allows([Role.CONCIERGE], Permission.BOOKINGS)
    assert not allows([Role.CONCIERGE], Permission.REFUNDS)
    assert not allows([Role.CONCIERGE], Permission.WRITE_OFF)
    assert not allows([Role.CONCIERGE], Permission.TEMPLATES)
    assert allows([Role.FINANCE], Permission.REFUNDS)
    assert allows([Role.FINANCE], Permission.EXPORTS)
    assert not allows([Role.FINANCE], Permission.SERVICES)
    assert not allows([Role.FINANCE], Permission.USERS)
    assert allows([Role.ADMIN], Permission.USERS)
    assert not allows([Role.ADMIN], Permission.REFUNDS)
    assert not allows([], Permission.BOOKINGS)


def test_several_roles_add_up_and_every_permission_belongs_to_a_role():
    assert permissions_of([Role.CONCIERGE, Role.FINANCE]) == (
        GRANTS[Role.CONCIERGE] | GRANTS[Role.FINANCE]
    )
    assert permissions_of(ALL_ROLES) == frozenset(Permission)
    # no permission is granted by two roles: each job has one owner
    seen = [p for grants in GRANTS.values() for p in grants]
    assert len(seen) == len(set(seen))


def test_refusal_names_what_was_refused_and_who_to_ask():
    assert refusal(Permission.REFUNDS) == "Your role does not allow refunds. Ask an admin."
    for permission in Permission:
        assert refusal(permission).endswith("Ask an admin.")


def test_stored_roles_round_trip_sorted():
    assert format_roles([Role.FINANCE, Role.ADMIN, Role.FINANCE]) == "admin,finance"
    assert parse_roles("admin,finance") == {Role.ADMIN, Role.FINANCE}
    assert parse_roles(" Admin , ,concierge ") == {Role.ADMIN, Role.CONCIERGE}
    assert parse_roles("") == frozenset()


@pytest.mark.parametrize("bad", ["root", "admin,superuser", "ädmin", "x" * 10_000, "admin;drop"])
def test_unknown_roles_are_refused(bad):
    with pytest.raises(DomainError) as refused:
        parse_roles(bad)
    assert refused.value.field == "roles"
    assert len(refused.value.message) < 100


def test_a_user_has_at_least_one_role():
    with pytest.raises(DomainError, match="at least one role"):
        clean_roles([])
    with pytest.raises(DomainError, match="at least one role"):
        clean_roles([" "])
    assert clean_roles(["finance", Role.ADMIN]) == {Role.FINANCE, Role.ADMIN}


@pytest.mark.parametrize(
    ("actor", "person"),
    [
        ("clara@staff.example", True),
        ("CLARA@Staff.Example", True),
        ("josé@ejemplo.es", True),
        ("system:month_end", False),
        ("cli:root", False),
        ("provider:stripe", False),
        ("api:key-1@pms", False),  # an app prefix, even with an @ after it
        ("demo-seed", False),
        ("", False),
    ],
)
def test_people_are_emails_and_the_app_has_prefixes(actor, person):
    assert is_person(actor) is person
