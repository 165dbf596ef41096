"""`/`: every booking."""
