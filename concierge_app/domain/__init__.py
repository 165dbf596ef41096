"""Pure business rules: money, strategies, lifecycles, statuses. No I/O, no frameworks."""
