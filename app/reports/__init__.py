"""A self-contained HTML report of a problem set's statistics, with charts."""
