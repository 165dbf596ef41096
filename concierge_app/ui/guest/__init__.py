"""The guest portal."""
