"""`/partner/invoices`: the partner's documents and Outstanding balances."""
