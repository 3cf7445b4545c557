"""The instructor pages' guard for requests that change something: an instructor's session
that showed its CSRF token (app/web/deps.py checks the token and the Origin header)."""

from typing import Annotated

from fastapi import Depends

from app.db.models import User
from app.users.service import require_instructor
from app.web.deps import CsrfUser


def csrf_instructor(user: CsrfUser) -> User:
    """The signed-in instructor, once the request has shown their CSRF token."""
    return require_instructor(user)


CsrfInstructor = Annotated[User, Depends(csrf_instructor)]
