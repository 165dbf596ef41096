"""Messages to people: templates rendered safely, and SMTP delivery."""
