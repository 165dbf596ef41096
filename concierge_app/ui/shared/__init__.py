"""UI pieces every audience shares: layout, forms, badges, sign-in, sessions."""
