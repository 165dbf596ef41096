"""`/bookings/[reference]`: one booking, its Trip Portfolio and Payments panel."""
