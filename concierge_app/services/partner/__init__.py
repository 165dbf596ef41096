"""Partner finance: billing, money, read models and the inbox."""
