"""The grade book as a table: one row per student, one column per question and a total."""
