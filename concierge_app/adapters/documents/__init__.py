"""Documents as files: the partner invoice PDF and the statement CSV."""
