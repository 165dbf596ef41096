"""`/partner/login`: the partner sign-in page."""
