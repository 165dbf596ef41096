"""The browser views: Reflex pages and their states, by audience and feature."""
