"""The partner ledger as the pages show it (the partner's Ledger page, the staff partner page)."""
