"""What the student routes read and write; a token appears only in the answer that creates it."""

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from app.db.models import User

MAX_NAME_CHARS = 200
# Line breaks would split a name in rosters and logs; surrogates cannot be stored; bidi
# controls would make one name display as another in an instructor's list.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def control_problem(text: str) -> str | None:
    """What makes the text unusable as a name or login, or None when it is plain."""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in REFUSED_CATEGORIES or char in BIDI_CONTROLS:
            return f"holds a control character ({ascii(char)}) at position {position}"
    return None


def _plain_text(text: str) -> str:
    problem = control_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _none_if_empty(text: str) -> str | None:
    return text or None


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS),
    AfterValidator(_plain_text),
]

# The same characters as a name; a blank login is no login.
Login = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_NAME_CHARS),
    AfterValidator(_plain_text),
    AfterValidator(_none_if_empty),
]


def name_problem(error: ValidationError, *, what: str | None = None) -> str:
    """What is wrong with a name or a login, in words for whoever typed it."""
    problem = error.errors()[0]
    if what is None:
        what = "the login" if problem["loc"][:1] == ("login",) else "the name"
    if problem["type"] == "string_too_short":
        return f"{what} is empty"
    if problem["type"] == "string_too_long":
        return f"{what} is longer than {MAX_NAME_CHARS} characters"
    if problem["type"] == "string_type":
        return f"{what} is not text"
    if problem["type"] == "string_unicode":
        return f"{what} holds a lone surrogate, which is not valid Unicode"
    return f"{what} " + str(problem["msg"]).removeprefix("Value error, ")


class InstructorCreate(BaseModel):
    """An instructor created from the command line."""

    name: Name


class StudentBase(BaseModel):
    """A student as an instructor names them."""

    name: Name
    login: Login | None = None
    """The student's id in the course's own records (SIS login, e-mail); unique."""


class StudentCreate(StudentBase):
    """The body of POST /students."""

    model_config = ConfigDict(extra="forbid")


class StudentPublic(StudentBase):
    """A student as an instructor sees them: never with a token."""

    id: str
    created_at: datetime
    revoked: bool

    @classmethod
    def of(cls, user: User) -> "StudentPublic":
        """The public view of a stored user."""
        return cls(
            id=user.id,
            name=user.name,
            login=user.login,
            created_at=user.created_at,
            revoked=user.revoked_at is not None,
        )


class StudentIssued(StudentPublic):
    """A student just created or given a new token, with the only copy of it."""

    token: str

    @classmethod
    def of_new(cls, user: User, token: str) -> "StudentIssued":
        """The view of a user just given this token."""
        return cls(**StudentPublic.of(user).model_dump(), token=token)


class StudentList(BaseModel):
    """Every student, oldest first."""

    students: list[StudentPublic]


class StudentsImported(BaseModel):
    """The students an import created, in roster order, each with their token."""

    students: list[StudentIssued]
