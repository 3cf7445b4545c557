"""Idempotency-Key on submissions, on SQLite and PostgreSQL: a retry stores one copy and gets
the first answer back; a reused key with other work, or a malformed key, stores nothing."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CountRows, People
from tests.submissions.conftest import HW5

API = "/api/v1"
ANSWERS = {"q3.a": "108", "q1.b": "[3, -1, 2]"}


def submit(client: TestClient, token: str, answers: dict[str, str], key: str) -> object:
    """POST answers with an Idempotency-Key."""
    headers = {**People.auth(token), "Idempotency-Key": key}
    url = f"{API}/problem-sets/{HW5}/submissions"
    return client.post(url, json={"answers": answers}, headers=headers)


def test_a_retry_gets_the_first_result_and_stores_one_copy(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    first = submit(client, people.alice, ANSWERS, "retry-1")
    again = submit(client, people.alice, ANSWERS, "retry-1")
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert row_counts().submissions == before.submissions + 1


def test_the_same_key_is_each_students_own(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    alice = submit(client, people.alice, ANSWERS, "shared")
    bob = submit(client, people.bob, ANSWERS, "shared")
    assert alice.status_code == bob.status_code == 201
    assert alice.json()["submission_id"] != bob.json()["submission_id"]
    assert row_counts().submissions == before.submissions + 2


def test_a_key_reused_for_other_answers_is_refused(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    assert submit(client, people.alice, ANSWERS, "once").status_code == 201
    before = row_counts()
    other = submit(client, people.alice, {"q3.a": "109"}, "once")
    assert other.status_code == 422
    assert other.json()["error"] == "IdempotencyKeyReused"
    assert row_counts() == before


@pytest.mark.parametrize("key", [b"", b"has space", b"k" * 256, "caf\u00e9".encode(), b"tab\there"])
def test_a_malformed_key_is_refused(
    client: TestClient, people: People, row_counts: CountRows, key: bytes
) -> None:
    before = row_counts()
    headers = {**People.auth(people.alice), "Idempotency-Key": key}
    url = f"{API}/problem-sets/{HW5}/submissions"
    response = client.post(url, json={"answers": ANSWERS}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidRequest"
    assert row_counts() == before


def test_without_a_key_every_request_is_stored(
    client: TestClient, people: People, row_counts: CountRows
) -> None:
    before = row_counts()
    url = f"{API}/problem-sets/{HW5}/submissions"
    for _ in range(2):
        response = client.post(url, json={"answers": ANSWERS}, headers=People.auth(people.alice))
        assert response.status_code == 201
    assert row_counts().submissions == before.submissions + 2
