"""`/partner/ledger`: the partner ledger."""
