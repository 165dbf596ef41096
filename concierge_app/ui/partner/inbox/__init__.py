"""`/partner/inbox`: the partner's messages with the finance team."""
