"""Who is signed in, CSRF checks, and the route class that answers pages' failures in HTML.

A page takes `user: WebUser` (any signed-in user) or `WebInstructor`; a route that changes
something takes `CsrfUser`, which also checks the CSRF token (hidden input `csrf` in a form,
header `X-CSRF-Token` from the page's script) and the Origin header. A route that the API and
the pages' script share (uploads) takes `Caller`: a bearer token, or a page as `CsrfUser`.
"""

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from app.config import Settings
from app.db.models import User
from app.deps import ServicesDep, SessionDep, get_current_user, get_services
from app.errors import DomainError, InvalidRequest, Unauthorized
from app.services import Services
from app.users.service import BEARER, authenticate, require_instructor
from app.web.security import check_csrf, check_origin, csrf_token, secret_key
from app.web.templating import render

COOKIE = "dlgrade_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SIGN_IN_PATH = "/"
# Tokens are 43 characters; a longer cookie is not one of ours and never reaches a query.
MAX_TOKEN_CHARS = 200
SESSION_DAYS = 14
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SignInRequired(Unauthorized):
    """No valid session cookie: a page sends the browser to the sign-in page."""


def session_token(request: Request) -> str | None:
    """The token in the session cookie, if it could be one."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return token


def get_web_user(request: Request, services: ServicesDep, session: SessionDep) -> User:
    """The signed-in user, from the session cookie; their CSRF token goes to the page."""
    token = session_token(request)
    if token is None:
        raise SignInRequired("Sign in with the token your instructor gave you.")
    try:
        user = authenticate(session, f"{BEARER} {token}")
    except Unauthorized:
        raise SignInRequired("Your session has ended; sign in again.") from None
    # End the read transaction now, as the API does: grading must hold no database lock.
    session.commit()
    request.state.web_user = user
    request.state.csrf = csrf_token(secret_key(services.settings), token)
    return user


WebUser = Annotated[User, Depends(get_web_user)]


def get_web_instructor(user: WebUser) -> User:
    """The signed-in user, who must be an instructor."""
    return require_instructor(user)


WebInstructor = Annotated[User, Depends(get_web_instructor)]


async def check_request(
    request: Request, services: ServicesDep, user: WebUser
) -> AsyncIterator[User]:
    """The signed-in user, once the request has shown their CSRF token and no other origin."""
    async with _closing_form(request):
        await _check_csrf(request, services)
        yield user


CsrfUser = Annotated[User, Depends(check_request, scope="function")]


async def get_caller(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> AsyncIterator[User]:
    """The caller of a route that API clients and the pages share: their bearer token, or a
    signed-in page that shows its CSRF token."""
    if authorization is not None or session_token(request) is None:
        yield await run_in_threadpool(get_current_user, session, authorization)
        return
    user = await run_in_threadpool(get_web_user, request, services, session)
    async with _closing_form(request):
        await _check_csrf(request, services)
        yield user


# Take `user: Caller` on a route the pages' script calls as it is (uploads).
Caller = Annotated[User, Depends(get_caller, scope="function")]


class PageRoute(APIRoute):
    """A page's route: a failure is an HTML page (signed out: the sign-in page), not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped so that its failures are rendered as pages."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return signed_out(get_services(request).settings)
            except DomainError as error:
                return error_page(request, error)
            except RequestValidationError:
                return error_page(request, InvalidRequest(NOT_READABLE))

        return page_handler


NOT_READABLE = "This address or form is not one the service can read."


def signed_out(settings: Settings) -> RedirectResponse:
    """Back to the sign-in page, forgetting a cookie that no longer signs anyone in."""
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    clear_session(response, settings)
    return response


def keep_session(response: Response, token: str, settings: Settings) -> None:
    """Set the session cookie: the token, out of scripts' reach, sent to this site only."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_DAYS * 24 * 3600,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_session(response: Response, settings: Settings) -> None:
    """Remove the session cookie (with the attributes it was set with, as browsers ask)."""
    response.delete_cookie(
        COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="strict"
    )


def error_page(request: Request, error: DomainError) -> Response:
    """A domain error as a page, with its status and headers (Retry-After)."""
    response = render(request, "error.html", {"error": error}, status_code=error.status)
    response.headers.update(error.headers)
    return response


async def _check_csrf(request: Request, services: Services) -> None:
    check_origin(request.headers.get("origin"), request.headers.get("host"))
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _media_type(request) in FORM_TYPES:
        # Starlette keeps the parsed form, so the route reads the same one afterwards.
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    check_csrf(secret_key(services.settings), session_token(request) or "", sent)


@asynccontextmanager
async def _closing_form(request: Request) -> AsyncIterator[None]:
    # A form read for its CSRF token may have spooled files, and a refused request has no
    # route to close them.
    try:
        yield
    finally:
        await request.close()


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()
