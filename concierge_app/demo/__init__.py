"""Demo data for the sandbox: partners, guests and bookings in EUR, USD and JPY."""
