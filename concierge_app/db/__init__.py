"""Persistence: SQLModel tables, the engine and units of work."""
