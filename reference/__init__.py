"""Pure functions that compute reference answers from a problem's parameters."""
