"""`python -m concierge_app.cli …`."""

from concierge_app.cli import main

main()
