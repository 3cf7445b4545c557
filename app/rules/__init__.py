"""Answer rules: an instructor accepts an answer form, or names it a mistake, for everyone."""
