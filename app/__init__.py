"""dlgrade: grading service for deep-learning coursework."""

__version__ = "0.1.0"
