"""Student-facing messages of the first stage and of the verdicts."""

from app.grading.limits import MAX_ANSWER_CHARS

CORRECT = "Correct."
INCORRECT = "Not correct."
NOT_TEXT = "The answer must be text."
EMPTY = "The answer is empty."
CONTROL_CHARACTER = "The answer contains an invisible control character; retype it."
UNBALANCED_DELIMITER = "The math delimiters ($ or \\( \\)) are not balanced."
UPLOAD_ONLY = "This field is answered by uploading a trained model, not by text."
TOO_SLOW = "The answer took too long to check; simplify it and submit again."
CHECK_FAILED = "The answer could not be checked; it has been recorded for a grader to review."
TOO_MANY_PIECES = (
    "The answer has too many math pieces to find one answer in; give the answer alone."
)


def too_long(length: int) -> str:
    """The answer has more characters than any answer may have."""
    return f"The answer is too long ({length} characters; at most {MAX_ANSWER_CHARS})."


def several_answers(candidates: list[str]) -> str:
    """The words hold more than one readable answer; quote them back."""
    listed = "; ".join(candidates)
    return f"The answer holds {len(candidates)} candidate answers ({listed}); give a single one."


def incorrect(hint: str | None) -> str:
    """Feedback for a wrong answer with no known mistake: the type's hint when it has one."""
    return f"{INCORRECT} {hint}" if hint else INCORRECT
