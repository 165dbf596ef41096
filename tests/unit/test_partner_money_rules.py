"""Issue 15, the partner's money rules: a credit note deducts from the invoice it corrects before
anything else; a credit note says which documents it paid; an overdue invoice partly paid says
both that it is overdue and what was paid; online payment follows the partner's payment
method."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.allocation import Allocation, OpenItem
from concierge_app.domain.credit import (
    CreditKind,
    CreditSource,
    CreditTarget,
    apply_credit,
    credit_note_status,
)
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    OVERDUE_WARNING,
    PartnerInvoiceState,
    StatusColour,
    invoice_status,
)
from concierge_app.domain.partner_checkout import OnlineCandidate, PayingWay, online_refusal

TODAY = date(2026, 12, 5)


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def correction(source_id: int, minor: int, corrects: int, since: date = TODAY) -> CreditSource:
    return CreditSource(
        CreditKind.CREDIT_NOTE, source_id, eur(minor), since, TODAY, corrects=corrects
    )


def target(invoice_id: int, due: date, minor: int, *, black: bool = False) -> CreditTarget:
    return CreditTarget(OpenItem(invoice_id, due, f"CM-2026-{invoice_id:06d}", eur(minor)), black)


OLDER = target(9, date(2026, 11, 17), 6000)  # CM-…009, overdue
NEWER = target(17, date(2026, 12, 16), 4824)  # CM-…017, the one corrected


def paid(uses: list) -> list[tuple[int, Allocation]]:
    return [(u.source.source_id, u.allocation) for u in uses]


def test_a_credit_note_pays_the_invoice_it_corrects_not_the_oldest_open_one():
    uses = apply_credit([correction(1, 1000, corrects=17)], [OLDER, NEWER])
    assert paid(uses) == [(1, Allocation(17, eur(1000)))]


def test_only_what_the_corrected_invoice_no_longer_needs_pays_other_documents():
    corrected = target(17, date(2026, 12, 16), 300)  # only 3.00 left of it
    uses = apply_credit([correction(1, 1000, corrects=17)], [OLDER, corrected])
    assert paid(uses) == [(1, Allocation(17, eur(300))), (1, Allocation(9, eur(700)))]


def test_a_credit_note_whose_invoice_is_paid_pays_the_oldest_open_document():
    uses = apply_credit([correction(1, 1000, corrects=42)], [NEWER, OLDER])  # 42: not open
    assert paid(uses) == [(1, Allocation(9, eur(1000)))]


def test_an_older_credit_does_not_take_the_corrected_invoice_from_its_credit_note():
    older_credit = CreditSource(CreditKind.PAYMENT, 5, eur(4824), date(2026, 11, 1), TODAY)
    uses = apply_credit([older_credit, correction(1, 4824, corrects=17)], [OLDER, NEWER])
    assert paid(uses) == [
        (1, Allocation(17, eur(4824))),
        (5, Allocation(9, eur(4824))),
    ]


def test_a_credit_note_never_pays_its_invoice_once_written_off():
    black = target(17, date(2026, 12, 16), 4824, black=True)
    assert paid(apply_credit([correction(1, 1000, corrects=17)], [black])) == []


@given(
    st.lists(st.integers(0, 30_000), min_size=1, max_size=4),
    st.lists(st.integers(1, 20_000), min_size=1, max_size=5),
    st.data(),
)
def test_a_correction_always_pays_what_its_invoice_still_needs_first(notes, documents, data):
    targets = [target(i, date(2026, 12, 1 + i), m) for i, m in enumerate(documents)]
    sources = [
        correction(100 + n, m, corrects=data.draw(st.integers(0, len(documents) - 1)))
        for n, m in enumerate(notes)
    ]
    uses = apply_credit(sources, targets)
    for s in sources:
        own = sum(
            u.allocation.amount.minor
            for u in uses
            if u.source == s and u.allocation.invoice_id == s.corrects
        )
        other = sum(
            u.allocation.amount.minor
            for u in uses
            if u.source == s and u.allocation.invoice_id != s.corrects
        )
        spent_on_own = sum(
            u.allocation.amount.minor for u in uses if u.allocation.invoice_id == s.corrects
        )
        if other:  # it paid elsewhere only once its own invoice needed nothing more
            assert spent_on_own == documents[s.corrects]
        assert own + other <= s.available.minor
    for i, minor in enumerate(documents):
        assert sum(u.allocation.amount.minor for u in uses if u.allocation.invoice_id == i) <= minor


def test_a_credit_note_says_which_documents_it_paid():
    def text(applied: int, to: list[tuple[str, int]]) -> str:
        status = credit_note_status(
            amount=eur(1000),
            applied=eur(applied),
            applied_to=[(n, eur(m)) for n, m in to],
            format_money=lambda m: f"€{m.amount_text()}",
        )
        assert status.colour is StatusColour.GREEN and status.outstanding == eur(0)
        return status.text

    assert text(1000, [("CM-2026-000017", 1000)]) == "Applied in full to CM-2026-000017"
    assert text(1000, [("CM-2026-000017", 300), ("CM-2026-000009", 700)]) == (
        "Applied in full to CM-2026-000017 (€3.00), CM-2026-000009 (€7.00)"
    )
    assert text(300, [("CM-2026-000017", 300)]) == (
        "Applied €3.00 to CM-2026-000017 · available: €7.00"
    )
    assert text(0, []) == "Credit available: €10.00"


def test_an_overdue_invoice_partly_paid_says_both():
    status = invoice_status(
        amount=eur(8000),
        paid=eur(3000),
        due=date(2026, 11, 17),
        today=TODAY,
        state=PartnerInvoiceState.ISSUED,
        format_money=lambda m: f"€{m.amount_text()}",
    )
    assert status.text == "Overdue (due by November 17, 2026) · You've paid €30.00 of €80.00"
    assert (status.colour, status.overdue, status.note) == (StatusColour.RED, True, OVERDUE_WARNING)
    assert status.outstanding == eur(5000)


def candidate(way: PayingWay | None, invoice_id: int = 17) -> OnlineCandidate:
    return OnlineCandidate(
        number="CM-2026-000017",
        state=PartnerInvoiceState.ISSUED,
        outstanding=eur(4824),
        reference="OPR-2004 CM-2026-000017",
        invoice_id=invoice_id,
        way=way,
    )


def test_pay_online_follows_the_partner_s_payment_method():
    assert online_refusal(candidate(PayingWay("online"))) is None
    assert online_refusal(candidate(None)) is None  # a group's plan pays online
    by_transfer = online_refusal(candidate(PayingWay("bank_transfer")))
    assert by_transfer is not None and by_transfer.startswith(
        "You pay by bank transfer: quote OPR-2004 CM-2026-000017."
    )
    assert online_refusal(candidate(PayingWay("payout_deduction"))) == by_transfer
    debited = PayingWay("direct_debit", "MNDT-OPR-2003")
    assert online_refusal(candidate(debited)) == (
        "Collected by direct debit from your account (mandate MNDT-OPR-2003): nothing to do. "
        "If the debit fails, you can pay it online."
    )
    failed = PayingWay("direct_debit", "MNDT-OPR-2003", frozenset({17}))
    assert online_refusal(candidate(failed)) is None  # pay it another way
    assert online_refusal(candidate(failed, invoice_id=18)) is not None
    assert online_refusal(candidate(PayingWay("direct_debit"))) is None  # no mandate accepted
    yen = OnlineCandidate(
        number="CM-2026-000018",
        state=PartnerInvoiceState.ISSUED,
        outstanding=Money(3840, "JPY"),
        reference="OPR-2003 CM-2026-000018",
        invoice_id=18,
        way=debited,
    )
    assert online_refusal(yen) is None  # SEPA collects euros only: pay yen another way
