"""Benchmarks of the concierge ledger (run `python -m bench.ledger_bench --help`)."""
