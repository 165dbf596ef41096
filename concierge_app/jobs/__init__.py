"""Background jobs run inside the app (and from the CLI)."""
