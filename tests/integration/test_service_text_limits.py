"""A service's title and description are bounded by the service that adds it: text over the
limit is refused at its field and nothing is written; text at the limit is stored whole."""

from datetime import date

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.service_text import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import portfolio, queries

from ..factories import ACTOR, make_world, snapshot


def add(w, *, title="Sunset sailing", description=""):
    return portfolio.add_service_item(
        db=w.db,
        booking_id=w.booking_id,
        operator_id=w.operator_id,
        title=title,
        description=description,
        service_date=date(2026, 7, 2),
        gross=Money(10_000, "EUR"),
        strategy=S.PLATFORM_COLLECTS_FULL,
        actor=ACTOR,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"description": "Private chef dinner. " * 500},
            "description",
            "The description has 10,499 characters; shorten it to 2,000 at most.",
        ),
        (
            {"title": "T" * (TITLE_MAX_CHARS + 1)},
            "title",
            "The title has 201 characters; keep it to 200 at most",
        ),
        ({"description": "menu\x00"}, "description", "control character (U+0000)"),
    ],
    ids=["10 kB description", "201-character title", "NUL in the description"],
)
def test_text_over_the_limit_is_refused_at_its_field_and_nothing_is_written(
    db, fields, field, message
):
    w = make_world(db)
    before = snapshot(db)
    with pytest.raises(DomainError) as refused:
        add(w, **fields)
    assert refused.value.field == field and message in refused.value.message
    assert snapshot(db) == before


def test_a_title_and_description_at_their_limits_are_stored_whole(db):
    w = make_world(db)
    title = "Ñ" * TITLE_MAX_CHARS
    description = ("Sea, sun — and lunch on board.\n" * 100)[: DESCRIPTION_MAX_CHARS - 1] + "!"
    add(w, title=f" {title} ", description=description)
    (service,) = queries.trip_portfolio(db=db, booking_id=w.booking_id)
    assert service.title == title
    assert service.description == description and len(service.description) == 2_000
