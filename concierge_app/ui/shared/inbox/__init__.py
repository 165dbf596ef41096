"""The inbox thread, one component and one state for both inboxes: the partner's
`/partner/inbox` and the staff's `/inbox`."""
