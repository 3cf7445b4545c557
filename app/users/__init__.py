"""Instructors and students, and the bearer tokens that identify them."""
