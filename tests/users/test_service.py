"""Authentication, issuing and revoking tokens, and the command-line instructor."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.engine import create_db_engine, session_factory
from app.db.models import Role, User
from app.errors import InvalidRequest, NotFound, Unauthorized
from app.users import service
from app.users.schemas import StudentCreate
from app.users.tokens import token_hash


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer    ",
        "Token abc",
        "Basic YWxpY2U6cHc=",
        "Bearer unknown",
        "Bearer \x00",
    ],
)
def test_authenticate_refuses_missing_and_unknown_tokens(
    session: Session, header: str | None
) -> None:
    service.issue(session, name="alice", role=Role.STUDENT)
    with pytest.raises(Unauthorized):
        service.authenticate(session, header)


def test_authenticate_accepts_the_scheme_in_any_case(session: Session) -> None:
    issued = service.issue(session, name="alice", role=Role.STUDENT)
    for scheme in ("Bearer", "bearer", "BEARER"):
        assert service.authenticate(session, f"{scheme} {issued.token}") is issued.user


def test_a_revoked_token_no_longer_authenticates(session: Session) -> None:
    issued = service.issue(session, name="alice", role=Role.STUDENT)
    service.revoke_student(session, issued.user.id)
    with pytest.raises(Unauthorized, match="revoked"):
        service.authenticate(session, f"Bearer {issued.token}")


def test_revoking_twice_keeps_the_first_time(session: Session) -> None:
    student = service.issue(session, name="alice", role=Role.STUDENT).user
    first = service.revoke_student(session, student.id).revoked_at
    assert first is not None
    assert service.revoke_student(session, student.id.upper()).revoked_at == first


@pytest.mark.parametrize("student_id", ["", "nope", "\x00", "{" + "0" * 10_000 + "}", "instructor"])
def test_revoke_finds_only_students(session: Session, student_id: str) -> None:
    instructor = service.issue(session, name="instructor", role=Role.INSTRUCTOR).user
    with pytest.raises(NotFound):
        service.revoke_student(session, instructor.id if student_id == "instructor" else student_id)
    assert instructor.revoked_at is None


def test_import_students_stores_only_hashes_in_roster_order(session: Session) -> None:
    roster = [StudentCreate(name=name) for name in ("Ada", "Grace", "Ada")]
    issued = service.import_students(session, roster)
    assert [each.user.name for each in issued] == ["Ada", "Grace", "Ada"]
    assert len({each.token for each in issued}) == 3
    for each in issued:
        assert each.user.token_hash == token_hash(each.token) != each.token
        assert service.authenticate(session, f"Bearer {each.token}").id == each.user.id
    listed = {user.id for user in service.list_students(session)}
    assert {each.user.id for each in issued} <= listed


def test_create_instructor_migrates_and_returns_a_working_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "fresh")
    token = service.create_instructor(settings, "  Prof. Ng  ")
    second = service.create_instructor(settings, "Prof. Ng")
    assert token != second
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as session:
            user = service.authenticate(session, f"Bearer {token}")
            assert (user.name, user.role) == ("Prof. Ng", Role.INSTRUCTOR.value)
            assert session.scalar(select(func.count()).select_from(User)) == 2
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", ["", "   ", "a" * 201, "bad\nname", "\u202eevil"])
def test_create_instructor_refuses_bad_names_before_touching_the_database(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(InvalidRequest, match="cannot be used"):
        service.create_instructor(Settings(data_dir=tmp_path), name)
    assert list(tmp_path.iterdir()) == []
