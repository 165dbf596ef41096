"""Sign-in for staff and partners: passwords, the guard, tickets, two-factor."""
