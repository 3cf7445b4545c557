"""What the command line offers, kept apart from the commands so that parsing imports none."""

CSV_FORMATS = ("csv", "canvas")
"""The grade-book files `dlgrade batch` writes: a plain table, and Canvas's import layout."""
FORMATS = (*CSV_FORMATS, "json")
TOKEN_VARIABLE = "DLGRADE_TOKEN"
"""The environment variable that holds an instructor's token for --server."""
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
"""When Gradescope shows students a result (app/gradescope/schemas.py `Visibility`)."""
VARIANT_KEYS = ("email", "sid", "id", "name", "published")
"""Which of a submitter's Gradescope details seeds their variant (schemas.py `VariantKey`)."""
GRADESCOPE_PATHS = {
    "submission-dir": "/autograder/submission",
    "metadata": "/autograder/submission_metadata.json",
    "results": "/autograder/results/results.json",
    "settings": "/autograder/source/dlgrade-gradescope.json",
}
"""Where Gradescope puts the submission and reads the results, and where the setup's settings
are: the defaults of `dlgrade gradescope`'s options of the same names."""
