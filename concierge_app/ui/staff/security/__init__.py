"""`/security`: sign-in security."""
