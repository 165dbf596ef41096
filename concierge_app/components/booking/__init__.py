"""The pieces of the booking page (`/bookings/[reference]`)."""
