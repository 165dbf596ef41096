"""The books: the period's double-entry journal and its exports, and the finance charts."""
