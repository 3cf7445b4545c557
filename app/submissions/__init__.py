"""Submissions: grading, storing and reading them back; grades per student."""
