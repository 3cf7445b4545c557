"""Student management over HTTP: who may call it, what it accepts, and that refusals change nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Role, User
from app.users.roster import MAX_ROWS
from tests.conftest import CountRows, People, error_body

STUDENTS = "/api/v1/students"
CSV = {"Content-Type": "text/csv"}
PUBLIC_KEYS = {"id", "name", "login", "created_at", "revoked"}


def create(client: TestClient, people: People, body: Any, **kwargs: Any) -> Any:
    return client.post(STUDENTS, json=body, headers=people.auth(people.instructor), **kwargs)


def upload(client: TestClient, people: People, body: bytes, headers: dict[str, str] = CSV) -> Any:
    headers = {**people.auth(people.instructor), **headers}
    return client.post(f"{STUDENTS}/import", content=body, headers=headers)


def signs_in(client: TestClient, token: str) -> bool:
    """Whether a token is accepted."""
    return client.get("/api/v1/problem-sets", headers=People.auth(token)).status_code == 200


def instructor_id(session: Session) -> str:
    return session.scalars(select(User.id).where(User.role == Role.INSTRUCTOR.value)).first() or ""


# Every student-management route, called with a body it would accept from an instructor.
ROUTES = [
    ("POST", STUDENTS, {"json": {"name": "Mallory"}}),
    ("POST", f"{STUDENTS}/import", {"content": b"name\nMallory\n", "headers": CSV}),
    ("GET", STUDENTS, {}),
    ("POST", f"{STUDENTS}/{{bob_id}}/revoke", {}),
    ("POST", f"{STUDENTS}/{{bob_id}}/token", {}),
]


def call(
    client: TestClient, people: People, route: tuple[str, str, dict[str, Any]], auth: dict[str, str]
) -> Any:
    method, path, kwargs = route
    headers = {**kwargs.get("headers", {}), **auth}
    options = {key: value for key, value in kwargs.items() if key != "headers"}
    return client.request(method, path.format(bob_id=people.bob_id), headers=headers, **options)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("nobody", 401),
        ("garbage", 401),
        ("basic", 401),
        ("student", 403),
        ("revoked student", 401),
    ],
)
def test_only_instructors_manage_students(
    client: TestClient,
    people: People,
    row_counts: CountRows,
    route: tuple[str, str, dict[str, Any]],
    who: str,
    status: int,
) -> None:
    revoked = client.post(
        f"{STUDENTS}/{people.alice_id}/revoke", headers=people.auth(people.instructor)
    )
    assert revoked.status_code == 200
    auth = {
        "nobody": {},
        "garbage": people.auth("not-a-token"),
        "basic": {"Authorization": f"Basic {people.instructor}"},
        "student": people.auth(people.bob),
        "revoked student": people.auth(people.alice),
    }[who]
    before = row_counts()
    response = call(client, people, route, auth)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "detail"}
    assert row_counts() == before
    still_active = client.get(STUDENTS, headers=people.auth(people.instructor)).json()["students"]
    ours = {people.alice_id, people.bob_id}
    revoked_flags = {s["name"]: s["revoked"] for s in still_active if s["id"] in ours}
    assert revoked_flags == {"alice": True, "bob": False}
    assert signs_in(client, people.bob) and signs_in(client, people.instructor)


def test_create_student_returns_the_token_once(client: TestClient, people: People) -> None:
    response = create(client, people, {"name": "  Zoë Ångström  "})
    assert response.status_code == 201, response.text
    student = response.json()
    assert set(student) == PUBLIC_KEYS | {"token"}
    assert student["name"] == "Zoë Ångström"
    assert student["revoked"] is False
    # The new token is a valid student token: refused as a student (403), not as unknown (401).
    assert client.get(STUDENTS, headers=people.auth(student["token"])).status_code == 403
    listed = client.get(STUDENTS, headers=people.auth(people.instructor)).json()["students"]
    assert {"name": "Zoë Ångström", "id": student["id"]}.items() <= listed[-1].items()
    assert all(set(entry) == PUBLIC_KEYS for entry in listed)


@pytest.mark.parametrize(
    "name",
    [
        "a" * 200,
        "李小龙",
        'O\'Brien "Bo"',
        "Robert'); DROP TABLE users;--",
        "<script>x</script>",
        "Zoë\u200cX",
    ],
)
def test_create_student_keeps_unusual_names_as_typed(
    client: TestClient, people: People, name: str
) -> None:
    response = create(client, people, {"name": name})
    assert response.status_code == 201, response.text
    listed = client.get(STUDENTS, headers=people.auth(people.instructor)).json()["students"]
    assert listed[-1]["name"] == name


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"name": ""}', 422),
        (b'{"name": "   "}', 422),
        (b'{"name": "' + b"a" * 201 + b'"}', 422),
        (b'{"name": "a\\u0000b"}', 422),
        (b'{"name": "line\\nbreak"}', 422),
        (b'{"name": "tab\\there"}', 422),
        (b'{"name": "Eve\\u202eevE"}', 422),
        (b'{"name": "\\ud800"}', 422),
        (b'{"name": "\\udfff"}', 422),
        (b'{"name": "Ada\\ud83d"}', 422),
        (b'{"name": "x", "\\udfff": 1}', 422),
        (b'{"name": "x", "\\u202e": 1}', 422),
        (b'{"name": "x", "login": "\\udfff"}', 422),
        (b'{"name": "a\\u2028b"}', 422),
        (b'{"name": 5}', 422),
        (b'{"name": null}', 422),
        (b'{"name": ["a"]}', 422),
        (b'{"name": "x", "role": "instructor"}', 422),
        (b'{"name": "x", "login": "a\\u0000b"}', 422),
        (b'{"name": "x", "login": "ada\\u202e"}', 422),
        (b'{"name": "x", "login": "' + b"a" * 201 + b'"}', 422),
        (b'{"name": "x", "login": 5}', 422),
        (b'{"name": "x", "login": ["a"]}', 422),
        (b"{}", 422),
        (b"[]", 422),
        (b'{"name": "x"', 422),
        (b"", 422),
        (b'{"name": "' + b"a" * 3_000_000 + b'"}', 413),
    ],
)
def test_create_student_refuses_bad_names(
    client: TestClient, people: People, row_counts: CountRows, content: bytes, status: int
) -> None:
    before = row_counts()
    headers = {**people.auth(people.instructor), "Content-Type": "application/json"}
    response = client.post(STUDENTS, content=content, headers=headers)
    assert response.status_code == status, response.text
    error_body(response)
    assert row_counts() == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv", ""]
)
def test_create_student_wants_json(
    client: TestClient, people: People, row_counts: CountRows, content_type: str
) -> None:
    before = row_counts()
    headers = {**people.auth(people.instructor), "Content-Type": content_type}
    response = client.post(STUDENTS, content=b'{"name": "Ada"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "UnsupportedMediaType"
    assert row_counts() == before


def test_import_creates_every_student_in_order(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    body = '\ufeffid,Name,email\r\n1,Ada Lovelace,a@x\r\n\r\n2,"Hopper, Grace",\r\n3,  李小龙 \r\n'.encode()
    response = upload(client, people, body, {"Content-Type": "text/csv; charset=UTF-8"})
    assert response.status_code == 201, response.text
    students = response.json()["students"]
    assert [s["name"] for s in students] == ["Ada Lovelace", "Hopper, Grace", "李小龙"]
    assert all(set(s) == PUBLIC_KEYS | {"token"} and not s["revoked"] for s in students)
    assert len({s["token"] for s in students}) == 3
    assert row_counts().users == before.users + 3
    for student in students:
        assert client.get(STUDENTS, headers=people.auth(student["token"])).status_code == 403
    listed = client.get(STUDENTS, headers=people.auth(people.instructor)).json()["students"]
    assert {s["id"] for s in students} <= {s["id"] for s in listed}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b'name\nAda\n"Grace\nHopper"\nAlan\n', ["row 3"]),
        (b"name\nAda\nA\x00da\n", ["row 3"]),
        (b"name\n" + b"x" * 201 + b"\n", ["row 2"]),
        (b'name\nok\n"unterminated\n', ["row 3"]),
        (b"email\nada@example.org\n", ["row 1"]),
        (b"name,name\nAda,Ada\n", ["row 1"]),
        (b"name\nAda\nCaf\xe9\n", ["line 3"]),
        ("name\nAda\n".encode("utf-16"), ["line 1"]),
        (b"name\n" + b"".join(f"s{i}\n".encode() for i in range(2_001)), []),
        (b"name\n", []),
        (b"", []),
    ],
)
def test_import_refuses_bad_rosters_and_creates_nothing(
    client: TestClient, people: People, row_counts: CountRows, body: bytes, fields: list[str]
) -> None:
    before = row_counts()
    response = upload(client, people, body)
    assert response.status_code == 422, response.text
    assert response.json().get("fields", []) == fields
    assert row_counts() == before


def test_import_refuses_a_body_over_the_limit(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    response = upload(client, people, b"name\n" + b"student\n" * 650_000)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert row_counts() == before


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "text/csv; charset=latin-1",
        "",
    ],
)
def test_import_wants_utf8_csv(
    client: TestClient, people: People, row_counts: CountRows, content_type: str
) -> None:
    before = row_counts()
    response = upload(client, people, b"name\nAda\n", {"Content-Type": content_type})
    assert response.status_code == 415
    assert response.json()["error"] == "UnsupportedMediaType"
    assert row_counts() == before


def test_list_students_shows_revocation_and_never_a_token(
    client: TestClient, people: People
) -> None:
    client.post(f"{STUDENTS}/{people.bob_id}/revoke", headers=people.auth(people.instructor))
    response = client.get(STUDENTS, headers=people.auth(people.instructor))
    assert response.status_code == 200
    ours = {people.alice_id, people.bob_id}
    students = [s for s in response.json()["students"] if s["id"] in ours]
    assert [(s["id"], s["name"], s["revoked"]) for s in students] == [
        (people.alice_id, "alice", False),
        (people.bob_id, "bob", True),
    ]
    assert people.alice not in response.text and people.bob not in response.text


def test_revoke_shuts_the_token_out_everywhere(client: TestClient, people: People) -> None:
    assert client.get("/api/v1/problem-sets", headers=people.auth(people.alice)).status_code == 200
    response = client.post(
        f"{STUDENTS}/{people.alice_id}/revoke", headers=people.auth(people.instructor)
    )
    assert response.status_code == 200
    assert response.json() == {**response.json(), "id": people.alice_id, "revoked": True}
    again = client.post(
        f"{STUDENTS}/{people.alice_id}/revoke", headers=people.auth(people.instructor)
    )
    assert again.status_code == 200 and again.json() == response.json()
    for path in ("/api/v1/problem-sets", "/api/v1/problem-sets/dl-ex1", STUDENTS):
        refused = client.get(path, headers=people.auth(people.alice))
        assert refused.status_code == 401, path
        assert refused.json()["error"] == "Unauthorized"
    assert client.get("/api/v1/problem-sets", headers=people.auth(people.bob)).status_code == 200


@pytest.mark.parametrize(
    "student_id",
    [
        "00000000-0000-4000-8000-000000000000",
        "nope",
        "%00",
        "a" * 1000,
        "' OR 1=1 --",
        "instructor",
    ],
)
def test_revoke_unknown_ids_is_not_found(
    client: TestClient, people: People, session: Session, row_counts: CountRows, student_id: str
) -> None:
    if student_id == "instructor":
        student_id = instructor_id(session)
    before = row_counts()
    response = client.post(
        f"{STUDENTS}/{student_id}/revoke", headers=people.auth(people.instructor)
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "NotFound"
    assert client.get(STUDENTS, headers=people.auth(people.instructor)).status_code == 200
    assert row_counts() == before


def test_import_takes_a_full_roster_in_one_request(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    body = b"name\n" + b"".join(f"student {i}\n".encode() for i in range(MAX_ROWS))
    response = upload(client, people, body)
    assert response.status_code == 201
    assert len(response.json()["students"]) == MAX_ROWS
    assert row_counts().users == before.users + MAX_ROWS


@pytest.mark.parametrize(
    ("login", "stored"),
    [("  ada@example.org ", "ada@example.org"), ("", None), ("   ", None), (None, None)],
)
def test_create_student_keeps_a_login_stripped_and_a_blank_one_as_none(
    client: TestClient, people: People, login: str | None, stored: str | None
) -> None:
    response = create(client, people, {"name": "Ada", "login": login})
    assert response.status_code == 201, response.text
    assert response.json()["login"] == stored
    listed = client.get(STUDENTS, headers=people.auth(people.instructor)).json()["students"]
    assert listed[-1]["login"] == stored


def test_a_login_is_held_by_one_user_only(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    assert create(client, people, {"name": "Ada", "login": "ada"}).status_code == 201
    before = row_counts()
    response = create(client, people, {"name": "Another Ada", "login": " ada "})
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == ["login"]
    assert "already used" in response.json()["detail"]
    assert row_counts() == before
    assert create(client, people, {"name": "ADA", "login": "ADA"}).status_code == 201


def test_import_stores_logins(client: TestClient, people: People) -> None:
    body = b"login,name\nada@example.org,Ada\n,Grace\n  alan  ,Alan\n"
    response = upload(client, people, body)
    assert response.status_code == 201, response.text
    students = response.json()["students"]
    assert [(s["name"], s["login"]) for s in students] == [
        ("Ada", "ada@example.org"),
        ("Grace", None),
        ("Alan", "alan"),
    ]


@pytest.mark.parametrize(
    ("body", "fields", "words"),
    [
        (b"name,login\nAda,ada\nBob,bob\nAda L,ada\n", ["row 4"], "already on row 2"),
        (b"name,login\nAda,ada\nBob,taken\n\nCy,cy\nDi,di\n", ["row 3"], "another user"),
        (b"name,login\nAda,a\x00da\n", ["row 2"], "the login holds a control character"),
        (b"name,login,Login\nAda,a,a\n", ["row 1"], "'login' 2 times"),
    ],
)
def test_import_refuses_clashing_logins_and_creates_nothing(
    client: TestClient,
    people: People,
    row_counts: CountRows,
    body: bytes,
    fields: list[str],
    words: str,
) -> None:
    assert create(client, people, {"name": "Taken", "login": "taken"}).status_code == 201
    before = row_counts()
    response = upload(client, people, body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == fields
    assert words in response.json()["detail"]
    assert row_counts() == before


def reissue(client: TestClient, people: People, student_id: str, token: str | None = None) -> Any:
    headers = people.auth(token or people.instructor)
    return client.post(f"{STUDENTS}/{student_id}/token", headers=headers)


def test_a_new_token_replaces_the_old_one_at_once(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    response = reissue(client, people, people.alice_id)
    assert response.status_code == 200, response.text
    issued = response.json()
    assert set(issued) == PUBLIC_KEYS | {"token"}
    assert (issued["id"], issued["name"], issued["revoked"]) == (people.alice_id, "alice", False)
    assert issued["token"] != people.alice
    assert not signs_in(client, people.alice) and signs_in(client, issued["token"])
    assert signs_in(client, people.bob)
    assert row_counts() == before
    listing = client.get(STUDENTS, headers=people.auth(people.instructor))
    assert issued["token"] not in listing.text
    # Each call makes another token, and only the newest works.
    again = reissue(client, people, people.alice_id).json()["token"]
    assert not signs_in(client, issued["token"]) and signs_in(client, again)


def test_a_student_cannot_give_anyone_a_new_token(client: TestClient, people: People) -> None:
    for student_id in (people.alice_id, people.bob_id):
        response = reissue(client, people, student_id, people.bob)
        assert response.status_code == 403, response.text
        assert "token" not in response.json()
    assert signs_in(client, people.alice) and signs_in(client, people.bob)


def test_a_revoked_student_gets_no_new_token(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    client.post(f"{STUDENTS}/{people.alice_id}/revoke", headers=people.auth(people.instructor))
    listed_before = client.get(STUDENTS, headers=people.auth(people.instructor)).json()
    before = row_counts()
    response = reissue(client, people, people.alice_id)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidRequest"
    assert "was revoked" in response.json()["detail"]
    assert not signs_in(client, people.alice)
    assert row_counts() == before
    assert client.get(STUDENTS, headers=people.auth(people.instructor)).json() == listed_before


@pytest.mark.parametrize(
    "student_id",
    [
        "00000000-0000-4000-8000-000000000000",
        "nope",
        "%00",
        "a" * 1000,
        "' OR 1=1 --",
        "instructor",
    ],
)
def test_a_new_token_for_an_unknown_id_is_not_found(
    client: TestClient, people: People, session: Session, row_counts: CountRows, student_id: str
) -> None:
    if student_id == "instructor":
        student_id = instructor_id(session)
    before = row_counts()
    response = reissue(client, people, student_id)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "NotFound"
    assert all(signs_in(client, token) for token in (people.instructor, people.alice, people.bob))
    assert row_counts() == before
