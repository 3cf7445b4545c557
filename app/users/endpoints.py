"""Instructors manage students: create one, import a roster, list them, give a new token or
revoke one."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from app.deps import Instructor, JsonBody, SessionDep
from app.errors import UnsupportedMediaType
from app.users import service
from app.users.roster import parse_roster
from app.users.schemas import (
    StudentCreate,
    StudentIssued,
    StudentList,
    StudentPublic,
    StudentsImported,
)

CSV_MEDIA_TYPE = "text/csv"
UTF8_NAMES = frozenset({"utf-8", "utf8"})

router = APIRouter(prefix="/students", tags=["students"])


async def read_csv_body(request: Request) -> bytes:
    """The raw body of a `text/csv` request in UTF-8; anything else is refused with 415."""
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != CSV_MEDIA_TYPE:
        raise UnsupportedMediaType("Send the roster as CSV with Content-Type: text/csv.")
    charset = _charset(parameters)
    if charset is not None and charset not in UTF8_NAMES:
        raise UnsupportedMediaType(
            "Send the roster in UTF-8 (Content-Type: text/csv; charset=utf-8)."
        )
    return await request.body()


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


# Declared as parameters after the caller, so that a missing token is reported before a bad body.
JsonRequest = Annotated[None, JsonBody]
CsvBody = Annotated[bytes, Depends(read_csv_body)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_student(
    _: Instructor, __: JsonRequest, student: StudentCreate, session: SessionDep
) -> StudentIssued:
    """Create a student; the token is in this response and nowhere else."""
    issued = service.create_student(session, student)
    return StudentIssued.of_new(issued.user, issued.token)


# The body is read raw, so OpenAPI is told about it here.
ROSTER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            CSV_MEDIA_TYPE: {
                "schema": {"type": "string", "example": "name,login\nAda Lovelace,ada\n"}
            }
        },
    }
}


@router.post("/import", status_code=status.HTTP_201_CREATED, openapi_extra=ROSTER_BODY)
def import_students(_: Instructor, body: CsvBody, session: SessionDep) -> StudentsImported:
    """Create every student of a CSV roster (a `name` column, optionally `login`), or none."""
    entries = parse_roster(body)
    students = [entry.student for entry in entries]
    issued = service.import_students(session, students, rows=[entry.row for entry in entries])
    return StudentsImported(students=[StudentIssued.of_new(i.user, i.token) for i in issued])


@router.get("")
def list_students(_: Instructor, session: SessionDep) -> StudentList:
    """Every student, revoked or not, without tokens."""
    return StudentList(students=[StudentPublic.of(user) for user in service.list_students(session)])


@router.post("/{student_id}/revoke")
def revoke_student(_: Instructor, student_id: str, session: SessionDep) -> StudentPublic:
    """Revoke a student's token: every later request with it gets 401."""
    return StudentPublic.of(service.revoke_student(session, student_id))


@router.post("/{student_id}/token")
def reissue_token(_: Instructor, student_id: str, session: SessionDep) -> StudentIssued:
    """A new token for a student, in this response only; the old one gets 401 from now on."""
    issued = service.reissue_token(session, student_id)
    return StudentIssued.of_new(issued.user, issued.token)
