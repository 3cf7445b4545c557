"""Instructor overrides: a field's score set by hand over the automatic grade."""
