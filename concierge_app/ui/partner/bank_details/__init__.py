"""`/partner/bank-details`: the payout account and the direct debit mandate."""
