"""The grade book of a problem set as a table: a row per student, a column per question."""

from sqlalchemy.orm import Session

from app.gradebook.counting import CountedScores, counted_field_scores
from app.gradebook.schemas import Gradebook, GradebookRow, QuestionColumn
from app.problemsets.compiled import CompiledProblemSet
from app.problemsets.schema import ProblemSetDef
from app.services import Services


def build(services: Services, session: Session, problem_set: str) -> Gradebook:
    """Every student (revoked ones marked), by name then id, with the score of each question
    under the problem set's policy and late factors; the questions add up to the total."""
    definition = services.catalog.definition(problem_set)
    questions = _columns(definition, services.catalog.compiled(problem_set))
    counted = counted_field_scores(services, session, problem_set).values()
    # Sorted here, not by the database: collations differ, and the order must not.
    rows = sorted((_row(entry, questions) for entry in counted), key=_by_name)
    return Gradebook(
        problem_set=problem_set,
        title=definition.title,
        counts=definition.policy.score,
        questions=questions,
        max_total=round(sum(question.points for question in questions), 6),
        rows=rows,
    )


def _columns(definition: ProblemSetDef, compiled: CompiledProblemSet) -> list[QuestionColumn]:
    return [
        QuestionColumn(
            id=question.id,
            title=question.title,
            points=round(sum(compiled.fields[field.id].max_score for field in question.fields), 6),
        )
        for question in definition.questions
    ]


def _row(entry: CountedScores, questions: list[QuestionColumn]) -> GradebookRow:
    student = entry.student
    return GradebookRow(
        student_id=student.id,
        name=student.name,
        login=student.login,
        revoked=student.revoked_at is not None,
        scores={question.id: entry.questions.get(question.id) for question in questions},
        total=entry.total,
        late=entry.late,
        submitted_at=entry.submitted_at,
        overridden=list(entry.overridden),
    )


def _by_name(row: GradebookRow) -> tuple[str, str]:
    return (row.name, row.student_id)
