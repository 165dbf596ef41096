"""Integrations (a PMS, a channel manager) over the JSON API: their keys, idempotent requests
and the bookings they push."""
