"""Partner money: payments, credit, notes, corrections, groups, bank statements."""
