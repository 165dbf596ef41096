"""`/finance/partners/[code]`: one partner for staff."""
