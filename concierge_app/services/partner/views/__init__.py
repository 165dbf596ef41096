"""Read models of the partner pages and staff partner pages."""
