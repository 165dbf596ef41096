"""`/portal/[reference]`: the guest's booking and Payments card."""
