"""The outbox: messages queued by the services, rendered when sent where they must be, delivered
over SMTP and listed on the staff Outbox page. Above shared/ and partner/: it reads both."""
