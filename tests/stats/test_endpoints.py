"""Answer statistics through HTTP, on SQLite and PostgreSQL: a class of students submits through
the API, several attempts each, and every number is checked against a computation from what
was submitted, under the latest and the best policy; checkpoints count their counted upload."""

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.checkpoints.schemas import CHECKPOINT_JOB
from app.db.models import FieldGrade, Job, JobStatus, Role, Submission
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.compiled import CompiledProblemSet
from app.users.service import issue
from tests.conftest import People
from tests.stats.conftest import DL_EX1, HW5, enroll
from tests.submissions.conftest import published_answers

API = "/api/v1"
VERDICTS = ("correct", "partial", "incorrect", "invalid")
WRONG = {"partial", "incorrect", "invalid"}
BINS = 10
SHOWN = 200
SCRIPT = "<script>alert('x')</script>"
LONG = "(" * 1500
EDGES = "X->mu, X->sigma^2, X->Z, mu->Z, sigma^2->Z, Z->Y, gamma->Y, beta->Y"

# Field -> what the class types: (answer, the known mistake it matches or None). Every field
# not listed gets its published answer.
POOLS: dict[str, list[tuple[str, str | None]]] = {
    "q1.b": [
        ("[2, -1, 3]", None),
        ("[3, -1, 2]", "flipped filter"),
        ("[3, -1, 2]^T", "flipped filter"),
        ("[2, 1, 3]", None),
        ("[2, -1, 3", None),
    ],
    "q2.a.batchnorm": [
        ("A", None),
        ("B", "layer norm chosen"),
        ("B (layer norm)", "layer norm chosen"),
        ("C", "instance norm chosen"),
        (SCRIPT, None),
    ],
    "q2.b.n1": [("0", None), ("1", None), ("0.0001", None), ("zero", None), ("zero \n\t ", None)],
    "q3.b": [
        ("39", None),
        ("108", "ordinary convolution counted"),
        ("3x3x3x4", "ordinary convolution counted"),
        ("46", "biases counted"),
        ("36 + 12", None),
        (LONG, None),
    ],
    "q6.a": [
        (EDGES.replace("X->Z", "X->Z, mu->sigma^2"), None),
        ("X->mu->sigma^2->Z->Y", None),
        (EDGES.replace("Z->Y, ", ""), None),
        (EDGES + ", gamma->Z", None),
        (EDGES.replace("Z->Y", "Y->Z"), None),
        (EDGES + ", X->Y", None),
        (EDGES.replace("gamma->Y, beta->Y", "gamma->Z, beta->Z"), None),
    ],
}


class Answered(NamedTuple):
    """One graded answer as the submission's response showed it, and its expected note."""

    graded: dict[str, Any]
    note: str | None


def attempts(student: int) -> list[dict[str, str]]:
    """What one student submits: 1 to 3 attempts, some leaving fields out."""
    published = published_answers(HW5)
    sets = []
    for attempt in range(1 + student % 3):
        answers = {}
        for offset, field in enumerate(published):
            pool = POOLS.get(field)
            if pool is not None:
                answers[field] = pool[(student // 3 + 2 * attempt + offset) % len(pool)][0]
            elif (student + attempt) % 4:
                answers[field] = published[field]
        sets.append(answers)
    return sets


def note_of(field: str, answer: str) -> str | None:
    """The known mistake a pool answer matches (text answers outside the pools match none)."""
    return dict(POOLS.get(field, [])).get(answer)


def created(client: TestClient, token: str, answers: dict[str, str], problem_set: str) -> Any:
    """POST answers that must be stored; the response body."""
    response = client.post(
        f"{API}/problem-sets/{problem_set}/submissions",
        json={"answers": answers},
        headers=People.auth(token),
    )
    assert response.status_code == 201, response.text
    return response.json()


def stats_of(client: TestClient, token: str, problem_set: str) -> Any:
    """GET the statistics, which must succeed as JSON."""
    response = client.get(f"{API}/problem-sets/{problem_set}/stats", headers=People.auth(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


# -- the expected numbers, from what was submitted ---------------------------------------------


def counted(bodies: Sequence[Any], counts: str) -> Any:
    """The response of the submission that counts: the latest, or the latest of the best."""
    if counts == "latest":
        return bodies[-1]
    best = max(body["score"] for body in bodies)
    return [body for body in bodies if body["score"] == best][-1]


def normalized(graded: dict[str, Any]) -> str:
    """How an answer was understood, else its text with whitespace collapsed; capped."""
    text = graded["parsed"] or re.sub(r"\s+", " ", graded["answer"]).strip()
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "\u2026"


def expected_field(field: str, max_score: float, answers: Sequence[Answered]) -> dict[str, Any]:
    """A field's statistics computed from its counted answers."""
    verdicts = Counter(answer.graded["verdict"] for answer in answers)
    groups = Counter(
        (normalized(a.graded), a.graded["verdict"], a.note, a.graded["feedback"])
        for a in answers
        if a.graded["verdict"] in WRONG
    )
    ranked = sorted(
        groups.items(),
        key=lambda item: (-item[1], item[0][0], item[0][1], item[0][2] or "", item[0][3]),
    )
    return {
        "field": field,
        "max_score": max_score,
        "answered": len(answers),
        "shares": {v: verdicts[v] / len(answers) if answers else 0.0 for v in VERDICTS},
        "mean_score": statistics.fmean(a.graded["score"] for a in answers) if answers else None,
        "common_wrong": [
            {"answer": answer, "verdict": verdict, "note": note, "feedback": feedback, "count": n}
            for (answer, verdict, note, feedback), n in ranked[:5]
        ],
    }


def expected_distribution(values: Sequence[float], upper: float) -> dict[str, Any]:
    """Summary numbers and equal-bin counts over [0, upper], the last bin closed."""
    edges = [upper * index / BINS for index in range(BINS + 1)]
    counts = [0] * BINS
    for value in values:
        counts[min(bisect.bisect_right(edges, value) - 1, BINS - 1)] += 1
    return {
        "count": len(values),
        "mean": statistics.fmean(values) if values else None,
        "median": statistics.median(values) if values else None,
        "minimum": min(values, default=None),
        "maximum": max(values, default=None),
        "histogram": {"edges": edges, "counts": counts},
    }


def approx_or_none(expected: float | None) -> Any:
    """An approximate match, or None exactly."""
    return None if expected is None else pytest.approx(expected)


def assert_distribution(actual: dict[str, Any], values: Sequence[float], upper: float) -> None:
    expected = expected_distribution(values, upper)
    assert actual["count"] == expected["count"]
    for key in ("mean", "median", "minimum", "maximum"):
        assert actual[key] == approx_or_none(expected[key]), key
    assert actual["histogram"]["counts"] == expected["histogram"]["counts"]
    assert actual["histogram"]["edges"] == pytest.approx(expected["histogram"]["edges"])


def assert_fields(actual: Sequence[Any], expected: Sequence[dict[str, Any]]) -> None:
    assert [field["field"] for field in actual] == [field["field"] for field in expected]
    for got, want in zip(actual, expected, strict=True):
        assert (got["answered"], got["max_score"]) == (want["answered"], want["max_score"])
        assert got["shares"] == pytest.approx(want["shares"]), want["field"]
        assert got["mean_score"] == approx_or_none(want["mean_score"]), want["field"]
        assert got["common_wrong"] == want["common_wrong"], want["field"]
        assert got["overridden"] == want.get("overridden", 0), want["field"]
        if got["answered"]:
            assert sum(got["shares"].values()) == pytest.approx(1.0)


# -- a class of students -----------------------------------------------------------------------


@pytest.mark.parametrize(("problem_set", "counts"), [(HW5, "latest"), ("hw5-best", "best")])
def test_a_class_is_summarized_over_the_submissions_that_count(
    stats_client: TestClient,
    stats_catalog: ProblemCatalog,
    people: People,
    session: Session,
    problem_set: str,
    counts: str,
) -> None:
    students = enroll(session, 30)
    history = [
        [created(stats_client, student.token, answers, problem_set) for answers in attempts(index)]
        for index, student in enumerate(students)
    ]
    # The class is one where the policies disagree, so counting the wrong submission shows.
    assert any(counted(bodies, "latest") is not counted(bodies, "best") for bodies in history)
    final = [counted(bodies, counts) for bodies in history]
    stats = stats_of(stats_client, people.instructor, problem_set)
    compiled = stats_catalog.compiled(problem_set)
    assert (stats["problem_set"], stats["counts"]) == (problem_set, counts)
    assert stats["title"] == stats_catalog.definition(problem_set).title
    assert (stats["students"], stats["max_total"]) == (30, compiled.max_total)
    assert_distribution(stats["totals"], [body["score"] for body in final], compiled.max_total)
    expected = []
    for field in compiled.fields.values():
        answers = [
            Answered(graded, note_of(field.id, graded["answer"]))
            for body in final
            for graded in body["fields"]
            if graded["field"] == field.id
        ]
        expected.append(expected_field(field.id, field.max_score, answers))
    assert_fields(stats["fields"], expected)
    assert stats["checkpoints"] == []
    by_field = {field["field"]: field["common_wrong"] for field in stats["fields"]}
    assert len(by_field["q6.a"]) == 5
    assert {"flipped filter"} == {group["note"] for group in by_field["q1.b"]} - {None}
    assert SCRIPT in [group["answer"] for group in by_field["q2.a.batchnorm"]]
    [long] = [group["answer"] for group in by_field["q3.b"] if group["answer"].startswith("((")]
    assert (len(long), long[-1]) == (SHOWN, "\u2026")


def test_stored_notes_are_the_known_mistakes_of_the_problem_file(
    stats_client: TestClient, stats_catalog: ProblemCatalog, people: People, session: Session
) -> None:
    [student] = enroll(session, 1)
    created(stats_client, student.token, {"q3.b": "108", "q2.a.batchnorm": "C"}, HW5)
    stats = stats_of(stats_client, people.instructor, HW5)
    fields = {field.id: field for field in stats_catalog.compiled(HW5).fields.values()}
    for row in stats["fields"]:
        for group in row["common_wrong"]:
            assert group["note"] in {mistake.name for mistake in fields[row["field"]].mistakes}
    groups = {row["field"]: row["common_wrong"] for row in stats["fields"] if row["common_wrong"]}
    notes = {field: [group["note"] for group in wrong] for field, wrong in groups.items()}
    assert notes == {
        "q3.b": ["ordinary convolution counted"],
        "q2.a.batchnorm": ["instance norm chosen"],
    }


# -- checkpoints -------------------------------------------------------------------------------

START = datetime(2030, 1, 1, tzinfo=UTC)


class Upload(NamedTuple):
    """An evaluated checkpoint to insert: who, which field, its grade, its job's result."""

    student: int
    field: str
    score: float
    factor: float
    verdict: str
    minute: int
    result: dict[str, Any]
    parsed: str = "LeNet-5: test accuracy below the threshold"
    feedback: str = "Below the threshold."
    status: str = JobStatus.DONE.value

    @property
    def counted(self) -> float:
        """The score after the late factor, as the grade book counts it."""
        return self.score * self.factor


def measured(accuracy: float) -> dict[str, Any]:
    return {"test": {"accuracy": accuracy, "count": 10_000}}


# Student 0 and 1 upload several times (in and out of time order, late and on time, tied on
# the best score); student 2's results are unsound; student 3's job has not finished; student 4
# uploads nothing; -1 is an instructor, whose uploads are no student's.
UPLOADS = [
    Upload(
        0, "q4.baseline", 12.5, 1.0, "correct", 0, measured(0.9012), "test accuracy 90.12", "ok"
    ),
    Upload(0, "q4.baseline", 6.25, 1.0, "partial", 5, measured(0.8534)),
    Upload(0, "q4.dropout", 10.0, 1.0, "partial", 6, measured(0.8821)),
    Upload(
        1, "q4.baseline", 12.5, 0.5, "correct", 9, measured(0.9104), "test accuracy 91.04", "ok"
    ),
    Upload(1, "q4.baseline", 10.0, 1.0, "partial", 1, measured(0.8777)),
    Upload(1, "q4.baseline", 10.0, 1.0, "partial", 3, measured(0.8650)),
    Upload(1, "q4.dropout", 6.25, 1.0, "partial", 2, measured(0.8511)),
    Upload(2, "q4.baseline", 0.0, 1.0, "incorrect", 4, {"test": {"accuracy": "0.95"}}),
    Upload(2, "q4.weight_decay", 0.0, 1.0, "incorrect", 4, {"test": {"accuracy": 1.5}}),
    Upload(2, "q4.batchnorm", 0.0, 1.0, "incorrect", 4, {"test": [0.9]}),
    Upload(3, "q4.dropout", 5.0, 1.0, "partial", 7, measured(0.8), status=JobStatus.RUNNING.value),
    Upload(-1, "q4.baseline", 12.5, 1.0, "correct", 8, measured(0.99), "test accuracy 99.00", "ok"),
]


def insert(session: Session, upload: Upload, user_id: str, problem_set: str) -> None:
    """Store an evaluated checkpoint the way an evaluation job records one."""
    when = START + timedelta(minutes=upload.minute)
    grade = FieldGrade(position=0, field=upload.field, max_score=12.5, **graded(upload))
    submission = Submission(
        user_id=user_id,
        problem_set=problem_set,
        created_at=when,
        total=upload.score,
        max_total=100.0,
        score_factor=upload.factor,
        late=upload.factor < 1,
        engine_version="test",
        problem_hash="0" * 64,
        reference_hash="0" * 64,
        fields=[grade],
    )
    session.add(submission)
    session.flush()
    job = Job(kind=CHECKPOINT_JOB, user_id=user_id, problem_set=problem_set, field=upload.field)
    job.status, job.spec, job.result = upload.status, {}, upload.result
    job.submission_id, job.created_at = submission.id, when
    session.add(job)
    session.flush()


def graded(upload: Upload) -> dict[str, Any]:
    """An inserted upload's grade, shaped like a field of a submission's response."""
    return {
        "answer": f"checkpoint at minute {upload.minute}",
        "verdict": upload.verdict,
        "score": upload.score,
        "feedback": upload.feedback,
        "parsed": upload.parsed,
    }


def counted_uploads(counts: str) -> dict[tuple[int, str], Upload]:
    """Per student and field, the upload that counts: the latest, or the latest of the best."""
    chosen: dict[tuple[int, str], Upload] = {}
    for upload in sorted(UPLOADS, key=lambda upload: upload.minute):
        held = chosen.get((upload.student, upload.field))
        if counts == "latest" or held is None or upload.counted >= held.counted:
            chosen[(upload.student, upload.field)] = upload
    return {key: upload for key, upload in chosen.items() if upload.student >= 0}


def accuracy(upload: Upload) -> float | None:
    """The accuracy a finished job measured, when its result holds a fraction."""
    if upload.status != JobStatus.DONE.value:
        return None
    value = upload.result.get("test")
    value = value.get("accuracy") if isinstance(value, dict) else None
    return value if isinstance(value, float) and 0 <= value <= 1 else None


def expected_fields(
    compiled: CompiledProblemSet, text: Sequence[Any], chosen: dict[tuple[int, str], Upload]
) -> list[dict[str, Any]]:
    """Every field's statistics: text fields from the responses, uploads from the chosen."""
    expected = []
    for field in compiled.fields.values():
        if field.is_upload:
            answers = [Answered(graded(u), None) for (_, f), u in chosen.items() if f == field.id]
        else:
            answers = [
                Answered(g, None) for body in text for g in body["fields"] if g["field"] == field.id
            ]
        expected.append(expected_field(field.id, field.max_score, answers))
    return expected


@pytest.mark.parametrize(("problem_set", "counts"), [(DL_EX1, "latest"), ("dl-ex1-best", "best")])
def test_checkpoints_count_the_upload_that_counts(
    stats_client: TestClient,
    stats_catalog: ProblemCatalog,
    people: People,
    session: Session,
    problem_set: str,
    counts: str,
) -> None:
    students = enroll(session, 5)
    answers = {"q2.total": "999", "q4.baseline": "90%"}
    text = [created(stats_client, student.token, answers, problem_set) for student in students]
    # A text answer to a model-upload field is invalid, and no part of that field's statistics.
    assert {
        g["verdict"] for body in text for g in body["fields"] if g["field"] == "q4.baseline"
    } == {"invalid"}
    teacher = issue(session, name="teacher", role=Role.INSTRUCTOR).user.id
    for upload in UPLOADS:
        owner = students[upload.student].user_id if upload.student >= 0 else teacher
        insert(session, upload, owner, problem_set)
    session.commit()
    stats = stats_of(stats_client, people.instructor, problem_set)
    compiled = stats_catalog.compiled(problem_set)
    chosen = counted_uploads(counts)
    totals = [
        body["score"] + sum(u.counted for (s, _), u in chosen.items() if s == index)
        for index, body in enumerate(text)
    ]
    assert stats["students"] == 5
    assert_distribution(stats["totals"], totals, compiled.max_total)
    assert_fields(stats["fields"], expected_fields(compiled, text, chosen))
    uploads = [field.id for field in compiled.fields.values() if field.is_upload]
    assert [row["field"] for row in stats["checkpoints"]] == uploads
    for row in stats["checkpoints"]:
        found = [accuracy(u) for (_, f), u in chosen.items() if f == row["field"]]
        values = [value for value in found if value is not None]
        assert_distribution(row["accuracy"], values, 1.0)
    assert stats["checkpoints"][0]["accuracy"]["count"] == 2


# -- overrides --------------------------------------------------------------------------------


def override(client: TestClient, token: str, submission_id: str, field: str) -> None:
    """PUT an override of one field that must be accepted."""
    response = client.put(
        f"{API}/submissions/{submission_id}/overrides/{field}",
        json={"score": 0, "comment": "checked by hand"},
        headers=People.auth(token),
    )
    assert response.status_code == 200, response.text


def test_each_field_counts_the_counted_submissions_that_override_it(
    stats_client: TestClient, people: People, session: Session
) -> None:
    students = enroll(session, 4)
    published = published_answers(HW5)
    first, second = list(published)[:2]
    bodies = [
        [created(stats_client, student.token, published, HW5) for _ in range(2)]
        for student in students
    ]
    in_force: dict[str, set[str]] = {}

    def put(student: int, attempt: int, field: str) -> None:
        submission_id = bodies[student][attempt]["submission_id"]
        override(stats_client, people.instructor, submission_id, field)
        in_force.setdefault(submission_id, set()).add(field)

    put(0, 1, first)
    put(0, 1, second)
    put(1, 1, first)
    # Overriding work that no longer counts, or twice, or then taking it away counts once at most.
    put(2, 0, first)
    put(1, 1, first)
    put(3, 1, second)
    removal = stats_client.post(
        f"{API}/submissions/{bodies[3][1]['submission_id']}/overrides/{second}/removal",
        json={"reason": "as graded"},
        headers=People.auth(people.instructor),
    )
    assert removal.status_code == 200, removal.text
    in_force[bodies[3][1]["submission_id"]].discard(second)

    stats = stats_of(stats_client, people.instructor, HW5)
    counted_ids = [attempts[-1]["submission_id"] for attempts in bodies]
    expected = Counter(field for id_ in counted_ids for field in in_force.get(id_, ()))
    got = {row["field"]: row["overridden"] for row in stats["fields"]}
    assert got == {field: expected[field] for field in got}
    assert (got[first], got[second]) == (2, 1)


def test_a_counted_checkpoint_replaces_an_overridden_text_answer_in_the_count(
    stats_client: TestClient, people: People, session: Session
) -> None:
    students = enroll(session, 2)
    field = "q4.baseline"
    for student in students:
        body = created(stats_client, student.token, {field: "90%"}, DL_EX1)
        override(stats_client, people.instructor, body["submission_id"], field)
    insert(session, UPLOADS[0], students[1].user_id, DL_EX1)
    session.commit()
    stats = stats_of(stats_client, people.instructor, DL_EX1)
    got = {row["field"]: row["overridden"] for row in stats["fields"]}
    assert got[field] == 1
    assert set(got.values()) == {0, 1}


# -- nothing submitted, and who may look ------------------------------------------------------


@pytest.mark.parametrize("problem_set", [HW5, DL_EX1])
def test_a_problem_set_without_submissions_gives_zeros_and_nulls(
    stats_client: TestClient, stats_catalog: ProblemCatalog, people: People, problem_set: str
) -> None:
    stats = stats_of(stats_client, people.instructor, problem_set)
    compiled = stats_catalog.compiled(problem_set)
    assert stats["students"] == 0
    assert_distribution(stats["totals"], [], compiled.max_total)
    assert_fields(
        stats["fields"],
        [expected_field(field.id, field.max_score, []) for field in compiled.fields.values()],
    )
    uploads = [field.id for field in compiled.fields.values() if field.is_upload]
    assert [row["field"] for row in stats["checkpoints"]] == uploads
    for row in stats["checkpoints"]:
        assert_distribution(row["accuracy"], [], 1.0)


@pytest.mark.parametrize(
    ("token", "problem_set", "status", "error"),
    [
        ("alice", HW5, 403, "Forbidden"),
        (None, HW5, 401, "Unauthorized"),
        ("nope", HW5, 401, "Unauthorized"),
        ("instructor", "no-such-set", 404, "UnknownProblemSet"),
        ("instructor", "%3Cscript%3E", 404, "UnknownProblemSet"),
    ],
)
def test_only_instructors_read_statistics(
    stats_client: TestClient,
    people: People,
    token: str | None,
    problem_set: str,
    status: int,
    error: str,
) -> None:
    created(stats_client, people.alice, {"q3.a": "108"}, HW5)
    tokens = {"alice": people.alice, "instructor": people.instructor, "nope": "nope"}
    headers = People.auth(tokens[token]) if token else {}
    response = stats_client.get(f"{API}/problem-sets/{problem_set}/stats", headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == error
