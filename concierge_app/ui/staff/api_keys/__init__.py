"""The API keys page (staff): integrations' keys for the bookings API."""
