"""Reflex states: thin adapters between the services layer and the pages."""
