"""`/templates`: lifecycle messages."""
