"""Per-token quotas: counted per scope and caller, refused with 429 and a Retry-After in seconds."""

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from limits.errors import StorageError

from app.bootstrap import build_services
from app.config import Settings
from app.deps import PreviewQuota, SubmissionQuota
from app.errors import RateLimited
from app.ratelimit import REDIS_TIMEOUT_S, RateLimiter
from app.services import Services
from tests.conftest import CountRows, People
from tests.redis_server import OwnRedis


def test_refuses_the_hit_after_the_limit_with_retry_after() -> None:
    limiter = RateLimiter("3/minute")
    for _ in range(3):
        limiter.hit("submissions", "alice")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("submissions", "alice")
    assert caught.value.status == 429
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60
    assert "3 per 1 minute" in caught.value.detail


def test_retry_after_counts_from_the_oldest_hit_in_the_window() -> None:
    limiter = RateLimiter("1/hour")
    limiter.hit("submissions", "alice")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("submissions", "alice")
    assert 3590 <= int(caught.value.headers["Retry-After"]) <= 3600


def test_keys_and_scopes_are_counted_apart() -> None:
    limiter = RateLimiter("1/minute")
    limiter.hit("submissions", "alice")
    limiter.hit("submissions", "bob")
    limiter.hit("previews", "alice")
    with pytest.raises(RateLimited):
        limiter.hit("previews", "alice")


def test_a_scope_with_a_rate_of_its_own_counts_against_it_alone() -> None:
    limiter = RateLimiter("3/minute", scopes={"regrade-requests": "1/hour"})
    limiter.hit("regrade-requests", "alice")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("regrade-requests", "alice")
    assert "1 per 1 hour" in caught.value.detail
    assert 3590 <= int(caught.value.headers["Retry-After"]) <= 3600
    for _ in range(3):
        limiter.hit("submissions", "alice")
    with pytest.raises(RateLimited):
        limiter.hit("submissions", "alice")


@pytest.mark.parametrize(
    ("rate", "storage"),
    [
        ("", "memory://"),
        ("lots", "memory://"),
        ("120/fortnight", "memory://"),
        ("0/minute", "memory://"),
        ("-1/minute", "memory://"),
        ("1/second;100/minute", "memory://"),
        ("120/minute", "nosuch://"),
        ("120/minute", "async+memory://"),
    ],
)
def test_refuses_settings_it_could_not_honour(rate: str, storage: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate, storage=storage)


def test_a_bad_rate_setting_stops_the_service_from_starting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        build_services(Settings(data_dir=tmp_path, rate_limit="often"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rate", ["", "often", "0/hour", "1/second;2/hour"])
def test_a_bad_scope_rate_is_refused(rate: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter("120/minute", scopes={"regrade-requests": rate})


def test_a_bad_regrade_request_rate_stops_the_service_from_starting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        build_services(Settings(data_dir=tmp_path, regrade_request_rate_limit="often"))
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_counter_falls_back_to_this_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter("1/minute")

    def broken(*_args: object, **_kwargs: object) -> bool:
        raise StorageError(ConnectionError("redis is down"))

    monkeypatch.setattr(limiter._shared, "hit", broken)
    limiter.hit("submissions", "alice")
    assert limiter.degraded
    assert "counting in this process alone" in caplog.text
    with pytest.raises(RateLimited):
        limiter.hit("submissions", "alice")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server of this test's own, stopped afterwards."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_processes_share_a_redis_count_and_each_counts_alone_while_it_is_down(
    own_redis: OwnRedis, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Try the shared store on every hit, so that the test sees it come back without waiting.
    monkeypatch.setattr("app.ratelimit.SHARED_RETRY_S", 0.0)
    first, second = (RateLimiter("3/minute", storage=own_redis.url) for _ in range(2))
    first.hit("submissions", "alice")
    first.hit("submissions", "alice")
    second.hit("submissions", "alice")
    with pytest.raises(RateLimited):
        second.hit("submissions", "alice")
    own_redis.stop()
    # Answered at once, by this process's own count: the outage refuses nobody by itself.
    started = time.monotonic()
    for _ in range(3):
        first.hit("submissions", "bob")
    assert time.monotonic() - started < 2 * REDIS_TIMEOUT_S
    assert first.degraded and "did not answer" in caplog.text
    with pytest.raises(RateLimited) as caught:
        first.hit("submissions", "bob")
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60
    own_redis.start()
    first.hit("submissions", "carol")
    assert not first.degraded and "answers again" in caplog.text


@pytest.fixture
def limited(app: FastAPI, services: Services) -> TestClient:
    """The app with a limit of two per minute, and two routes behind the two quotas."""
    app.state.services = dataclasses.replace(services, limiter=RateLimiter("2/minute"))

    @app.post("/quota/submission")
    def submission(user: SubmissionQuota) -> dict[str, str]:
        return {"user": user.id}

    @app.post("/quota/preview")
    def preview(user: PreviewQuota) -> dict[str, str]:
        return {"user": user.id}

    return TestClient(app, raise_server_exceptions=False)


def test_over_the_limit_is_429_in_the_one_error_shape(
    limited: TestClient, people: People, row_counts: CountRows
) -> None:
    alice = people.auth(people.alice)
    before = row_counts()
    for _ in range(2):
        assert limited.post("/quota/submission", headers=alice).json() == {"user": people.alice_id}
    refused = limited.post("/quota/submission", headers=alice)
    assert refused.status_code == 429
    assert refused.json()["error"] == "RateLimited"
    assert set(refused.json()) == {"error", "detail"}
    assert refused.headers["Retry-After"].isdigit()
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert row_counts() == before


def test_each_token_and_each_quota_counts_apart(limited: TestClient, people: People) -> None:
    alice, bob = people.auth(people.alice), people.auth(people.bob)
    for _ in range(2):
        limited.post("/quota/submission", headers=alice)
    assert limited.post("/quota/submission", headers=alice).status_code == 429
    assert limited.post("/quota/submission", headers=bob).status_code == 200
    assert limited.post("/quota/preview", headers=alice).status_code == 200


def test_unauthenticated_calls_spend_no_quota(limited: TestClient, people: People) -> None:
    for _ in range(5):
        assert limited.post("/quota/submission").status_code == 401
    stolen = {"Authorization": "Bearer not-a-token"}
    assert limited.post("/quota/submission", headers=stolen).status_code == 401
    alice = people.auth(people.alice)
    assert limited.post("/quota/submission", headers=alice).status_code == 200
