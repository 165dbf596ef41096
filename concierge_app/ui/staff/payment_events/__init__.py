"""`/payments/events`: the payment provider's events."""
