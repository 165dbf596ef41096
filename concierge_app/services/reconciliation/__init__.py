"""Reconciliation with the payment provider: the ledger's side, a run, the last run's view."""
