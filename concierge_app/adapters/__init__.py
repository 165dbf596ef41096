"""Adapters: the world outside (payment providers, SMTP, PDF and CSV files), behind services."""
