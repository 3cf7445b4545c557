"""Statistics to render, built directly: a full one with hostile student text, an empty problem
set, and the states in between."""

from app.grading.result import Verdict
from app.stats.schemas import (
    CheckpointStats,
    Distribution,
    FieldStats,
    Histogram,
    ProblemSetStats,
    WrongAnswer,
)

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
# Student text that must come out as text: markup, an entity, a bidi override, a control byte.
HOSTILE_ANSWERS = [
    SCRIPT,
    ATTRIBUTE_BREAKOUT,
    "</td></tr></table><a href=https://evil.example/>x</a>",
    "&lt;b&gt; &amp;",
    "\u202eevil\u202c",
    "{{ 7 * 7 }} {% raw %}",
]
TOTAL_COUNTS = [0, 1, 0, 0, 2, 3, 0, 5, 1, 1]
ACCURACY_COUNTS = [0, 0, 0, 0, 0, 0, 1, 3, 4, 1]


def histogram(counts: list[int], *, upper: float) -> Histogram:
    """Equal bins over [0, upper] holding these counts."""
    edges = [upper * index / len(counts) for index in range(len(counts) + 1)]
    return Histogram(edges=edges, counts=counts)


def spread(counts: list[int], *, upper: float, mean: float, median: float) -> Distribution:
    """A distribution with this histogram; extremes at the first and last non-empty bins' edges."""
    shape = histogram(counts, upper=upper)
    filled = [index for index, count in enumerate(counts) if count]
    return Distribution(
        count=sum(counts),
        mean=mean,
        median=median,
        minimum=shape.edges[filled[0]],
        maximum=shape.edges[filled[-1] + 1],
        histogram=shape,
    )


def nothing(*, upper: float) -> Distribution:
    """The distribution of no numbers."""
    empty = histogram([0] * 10, upper=upper)
    return Distribution(
        count=0, mean=None, median=None, minimum=None, maximum=None, histogram=empty
    )


def wrong(
    answer: str, count: int, *, verdict: Verdict = Verdict.INCORRECT, note: str | None = None
) -> WrongAnswer:
    return WrongAnswer(
        answer=answer, verdict=verdict, note=note, feedback=f"About {answer}", count=count
    )


FIELDS = [
    FieldStats(
        field="q1.a",
        max_score=5,
        answered=13,
        shares={
            Verdict.CORRECT: 0.5,
            Verdict.PARTIAL: 0.125,
            Verdict.INCORRECT: 0.25,
            Verdict.INVALID: 0.125,
        },
        mean_score=3.125,
        common_wrong=[
            wrong(SCRIPT, 3, note="transposed"),
            wrong(ATTRIBUTE_BREAKOUT, 2, verdict=Verdict.INVALID),
            *[wrong(text, 1, verdict=Verdict.PARTIAL, note=text) for text in HOSTILE_ANSWERS[2:]],
        ],
    ),
    FieldStats(
        field="q1.b.W_h",
        max_score=2.5,
        answered=12,
        shares={Verdict.CORRECT: 1 / 3, Verdict.INCORRECT: 2 / 3},
        mean_score=2.5 / 3,
        common_wrong=[wrong("50 \\times 10", 8, note="column-convention")],
    ),
    FieldStats(
        field="q2.total", max_score=10, answered=0, shares={}, mean_score=None, common_wrong=[]
    ),
    FieldStats(
        field="q3.c",
        max_score=1,
        answered=4,
        shares={Verdict.CORRECT: 1.0},
        mean_score=1.0,
        common_wrong=[],
    ),
]


def full() -> ProblemSetStats:
    """Thirteen students, four fields (one never answered), one model field."""
    return ProblemSetStats(
        problem_set="dl-ex1",
        title="Exercise 1 <i>backprop</i>",
        counts="latest",
        students=sum(TOTAL_COUNTS),
        max_total=100,
        totals=spread(TOTAL_COUNTS, upper=100, mean=65.4, median=70),
        fields=FIELDS,
        checkpoints=[
            CheckpointStats(
                field="q4.model",
                accuracy=spread(ACCURACY_COUNTS, upper=1, mean=0.8512, median=0.86),
            ),
            CheckpointStats(field="q5.model", accuracy=nothing(upper=1)),
        ],
    )


def empty() -> ProblemSetStats:
    """A problem set with no fields and no students."""
    return ProblemSetStats(
        problem_set="empty",
        title="Empty",
        counts="best",
        students=0,
        max_total=0,
        totals=nothing(upper=0),
        fields=[],
        checkpoints=[],
    )


def unanswered() -> ProblemSetStats:
    """Fields and a model field, but nobody has submitted anything."""
    stats = full()
    fields = [
        field.model_copy(
            update={"answered": 0, "shares": {}, "mean_score": None, "common_wrong": []}
        )
        for field in stats.fields
    ]
    checkpoints = [CheckpointStats(field="q4.model", accuracy=nothing(upper=1))]
    return stats.model_copy(
        update={
            "students": 0,
            "totals": nothing(upper=100),
            "fields": fields,
            "checkpoints": checkpoints,
        }
    )


def odd_field_ids() -> ProblemSetStats:
    """Field ids that mean something to mathtext and to markup, in the charts' labels."""
    stats = full()
    ids = ["q$1$", "q<2>&amp;", "q_" + "x" * 80, "q\\frac{1}{2}"]
    fields = [
        field.model_copy(update={"field": name})
        for field, name in zip(stats.fields, ids, strict=True)
    ]
    return stats.model_copy(update={"fields": fields, "problem_set": "odd"})


def worth_nothing() -> ProblemSetStats:
    """Students graded on a problem set worth no points: every bin is empty of width."""
    stats = full()
    totals = spread([0] * 9 + [2], upper=0, mean=0, median=0)
    return stats.model_copy(update={"students": 2, "max_total": 0, "totals": totals})


CASES = {
    "full": full,
    "empty": empty,
    "unanswered": unanswered,
    "odd field ids": odd_field_ids,
    "worth nothing": worth_nothing,
}
