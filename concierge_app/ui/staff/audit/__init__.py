"""`/audit`: the audit trail."""
