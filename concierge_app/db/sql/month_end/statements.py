"""The month-end run's first step in SQL: every partner's reservation statement for a month
(its lines, frozen as billed, and the totals they add up to) from one pass over the month's
departures, written by one INSERT .. SELECT (`write_statements`).

Stays count by check-out date, services by service date; cancelled ones are left out (and
Included in Stay services, which are not charged separately). Each line carries its base, its
rate and the commission (half-up, per line); the part of the commission on money the platform
collected is what is deducted from a partner paid out net. A line's rate is the partner's rate
in force on the day the reservation was made (`commission_rates.STAY_RATE_DAY`,
`SERVICE_RATE_DAY`), found by joining each line to the partner's rate history in the same pass.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Table,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerStatement
from concierge_app.db.payments import Refund
from concierge_app.db.sql.commission_rates import (
    RATES,
    SERVICE_RATE_DAY,
    STAY_RATE_DAY,
    in_force,
    rate_on,
    rate_periods,
)
from concierge_app.db.types import table_of
from concierge_app.domain.commission_rates import FROM_THE_START
from concierge_app.domain.lifecycle import BookingStatus, ServiceLifecycle
from concierge_app.domain.statuses import PayoutMethod, RefundStatus
from concierge_app.domain.strategies import PaymentStrategy

_B, _S, _P = table_of(Booking), table_of(ServiceItem), table_of(Partner)
_STMT, _REFUNDS = table_of(PartnerStatement), table_of(Refund)
_REFUNDED = (
    select(_REFUNDS.c.service_item_id, func.sum(_REFUNDS.c.amount_minor).label("refunded"))
    .where(_REFUNDS.c.status == RefundStatus.SUCCEEDED.value)
    .group_by(_REFUNDS.c.service_item_id)
    .subquery("refunded")
)


def half_up(amount: Any, rate: Any) -> Any:
    """Commission in minor units, half-up, in SQL integer arithmetic (amounts are >= 0);
    `domain.statement.commission_minor` is the same rule in Python."""
    # 64-bit: 15,000.00 (1,500,000 minor units) at 15 % overflows PostgreSQL's 32-bit integer
    return (cast(amount, BigInteger) * rate + 5000) // 10000


def _net_payout(partner: Table) -> Any:
    return partner.c.payout_method == PayoutMethod.NET_PAYOUT.value


def as_text(value: Any) -> Any:
    return cast(value, String)


def _line(source: str, source_id: Any, collected: Any, base: Any) -> Any:
    """A statement line in the form of `domain.statement`, up to its rate ("b1042 p 120000")."""
    return literal(source, String) + as_text(source_id) + " " + collected + " " + as_text(base)


def _rated(line: Any, rate: Any) -> Any:
    """The line with the rate it is billed at ("b1042 p 120000 r1500")."""
    return line + " r" + as_text(rate)


def _stays() -> Select[Any]:
    """Stays that departed in the window."""
    platform = _B.c.accommodation_collected_by == "platform"
    rates = rate_periods("stay_rate")
    commission = half_up(_B.c.accommodation_total_minor, rates.c.rate_bps)
    line = _line("b", _B.c.id, case((platform, "p"), else_="o"), _B.c.accommodation_total_minor)
    return (
        select(
            _B.c.property_id.label("partner_id"),
            _B.c.currency.label("currency"),
            commission.label("commission_minor"),
            case((platform, commission), else_=0).label("deductible_minor"),
            case((platform, _B.c.accommodation_total_minor), else_=0).label("platform_gross"),
            _rated(line, rates.c.rate_bps).label("line"),
        )
        .select_from(_B.join(rates, in_force(rates, _B.c.property_id, STAY_RATE_DAY)))
        .where(
            _B.c.check_out.between(bindparam("first"), bindparam("last")),
            _B.c.status == BookingStatus.CONFIRMED.value,
        )
    )


def _services() -> Select[Any]:
    """Services performed in the window.

    The base is what the guest finally paid for it: refunds (given back from what the platform
    collected) are taken off the gross and the platform's part before the commission.
    """
    strategy = _S.c.strategy
    refunded = func.coalesce(_REFUNDED.c.refunded, 0)
    deposit = strategy == PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value
    collected = case(
        (strategy == PaymentStrategy.PLATFORM_COLLECTS_FULL.value, _S.c.gross_minor),
        (deposit, _S.c.deposit_minor),
        else_=0,
    )
    platform_part = collected - refunded
    base = _S.c.gross_minor - refunded
    rates = rate_periods("service_rate")
    rate = rates.c.rate_bps
    line = _line(
        "s",
        _S.c.id,
        case(
            (strategy == PaymentStrategy.OPERATOR_COLLECTS_FULL.value, "o"),
            (deposit, "d"),
            else_="p",
        ),
        base,
    )
    return (
        select(
            _S.c.operator_id.label("partner_id"),
            _S.c.currency.label("currency"),
            half_up(base, rate).label("commission_minor"),
            half_up(platform_part, rate).label("deductible_minor"),
            platform_part.label("platform_gross"),
            _rated(case((deposit, line + " " + as_text(platform_part)), else_=line), rate).label(
                "line"
            ),
        )
        .select_from(
            _S.join(rates, in_force(rates, _S.c.operator_id, SERVICE_RATE_DAY)).outerjoin(
                _REFUNDED, _REFUNDED.c.service_item_id == _S.c.id
            )
        )
        .where(
            _S.c.service_date.between(bindparam("first"), bindparam("last")),
            _S.c.lifecycle == ServiceLifecycle.CONFIRMED.value,
            strategy != PaymentStrategy.INCLUDED_IN_STAY.value,
        )
    )


def _departed(ranged: bool) -> Any:
    """Every line departed in the window (of the partners :p_lo..:p_hi when `ranged`)."""
    stays, services = _stays(), _services()
    if ranged:
        stays = stays.where(_B.c.property_id.between(bindparam("p_lo"), bindparam("p_hi")))
        services = services.where(_S.c.operator_id.between(bindparam("p_lo"), bindparam("p_hi")))
    return union_all(stays, services).subquery("departed")


TaxRates = tuple[tuple[str, int], ...]  # (country, bps), sorted


def _tax_rate(rates: TaxRates) -> Any:
    """The VAT/GST rate (bps) of the partner's country, 0 where none is configured."""
    if not rates:
        return literal(0, Integer)
    return case(dict(rates), value=_P.c.country, else_=0)


def _per_partner(departed: Any, lines: Any = None, rates: TaxRates = ()) -> Select[Any]:
    """Per partner and currency: the sums (and `lines` aggregated, if given), and the partner's
    payout method, rate in force on the period's last day (each line carries its own) and VAT/GST
    rate (only partners paid out net have the commission on what the platform collected
    deducted)."""
    sums = [
        departed.c.partner_id,
        departed.c.currency,
        func.sum(departed.c.commission_minor).label("amount"),
        func.sum(departed.c.deductible_minor).label("deductible"),
        func.sum(departed.c.platform_gross).label("gross"),
        func.count().label("lines"),
    ]
    if lines is not None:
        sums.append(lines(departed.c.line).label("statement"))
    g = select(*sums).group_by(departed.c.partner_id, departed.c.currency).subquery("g")
    net = _net_payout(_P)
    return select(
        g,
        case((net, g.c.deductible), else_=0).label("deducted"),
        net.label("net_payout"),
        rate_on(_P.c.id, bindparam("last")).label("rate_bps"),
        _tax_rate(rates).label("tax_rate_bps"),
    ).join(_P, _P.c.id == g.c.partner_id)


DEPARTED_TOTALS = _per_partner(_departed(ranged=False))


@cache
def write_statements(dialect: str, ranged: bool = False, rates: TaxRates = ()) -> Any:
    """Every partner's statement for the window (of the partners :p_lo..:p_hi when `ranged`),
    lines and totals, and the VAT/GST rate it is taxed at, in one INSERT .. SELECT."""

    def lines(line: Any) -> Any:
        if dialect == "postgresql":
            return func.string_agg(line, "\n")
        return func.group_concat(line, "\n")

    per_partner = _per_partner(_departed(ranged), lines, rates).subquery("s")
    return insert(_STMT).from_select(
        [
            "run_id",
            "partner_id",
            "currency",
            "amount_minor",
            "deducted_minor",
            "gross_minor",
            "line_count",
            "rate_bps",
            "net_payout",
            "lines",
            "tax_rate_bps",
        ],
        select(
            bindparam("run_id", type_=Integer),
            per_partner.c.partner_id,
            per_partner.c.currency,
            per_partner.c.amount,
            per_partner.c.deducted,
            per_partner.c.gross,
            per_partner.c.lines,
            per_partner.c.rate_bps,
            per_partner.c.net_payout,
            per_partner.c.statement,
            per_partner.c.tax_rate_bps,
        ),
    )


# Partners whose rate history does not start from the start: their reservations would find no
# rate, and no line (the migration and a trigger give every partner its opening rate).
UNRATED_PARTNERS = (
    select(_P.c.code)
    .where(~exists().where(RATES.c.partner_id == _P.c.id, RATES.c.valid_from == FROM_THE_START))
    .order_by(_P.c.id)
    .limit(5)
)
