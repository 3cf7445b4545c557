"""Background jobs: state in the database, run by a swappable JobBackend."""
