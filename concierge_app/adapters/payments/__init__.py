"""Payment providers: the gateway port, Stripe and the sandbox."""
