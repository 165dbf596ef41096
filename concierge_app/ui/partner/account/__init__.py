"""`/partner/account`: the partner login's account."""
