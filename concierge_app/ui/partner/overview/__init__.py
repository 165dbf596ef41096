"""`/partner`: the Financial Overview."""
