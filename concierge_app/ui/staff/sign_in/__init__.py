"""`/login`: the staff sign-in page."""
