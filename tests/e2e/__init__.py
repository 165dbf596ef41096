"""Browser tests: the real app (prod build) driven through Chromium."""
