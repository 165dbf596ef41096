"""Pages of the web app, registered in `concierge_app.concierge_app`."""
