"""Money in from guests and partners: checkout, fulfilment, webhooks, direct debit."""
