"""Authentication, issuing, re-issuing and revoking tokens, and the command-line instructor."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.engine import create_db_engine, session_factory
from app.db.models import Role, User
from app.errors import InvalidRequest, NotFound, Unauthorized
from app.users import repository, service
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


def student(session: Session, name: str, login: str | None = None) -> User:
    return service.issue(session, name=name, role=Role.STUDENT, login=login).user


def test_import_students_stores_logins_and_refuses_a_taken_one(session: Session) -> None:
    student(session, "Taken", "taken")
    roster = [StudentCreate(name="Ada", login="ada"), StudentCreate(name="Bo", login="taken")]
    before = session.scalar(select(func.count()).select_from(User))
    with pytest.raises(InvalidRequest) as caught:
        service.import_students(session, roster, rows=[7, 9])
    assert caught.value.fields == ["row 9"]
    assert "taken" in caught.value.detail and "another user" in caught.value.detail
    assert session.scalar(select(func.count()).select_from(User)) == before
    issued = service.import_students(session, roster[:1])
    assert issued[0].user.login == "ada"


def test_import_students_refuses_one_login_twice(session: Session) -> None:
    roster = [StudentCreate(name=n, login="same") for n in ("Ada", "Bo")]
    with pytest.raises(InvalidRequest) as caught:
        service.import_students(session, roster)
    assert caught.value.fields == ["row 2"]
    assert "earlier row" in caught.value.detail
    assert repository.by_logins(session, ["same"]) == {}


def test_by_logins_finds_every_role_across_many_logins(session: Session) -> None:
    instructor = service.issue(session, name="prof", role=Role.INSTRUCTOR, login="prof").user
    logins = [f"s{i}@example.org" for i in range(repository.IN_CHUNK * 2 + 1)]
    service.import_students(session, [StudentCreate(name="x", login=login) for login in logins])
    found = repository.by_logins(session, [*logins, "prof", "nobody", "S0@example.org"])
    assert set(found) == {*logins, "prof"}
    assert found["prof"] is instructor
    assert all(found[login].login == login for login in logins)
    assert repository.by_logins(session, []) == {}


def test_students_by_key_matches_login_then_id_then_a_unique_name(session: Session) -> None:
    ada = student(session, "Ada Lovelace", "ada")
    grace = student(session, "Grace Hopper", "Ada Lovelace")
    alan = student(session, "Alan Turing")
    twins = [student(session, "Sam"), student(session, "Sam")]
    instructor = service.issue(session, name="Prof", role=Role.INSTRUCTOR, login="prof").user
    keys = {
        "ada": ada,
        "Ada Lovelace": grace,
        alan.id: alan,
        alan.id.upper(): alan,
        "{" + alan.id + "}": alan,
        alan.id.replace("-", ""): alan,
        "Alan Turing": alan,
        "Grace Hopper": grace,
    }
    unmatched = ["Sam", "prof", "Prof", instructor.id, "nobody", "alan turing", "ADA"]
    match = service.students_by_key(session, [*keys, *unmatched])
    assert match.found == keys
    assert match.ambiguous == {"Sam"}
    assert all(user.role == Role.STUDENT.value for user in twins)


@pytest.mark.parametrize(
    "key",
    ["", "a\x00b", "\x00", "x" * 201, "x" * 100_000, "Eve\u202e", "' OR 1=1 --", "%", "_"],
)
def test_students_by_key_never_matches_hostile_keys(session: Session, key: str) -> None:
    student(session, "Eve", "eve")
    student(session, "' OR 1=1 -")
    match = service.students_by_key(session, [key, "eve"])
    assert set(match.found) == {"eve"} and match.ambiguous == set()


def test_students_by_key_resolves_more_keys_than_one_query_holds(session: Session) -> None:
    roster = [StudentCreate(name=f"name {i}") for i in range(repository.IN_CHUNK + 10)]
    issued = service.import_students(session, roster)
    keys = [each.user.name for each in issued[::2]] + [each.user.id for each in issued[1::2]]
    match = service.students_by_key(session, keys)
    assert {key: user.id for key, user in match.found.items()} == {
        **{each.user.name: each.user.id for each in issued[::2]},
        **{each.user.id: each.user.id for each in issued[1::2]},
    }


def test_reissue_token_replaces_the_old_token_at_once(session: Session) -> None:
    issued = service.issue(session, name="alice", role=Role.STUDENT)
    again = service.reissue_token(session, issued.user.id.upper())
    assert again.user is issued.user and again.token != issued.token
    assert issued.user.token_hash == token_hash(again.token)
    assert service.authenticate(session, f"Bearer {again.token}") is issued.user
    with pytest.raises(Unauthorized):
        service.authenticate(session, f"Bearer {issued.token}")


def test_reissue_token_refuses_a_revoked_student_and_changes_nothing(session: Session) -> None:
    issued = service.issue(session, name="alice", role=Role.STUDENT)
    revoked_at = service.revoke_student(session, issued.user.id).revoked_at
    digest = issued.user.token_hash
    with pytest.raises(InvalidRequest, match="was revoked"):
        service.reissue_token(session, issued.user.id)
    assert (issued.user.token_hash, issued.user.revoked_at) == (digest, revoked_at)


@pytest.mark.parametrize("student_id", ["", "nope", "\x00", "{" + "0" * 10_000 + "}", "instructor"])
def test_reissue_token_finds_only_students(session: Session, student_id: str) -> None:
    instructor = service.issue(session, name="instructor", role=Role.INSTRUCTOR)
    digest = instructor.user.token_hash
    with pytest.raises(NotFound):
        service.reissue_token(
            session, instructor.user.id if student_id == "instructor" else student_id
        )
    assert instructor.user.token_hash == digest
    assert service.authenticate(session, f"Bearer {instructor.token}") is instructor.user
