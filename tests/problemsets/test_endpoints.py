"""Problem-set routes through HTTP, on SQLite and PostgreSQL: list, view, preview."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import Services
from app.users.service import revoke_student
from tests.conftest import HOSTILE_KEYS, CountRows, People, error_body, sent_as_json

API = "/api/v1/problem-sets"
HW5 = "eecs182-hw5"
JSON = {"Content-Type": "application/json"}


def get(client: TestClient, path: str, token: str) -> Any:
    response = client.get(f"{API}{path}", headers=People.auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_list(client: TestClient, people: People) -> None:
    listed = get(client, "", people.alice)
    assert [entry["id"] for entry in listed] == ["dl-ex1", HW5]
    hw5 = listed[1]
    assert set(hw5) == {"id", "title", "summary", "points", "field_count", "policy"}
    assert (hw5["points"], hw5["field_count"]) == (100, 16)
    assert hw5["policy"] == {"score": "latest", "due": None, "late": "accept", "late_factor": 0.5}


def test_a_student_sees_their_own_numbers(
    client: TestClient, people: People, services: Services
) -> None:
    own = services.catalog.compiled("dl-ex1", people.alice_id).parameters
    prompt = get(client, "/dl-ex1", people.alice)["questions"][0]["prompt"]
    assert f"each with {own['n_in']} input features" in prompt
    published = get(client, "/dl-ex1", people.instructor)["questions"][0]["prompt"]
    assert "each with 10 input features" in published


def test_the_view_holds_no_reference(client: TestClient, people: People) -> None:
    body = json.dumps(get(client, f"/{HW5}", people.alice))
    for secret in ("filters.recover_filter", "flipped", "mistake", "reference", "normalization."):
        assert secret not in body
    field = get(client, f"/{HW5}", people.alice)["questions"][0]["fields"][0]
    assert set(field) == {"id", "prompt", "points", "answer"}


def test_a_preview_shows_how_answers_read(client: TestClient, people: People) -> None:
    answers = {"q3.a": "108", "q1.b": "[2, -1", "q2.a.batchnorm": "B"}
    response = client.post(
        f"{API}/{HW5}/preview", json={"answers": answers}, headers=People.auth(people.alice)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "problem_set": HW5,
        "fields": [
            {
                "field": "q1.b",
                "status": "invalid",
                "parsed": None,
                "message": "The brackets are not balanced.",
                "position": 0,
            },
            {
                "field": "q2.a.batchnorm",
                "status": "parsed",
                "parsed": r"\text{B}",
                "message": None,
                "position": None,
            },
            {
                "field": "q3.a",
                "status": "parsed",
                "parsed": "108",
                "message": None,
                "position": None,
            },
        ],
    }


def test_a_preview_records_nothing(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    for token in (people.alice, people.instructor):
        response = client.post(
            f"{API}/{HW5}/preview",
            json={"answers": {"q3.a": "108", "q2.a.batchnorm": "__import__('os')"}},
            headers=People.auth(token),
        )
        assert response.status_code == 200
    assert row_counts() == before


BAD_PREVIEWS = [
    ("malformed JSON", b'{"answers": ', JSON, 422, "InvalidRequest"),
    ("unknown field", {"answers": {"q99.z": "1"}}, JSON, 422, "UnknownField"),
    ("1 MB answer", {"answers": {"q3.a": "1" * 1_000_000}}, JSON, 422, "AnswerTooLong"),
    (
        "10,000 fields",
        {"answers": {f"q{index}": "1" for index in range(10_000)}},
        JSON,
        422,
        "TooManyAnswers",
    ),
    (
        "wrong content type",
        b'{"answers": {"q3.a": "1"}}',
        {"Content-Type": "text/plain"},
        415,
        "UnsupportedMediaType",
    ),
    ("answer not text", {"answers": {"q3.a": ["1"]}}, JSON, 422, "InvalidRequest"),
    ("extra key", {"answers": {}, "grade": True}, JSON, 422, "InvalidRequest"),
]


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [row[1:] for row in BAD_PREVIEWS],
    ids=[row[0] for row in BAD_PREVIEWS],
)
def test_bad_previews_are_refused(
    client: TestClient,
    people: People,
    row_counts: CountRows,
    body: object,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    before = row_counts()
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post(
        f"{API}/{HW5}/preview", content=content, headers={**headers, **People.auth(people.alice)}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert row_counts() == before


def preview(client: TestClient, token: str, body: object) -> Any:
    """POST a preview with non-ASCII escaped, as lone surrogates can only be sent."""
    headers = {**JSON, **People.auth(token)}
    return client.post(f"{API}/{HW5}/preview", content=sent_as_json(body), headers=headers)


@pytest.mark.parametrize(
    ("key", "echoed"), [row[1:] for row in HOSTILE_KEYS], ids=[row[0] for row in HOSTILE_KEYS]
)
def test_a_hostile_field_id_is_refused_in_the_error_shape(
    client: TestClient, people: People, key: str, echoed: str
) -> None:
    response = preview(client, people.alice, {"answers": {key: "m"}})
    assert response.status_code == 422, response.text
    refusal = error_body(response)
    assert (refusal["error"], refusal["fields"]) == ("UnknownField", [echoed])
    assert key not in refusal["detail"]


@pytest.mark.parametrize("answer", ["\ud800", "\udfff", "x + \ud83d", "\x00", "\u202e1"])
def test_an_odd_answer_previews_as_invalid_in_a_readable_body(
    client: TestClient, people: People, answer: str
) -> None:
    response = preview(client, people.alice, {"answers": {"q3.a": answer}})
    assert response.status_code == 200, response.text
    body = json.loads(response.content.decode("utf-8"))
    assert [field["status"] for field in body["fields"]] == ["invalid"]
    json.dumps(body, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/nope", 404, "UnknownProblemSet"),
        ("/" + "x" * 101, 422, "InvalidRequest"),
        ("/nope/preview", 405, "MethodNotAllowed"),
    ],
)
def test_unknown_problem_sets(
    client: TestClient, people: People, path: str, status: int, error: str
) -> None:
    response = client.get(f"{API}{path}", headers=People.auth(people.alice))
    assert response.status_code == status
    assert response.json()["error"] == error


def test_previewing_an_unknown_problem_set(client: TestClient, people: People) -> None:
    response = client.post(
        f"{API}/nope/preview", json={"answers": {}}, headers=People.auth(people.alice)
    )
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownProblemSet"


ROUTES = [
    ("GET", ""),
    ("GET", f"/{HW5}"),
    ("POST", f"/{HW5}/preview"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer nope", "Basic YWxpY2U6c2VjcmV0", "nope"]
)
def test_every_route_needs_a_valid_token(
    client: TestClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(
        method, f"{API}{path}", json={"answers": {"q3.a": "1"}}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_revoked_token_is_refused(
    client: TestClient, people: People, session: Session, method: str, path: str
) -> None:
    revoke_student(session, people.bob_id)
    session.commit()
    response = client.request(
        method, f"{API}{path}", json={"answers": {"q3.a": "1"}}, headers=People.auth(people.bob)
    )
    assert response.status_code == 401
