"""Where the problem files live by default; apart from the catalog, which imports the grader."""

from pathlib import Path

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "problems"
