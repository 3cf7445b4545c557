"""Bounds on untrusted answers: every parser checks these before doing real work."""

from typing import Final

MAX_ANSWER_CHARS: Final = 2_000
"""Longest answer text accepted, after stripping surrounding whitespace."""

MAX_NESTING: Final = 40
"""Deepest nesting of brackets, braces or syntax-tree nodes."""

MAX_NODES: Final = 2_000
"""Most syntax-tree nodes in one parsed expression."""

MAX_NUMBER_DIGITS: Final = 60
"""Most digits in one numeric literal."""

MAX_EXPONENT: Final = 1_000
"""Largest absolute exponent applied to a numeric base in exact arithmetic."""

MAX_RESULT_DIGITS: Final = 400
"""Largest number of decimal digits an exact intermediate result may reach."""

MAX_LIST_ITEMS: Final = 400
"""Most entries in a vector, matrix, shape or edge list."""

ANSWER_TIME_LIMIT_S: Final = 2.0
"""Wall-clock seconds one answer may take to grade before the worker is killed."""

WORKER_MEMORY_LIMIT_BYTES: Final = 2 * 1024**3
"""Address-space limit of a grading worker process."""
