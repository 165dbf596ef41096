"""Set-based SQL shared by the services (SQLAlchemy Core, one form for SQLite and PostgreSQL)."""
