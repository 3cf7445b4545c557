"""The student pages: the problem sets, one problem set to answer, one graded submission."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse

from app.deps import ServicesDep, SessionDep
from app.errors import DomainError, InvalidSubmission, UnknownProblemSet
from app.problemsets.endpoints import ProblemSetId
from app.submissions import service as submissions
from app.submissions.endpoints import ID_PATTERN
from app.web import forms, regrade_requests, service
from app.web.deps import CsrfUser, PageRoute, WebUser
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ANSWER_PREFIX = "answer:"
NOTHING_TYPED = "Type at least one answer before submitting."
UPLOAD_FORM = {"architecture": forms.ARCHITECTURE, "options": forms.OPTIONS, "claims": forms.CLAIMS}


async def typed_answers(request: Request) -> dict[str, str]:
    """The answer boxes of the submitted form that hold something, by field id."""
    form = await request.form()
    return {
        key.removeprefix(ANSWER_PREFIX): value
        for key, value in form.multi_items()
        if key.startswith(ANSWER_PREFIX) and isinstance(value, str) and value.strip()
    }


TypedAnswers = Annotated[dict[str, str], Depends(typed_answers)]


@router.get("/sets")
def problem_sets(
    request: Request, services: ServicesDep, session: SessionDep, user: WebUser
) -> Response:
    """Every problem set, with its due time and what counts so far."""
    rows = service.set_rows(services, session, user)
    return render(request, "sets.html", {"rows": rows})


@router.get("/sets/{problem_set}")
def problem_set(
    request: Request,
    problem_set: ProblemSetId,
    services: ServicesDep,
    session: SessionDep,
    user: WebUser,
) -> Response:
    """The questions with an answer box per field, model uploads, and earlier attempts."""
    page = service.set_page(services, session, user, problem_set)
    return render(request, "set.html", {"page": page, "error": None, "upload": UPLOAD_FORM})


@router.post("/sets/{problem_set}/submissions")
def submit(
    request: Request,
    problem_set: ProblemSetId,
    answers: TypedAnswers,
    services: ServicesDep,
    session: SessionDep,
    user: CsrfUser,
) -> Response:
    """Grade and store the typed answers, then show them graded; a refusal keeps what was typed."""
    try:
        if not answers:
            raise InvalidSubmission(NOTHING_TYPED)
        services.limiter.hit("submissions", user.id)
        stored = submissions.submit(services, session, user, problem_set, answers)
    except UnknownProblemSet:
        raise
    except DomainError as error:
        page = service.set_page(services, session, user, problem_set, typed=answers)
        context = {"page": page, "error": error, "upload": UPLOAD_FORM}
        response = render(request, "set.html", context, status_code=error.status)
        response.headers.update(error.headers)
        return response
    return RedirectResponse(f"/submissions/{stored.submission_id}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission(
    request: Request,
    submission_id: Annotated[str, Path(pattern=ID_PATTERN)],
    services: ServicesDep,
    session: SessionDep,
    user: WebUser,
) -> Response:
    """One graded submission: per answer the verdict, score, feedback and how it was read."""
    view = service.submission_view(services, session, user, submission_id)
    regrade = regrade_requests.block(services, session, user, submission_id)
    return render(request, "submission.html", {"view": view, "regrade": regrade})
