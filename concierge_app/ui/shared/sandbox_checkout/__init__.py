"""The sandbox's hosted checkout page (test mode only)."""
