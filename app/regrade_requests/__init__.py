"""Regrade requests: a student asks for a second look at one field; an instructor answers."""
