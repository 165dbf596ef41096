"""Issue 15, the demo's partner logins show what the README says: Kyoto Machiya House's
invoices are deducted from its payout in full ("Deducted from your payout — nothing to pay");
Villa Azul's only in part (a stay paid at the villa leaves commission to pay by transfer);
SwiftRide's direct debit mandate was accepted by its login (who, when, from where)."""

from __future__ import annotations

from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerUser
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.demo.seed import load_demo
from concierge_app.domain.partner_billing import StatusColour
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.payments import direct_debit_mandate
from concierge_app.services.shared.common import today


def test_the_demo_has_a_login_whose_invoices_are_deducted_in_full_and_one_only_in_part(
    db: Database,
):
    load_demo(db)
    with db.read() as s:
        ids = {p.code: p.id for p in s.exec(select(Partner)).all()}
        logins = {u.email: u.partner_id for u in s.exec(select(PartnerUser)).all()}
    assert logins[DEMO_PARTNER_LOGINS["PRP-1003"]] == ids["PRP-1003"]
    kyoto = partner_documents.partner_invoices(db=db, partner_id=ids["PRP-1003"], today=today())
    assert kyoto, "Kyoto Machiya House has an invoice"
    for doc in kyoto:
        assert doc.nothing_to_pay and (doc.status_text, doc.status_colour) == (
            "Paid",
            StatusColour.GREEN,
        )
        shown = partner_documents.invoice_document(
            db=db, invoice_id=doc.id, partner_id=ids["PRP-1003"], today=today()
        )
        assert shown.deducted == shown.amount
    villa = partner_documents.partner_invoices(db=db, partner_id=ids["PRP-1001"], today=today())
    commission = [d for d in villa if d.title == "Commission invoice"]
    assert commission and all(not d.nothing_to_pay and d.payable < d.amount for d in commission), (
        "Villa Azul's invoices are only partly deducted"
    )
    mandate = direct_debit_mandate.mandate_of(db=db, partner_id=ids["OPR-2003"])
    assert mandate is not None and not mandate.pending
    assert (mandate.reference, mandate.accepted_by, mandate.accepted_from) == (
        "MNDT-OPR-2003",
        DEMO_PARTNER_LOGINS["OPR-2003"],
        "demo data",
    )
