"""Adapters to payment providers: one interface, a sandbox default (Stripe arrives with issue 4)."""
