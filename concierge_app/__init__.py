"""Concierge & partner invoicing: one ledger, three views."""
