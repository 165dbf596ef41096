"""`/finance`: partner finance for staff."""
