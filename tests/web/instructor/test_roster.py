"""The roster page: adding a student, importing a roster or giving a student a new token shows
each new token once, and the token signs in; a refused form stores nothing and keeps what was
typed; a new token and revoking ask first; every change needs the session's CSRF token; a name is
text wherever it shows."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from app.users.schemas import MAX_NAME_CHARS
from tests.conftest import CountRows, People
from tests.web.conftest import SignedIn, sign_in
from tests.web.instructor.pages import SCRIPT, escaped, roster_csv

TOKEN_CELL = re.compile(r'<code class="token">([A-Za-z0-9_-]+)</code>')


def add(teacher: SignedIn, name: str, login: str = "") -> Response:
    """Post the add-a-student form; the response."""
    data = {"name": name, "login": login, "csrf": teacher.csrf}
    return teacher.client.post("/roster/students", data=data)


def upload_roster(teacher: SignedIn, content: bytes) -> Response:
    """Post the roster-import form; the response."""
    files = {"file": ("roster.csv", content, "text/csv")}
    return teacher.client.post("/roster/import", data={"csrf": teacher.csrf}, files=files)


def listed(client: TestClient, people: People) -> list[dict[str, object]]:
    response = client.get("/api/v1/students", headers=People.auth(people.instructor))
    students: list[dict[str, object]] = response.json()["students"]
    return students


def test_a_new_students_token_is_shown_once_and_signs_in(
    app: FastAPI, teacher: SignedIn, client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    response = add(teacher, "Ada Lovelace", "ada@example.edu")
    assert response.status_code == 201, response.text
    assert "shown only once" in response.text
    [token] = TOKEN_CELL.findall(response.text)
    assert row_counts().users == before.users + 1
    # The token is the new student's: it signs in as her.
    me = client.get("/api/v1/problem-sets", headers=People.auth(token))
    assert me.status_code == 200
    assert sign_in(app, token).client.get("/sets").status_code == 200
    # Nowhere else: not on the roster, not on her page.
    new = next(s for s in listed(client, people) if s["login"] == "ada@example.edu")
    for path in ("/roster", f"/students/{new['id']}"):
        page = teacher.client.get(path).text
        assert token not in page
        assert "Ada Lovelace" in page and "ada@example.edu" in page


@pytest.mark.parametrize(
    ("name", "login", "says"),
    [
        ("", "", "the name is empty"),
        ("   ", "", "the name is empty"),
        ("x" * (MAX_NAME_CHARS + 1), "", f"longer than {MAX_NAME_CHARS} characters"),
        ("Eve\u202eevE", "", "control character"),
        ("Eve\x00", "", "control character"),
        ("Eve", "e\nve", "control character"),
        ("Eve", "alice-login", "already used"),
    ],
    ids=["empty", "blank", "too long", "bidi", "nul", "newline login", "login taken"],
)
def test_a_refused_student_stores_nothing_and_keeps_what_was_typed(
    teacher: SignedIn, row_counts: CountRows, name: str, login: str, says: str
) -> None:
    assert add(teacher, "Alice Again", "alice-login").status_code == 201
    before = row_counts()
    response = add(teacher, name, login)
    assert response.status_code == 422
    assert "The student was not added" in response.text and escaped(says) in response.text
    assert f'value="{escaped(login)}"' in response.text
    assert TOKEN_CELL.search(response.text) is None
    assert row_counts() == before


def test_a_roster_import_shows_every_new_token_once(
    teacher: SignedIn, client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    rows = [("Grace Hopper", "grace"), ("Alan Turing", ""), ("Edsger Dijkstra", "ewd")]
    response = upload_roster(teacher, roster_csv(rows))
    assert response.status_code == 201, response.text
    tokens = TOKEN_CELL.findall(response.text)
    assert len(tokens) == len(set(tokens)) == 3
    assert row_counts().users == before.users + 3
    for token, (name, _) in zip(tokens, rows, strict=True):
        assert response.text.index(name) < response.text.index(token)
        assert client.get("/api/v1/problem-sets", headers=People.auth(token)).status_code == 200
    roster = teacher.client.get("/roster").text
    assert all(token not in roster for token in tokens)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "The roster is empty"),
        (b"student,login\nAda,ada\n", "no column called 'name'"),
        (b"name\nAda\n\xff\xfe\n", "not UTF-8"),
        (b"name,login\nAda,same\nBob,same\n", "already on row 2"),
        (b'name\n"unclosed\n', "not valid CSV"),
        (b"name,login\nAda,alice-login\n", "already used by another user"),
        ("name\n" + "Ada\n" * 2001, "at most 2000 students"),
    ],
    ids=["empty", "no name column", "not utf-8", "duplicate login", "bad quote", "taken", "huge"],
)
def test_a_refused_roster_imports_nobody(
    teacher: SignedIn, row_counts: CountRows, content: bytes | str, says: str
) -> None:
    assert add(teacher, "Alice Again", "alice-login").status_code == 201
    before = row_counts()
    body = content.encode() if isinstance(content, str) else content
    response = upload_roster(teacher, body)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text and escaped(says) in response.text
    assert TOKEN_CELL.search(response.text) is None
    assert row_counts() == before


def test_revoking_asks_first_then_signs_the_student_out(
    app: FastAPI, teacher: SignedIn, people: People, alice: SignedIn, client: TestClient
) -> None:
    confirm = teacher.client.get(f"/roster/{people.alice_id}/revoke")
    assert confirm.status_code == 200
    assert f'action="/roster/{people.alice_id}/revoke"' in confirm.text
    # Asking changed nothing.
    assert alice.client.get("/sets").status_code == 200
    done = teacher.client.post(
        f"/roster/{people.alice_id}/revoke", data={"csrf": teacher.csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/roster?revoked={people.alice_id}"
    notice = teacher.client.get(done.headers["location"]).text
    assert "alice</bdi>'s token is revoked" in notice
    assert alice.client.get("/sets", follow_redirects=False).headers["location"] == "/"
    problem_sets = client.get("/api/v1/problem-sets", headers=People.auth(people.alice))
    assert problem_sets.status_code == 401


@pytest.mark.parametrize(
    "csrf", [None, "", "0" * 64, "<script>"], ids=["none", "empty", "zeros", "markup"]
)
def test_every_roster_change_needs_the_csrf_token(
    teacher: SignedIn, alice: SignedIn, people: People, row_counts: CountRows, csrf: str | None
) -> None:
    before = row_counts()
    token = {} if csrf is None else {"csrf": csrf}
    added = teacher.client.post("/roster/students", data={"name": "Mallory", **token})
    imported = teacher.client.post(
        "/roster/import", data=token, files={"file": ("r.csv", b"name\nMallory\n", "text/csv")}
    )
    revoked = teacher.client.post(f"/roster/{people.alice_id}/revoke", data=token)
    reissued = teacher.client.post(f"/roster/{people.alice_id}/token", data=token)
    for response in (added, imported, revoked, reissued):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert TOKEN_CELL.search(response.text) is None
    assert row_counts() == before
    # Alice's token neither revoked nor replaced: her session goes on.
    assert alice.client.get("/sets").status_code == 200


def test_another_origin_cannot_add_a_student_even_with_the_token(
    teacher: SignedIn, row_counts: CountRows
) -> None:
    before = row_counts()
    response = teacher.client.post(
        "/roster/students",
        data={"name": "Mallory", "csrf": teacher.csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert row_counts() == before


def test_a_student_cannot_add_import_revoke_or_make_a_token(
    alice: SignedIn, people: People, row_counts: CountRows, client: TestClient
) -> None:
    before = row_counts()
    data = {"name": "Mallory", "csrf": alice.csrf}
    assert alice.client.post("/roster/students", data=data).status_code == 403
    files = {"file": ("r.csv", b"name\nMallory\n", "text/csv")}
    assert alice.client.post("/roster/import", data=data, files=files).status_code == 403
    revoke = alice.client.post(f"/roster/{people.bob_id}/revoke", data={"csrf": alice.csrf})
    assert revoke.status_code == 403
    for student_id in (people.alice_id, people.bob_id):
        reissue = alice.client.post(f"/roster/{student_id}/token", data={"csrf": alice.csrf})
        assert reissue.status_code == 403 and TOKEN_CELL.search(reissue.text) is None
        assert alice.client.get(f"/roster/{student_id}/token").status_code == 403
    assert row_counts() == before
    for token in (people.alice, people.bob):
        assert client.get("/api/v1/problem-sets", headers=People.auth(token)).status_code == 200


def test_a_script_name_and_login_are_text_on_every_page_that_shows_them(
    teacher: SignedIn, client: TestClient, people: People
) -> None:
    created = add(teacher, SCRIPT, SCRIPT)
    assert created.status_code == 201, created.text
    imported = upload_roster(teacher, roster_csv([(SCRIPT.replace('"', "'"), "x")]))
    assert imported.status_code == 201, imported.text
    new = next(s for s in listed(client, people) if s["login"] == SCRIPT)
    pages = [
        created.text,
        imported.text,
        teacher.client.get("/roster").text,
        teacher.client.get(f"/students/{new['id']}").text,
        teacher.client.get(f"/roster/{new['id']}/revoke").text,
        teacher.client.get(f"/roster/{new['id']}/token").text,
        teacher.client.post(f"/roster/{new['id']}/token", data={"csrf": teacher.csrf}).text,
        teacher.client.get(f"/classwork/dl-ex1?student={new['id']}").text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_a_new_token_asks_first_then_is_shown_once_and_replaces_the_old(
    app: FastAPI, teacher: SignedIn, people: People, alice: SignedIn, client: TestClient
) -> None:
    assert f'href="/roster/{people.alice_id}/token"' in teacher.client.get("/roster").text
    confirm = teacher.client.get(f"/roster/{people.alice_id}/token")
    assert confirm.status_code == 200
    assert f'action="/roster/{people.alice_id}/token"' in confirm.text
    # Asking changed nothing.
    assert alice.client.get("/sets").status_code == 200
    done = teacher.client.post(f"/roster/{people.alice_id}/token", data={"csrf": teacher.csrf})
    assert done.status_code == 200, done.text
    assert "shown only once" in done.text and "alice</bdi>" in done.text
    [token] = TOKEN_CELL.findall(done.text)
    assert token != people.alice
    # The old token is out everywhere at once; the new one signs in as Alice.
    assert alice.client.get("/sets", follow_redirects=False).headers["location"] == "/"
    old = client.get("/api/v1/problem-sets", headers=People.auth(people.alice))
    assert old.status_code == 401
    assert sign_in(app, token).client.get("/sets").status_code == 200
    assert all(token not in teacher.client.get(path).text for path in ("/roster", "/classwork"))
    assert people.alice_id in {s["id"] for s in listed(client, people) if not s["revoked"]}


def test_a_revoked_student_gets_no_new_token(
    teacher: SignedIn, people: People, client: TestClient, row_counts: CountRows
) -> None:
    revoked = teacher.client.post(
        f"/roster/{people.alice_id}/revoke", data={"csrf": teacher.csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert f'href="/roster/{people.alice_id}/token"' not in teacher.client.get("/roster").text
    confirm = teacher.client.get(f"/roster/{people.alice_id}/token")
    assert confirm.status_code == 200 and "gets no new token" in confirm.text
    assert f'action="/roster/{people.alice_id}/token"' not in confirm.text
    before = row_counts()
    refused = teacher.client.post(f"/roster/{people.alice_id}/token", data={"csrf": teacher.csrf})
    assert refused.status_code == 422
    assert "was revoked" in refused.text and TOKEN_CELL.search(refused.text) is None
    assert row_counts() == before
    assert client.get("/api/v1/problem-sets", headers=People.auth(people.alice)).status_code == 401
    assert people.alice_id in {s["id"] for s in listed(client, people) if s["revoked"]}


@pytest.mark.parametrize("student_id", ["00000000-0000-4000-8000-000000000000", "abc"])
def test_a_new_token_for_an_unknown_student_is_not_found(
    teacher: SignedIn, row_counts: CountRows, student_id: str
) -> None:
    before = row_counts()
    assert teacher.client.get(f"/roster/{student_id}/token").status_code == 404
    refused = teacher.client.post(f"/roster/{student_id}/token", data={"csrf": teacher.csrf})
    assert refused.status_code == 404 and TOKEN_CELL.search(refused.text) is None
    assert row_counts() == before
