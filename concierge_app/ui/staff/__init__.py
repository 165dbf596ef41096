"""The concierge dashboard (staff)."""
