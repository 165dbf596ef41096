"""`/partner/group`: a group login's properties."""
