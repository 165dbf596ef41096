"""The process-wide database, for the entry points and the UI: they hand it to the services
(`db=`) and never open a session themselves."""

from __future__ import annotations

from concierge_app.db.engine import Database, get_database

__all__ = ["Database", "get_database"]
