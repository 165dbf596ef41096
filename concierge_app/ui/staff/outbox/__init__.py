"""`/outbox`: messages to people."""
