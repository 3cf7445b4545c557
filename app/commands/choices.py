"""What the command line offers, kept apart from the commands so that parsing imports none."""

CSV_FORMATS = ("csv", "canvas")
"""The grade-book files `dlgrade batch` writes: a plain table, and Canvas's import layout."""
FORMATS = (*CSV_FORMATS, "json")
TOKEN_VARIABLE = "DLGRADE_TOKEN"
"""The environment variable that holds an instructor's token for --server."""
