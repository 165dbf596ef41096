"""The guest side of a booking: bookings, the Trip Portfolio, invoices, refunds, the portal."""
