"""Persistence: engine and sessions, models, migrations."""
