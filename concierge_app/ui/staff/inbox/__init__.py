"""`/inbox`: partners' messages to the finance team."""
