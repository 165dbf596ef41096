"""What every use case shares: the audit trail, units of work, the outbox and messages."""
