"""Liveness and readiness, and the error shape of unknown routes."""

from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_problem_sets(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["problem_sets"] == ["dl-ex1", "eecs182-hw5"]


def test_unknown_routes_use_the_one_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert set(response.json()) == {"error", "detail"}
