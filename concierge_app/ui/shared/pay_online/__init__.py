"""Pay online, one handler for every payer: the guest's Pay / Pay All, the partner's Pay online
and Pay all online, a group's Pay all online."""
