"""Signing in with the token an instructor gave, and signing out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from app.deps import ServicesDep, SessionDep
from app.errors import RateLimited, Unauthorized
from app.users.service import BEARER, authenticate
from app.web.deps import (
    MAX_TOKEN_CHARS,
    CsrfUser,
    PageRoute,
    SignInRequired,
    clear_session,
    get_web_user,
    keep_session,
)
from app.web.security import check_origin
from app.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

HOME_PATH = "/sets"
# Says nothing of why: an unknown token and a revoked one read the same.
NOT_ACCEPTED = "That token was not accepted. Check it, or ask your instructor for a new one."


@router.get("/")
def sign_in_page(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """The sign-in form; someone already signed in goes on to their problem sets."""
    try:
        get_web_user(request, services, session)
    except SignInRequired:
        return render(request, "signin.html", {"message": None})
    return RedirectResponse(HOME_PATH, status_code=303)


@router.post("/signin")
def sign_in(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
) -> Response:
    """Check the token and keep it in the session cookie; a bad one shows the form again."""
    check_origin(request.headers.get("origin"), request.headers.get("host"))
    client = request.client.host if request.client else "unknown"
    try:
        services.limiter.hit("signin", client)
    except RateLimited as error:
        return _again(request, error.detail, error.status, error.headers)
    token = token.strip()
    try:
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise Unauthorized(NOT_ACCEPTED)
        authenticate(session, f"{BEARER} {token}")
    except Unauthorized:
        return _again(request, NOT_ACCEPTED, Unauthorized.status)
    response = RedirectResponse(HOME_PATH, status_code=303)
    keep_session(response, token, services.settings)
    return response


@router.post("/signout")
def sign_out(services: ServicesDep, _user: CsrfUser) -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/", status_code=303)
    clear_session(response, services.settings)
    return response


def _again(
    request: Request, message: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    response = render(request, "signin.html", {"message": message}, status_code=status)
    response.headers.update(headers or {})
    return response
