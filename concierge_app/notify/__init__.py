"""Messages to people: lifecycle templates and (later) SMTP delivery."""
