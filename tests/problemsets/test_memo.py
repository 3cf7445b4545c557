"""The grade memo: bounded in entries and in entry size, emptied for other problem files, and
handing out copies."""

import pytest

from app.grading.result import FieldResult, Verdict
from app.problemsets.memo import GradeMemo, MemoKey


def key(answer: str, *, fingerprint: str = "files-1", variant: str = "[]") -> MemoKey:
    return MemoKey(fingerprint, "dl-ex1", "q3.c", variant, answer)


def grade(feedback: str = "Correct.") -> FieldResult:
    return FieldResult(
        field="q3.c", verdict=Verdict.CORRECT, score=1.0, max_score=1.0, feedback=feedback
    )


def test_a_kept_grade_is_served_for_exactly_its_key() -> None:
    memo = GradeMemo()
    memo.put(key("m x 10"), grade())
    assert memo.get(key("m x 10")) == grade()
    # Another text, another variant's values, other problem files: not the same answer.
    for other in (key("m x 10 "), key("m x 10", variant="[('n_in', 5)]")):
        assert memo.get(other) is None
    assert memo.get(key("m x 10", fingerprint="files-2")) is None


def test_it_holds_at_most_its_entries_dropping_the_least_recently_used() -> None:
    memo = GradeMemo(entries=3)
    for answer in ("a", "b", "c"):
        memo.put(key(answer), grade(answer))
    assert memo.get(key("a")) is not None  # "a" is now the most recently used
    memo.put(key("d"), grade("d"))
    assert len(memo) == 3
    assert memo.get(key("b")) is None
    assert [memo.get(key(answer)) for answer in "acd"] == [grade("a"), grade("c"), grade("d")]


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [("x" * 2_000, "f" * 2_001), ("x" * 4_001, "f"), ("(" * 1_000, "f" * 3_001)],
)
def test_an_entry_larger_than_its_bound_is_not_kept(answer: str, feedback: str) -> None:
    memo = GradeMemo(entry_chars=4_000)
    memo.put(key(answer), grade(feedback))
    assert len(memo) == 0 and memo.get(key(answer)) is None


def test_grades_of_new_problem_files_replace_all_the_old_ones() -> None:
    memo = GradeMemo()
    memo.put(key("a"), grade("old"))
    memo.put(key("a", fingerprint="files-2"), grade("new"))
    assert len(memo) == 1
    assert memo.get(key("a")) is None
    assert memo.get(key("a", fingerprint="files-2")) == grade("new")


def test_what_it_hands_out_is_a_copy() -> None:
    memo = GradeMemo()
    kept = grade()
    memo.put(key("a"), kept)
    kept.feedback = "changed after it was kept"
    served = memo.get(key("a"))
    assert served is not None and served.feedback == "Correct."
    served.score = 0.0
    assert memo.get(key("a")) == grade()
