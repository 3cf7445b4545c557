"""Whole-class imports: a class file (JSONL, CSV, or a ZIP with model files) graded as a job."""
