"""Two real `dlgrade serve` processes on one PostgreSQL database and one Redis: a token's quota
of 120 and the sign-in limit hold across both (the 121st request is refused), and a regrade
through one changes grading in the other."""

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from benchmarks.submissions import DL_EX1_CORRECT
from tests.redis_server import OwnRedis
from tests.test_server import ROOT, Server, running
from tests.test_surge import URL, _own_database

LIMIT = 120
"""The default quota; counted per hour here, so a slow machine cannot let the window move on."""
POINTS_BEFORE, POINTS_AFTER = "points: 12.5", "points: 25"
"""The edit a regrade picks up: the first question of dl-ex1 is worth more."""


@dataclass(frozen=True)
class Pair:
    """Two server processes sharing a database, a Redis and a problem directory."""

    a: Server
    b: Server
    instructor: dict[str, str]
    problems: Path

    def enrol(self, name: str) -> str:
        """A new student's token, imported through server A."""
        headers = {**self.instructor, "Content-Type": "text/csv"}
        url = f"{self.a.url}/api/v1/students/import"
        response = httpx.post(url, content=f"name\n{name}\n", headers=headers, timeout=60)
        response.raise_for_status()
        token: str = response.json()["students"][0]["token"]
        return token


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Servers A and B, started one after the other (so that one of them migrates)."""
    directory = tmp_path_factory.mktemp("two-servers")
    problems = directory / "problems"
    shutil.copytree(ROOT / "problems", problems)
    redis = OwnRedis(directory)
    redis.start()
    token = secrets.token_urlsafe(32)
    for name in ("a", "b"):
        (directory / name).mkdir()
    try:
        with _own_database() as url:
            settings = {
                "database_url": url,
                "rate_limit": f"{LIMIT}/hour",
                "rate_limit_storage": redis.url,
                "problems_dir": str(problems),
                "instructor_token": token,
            }
            with running(directory / "a", settings) as a, running(directory / "b", settings) as b:
                yield Pair(a, b, {"Authorization": f"Bearer {token}"}, problems)
    finally:
        redis.stop()


def _submit(server: Server, token: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}{URL}",
        json={"answers": DL_EX1_CORRECT},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def test_a_tokens_quota_holds_across_both_processes(pair: Pair) -> None:
    token = pair.enrol("quota")
    servers = [pair.a, pair.b]
    statuses = [_submit(servers[index % 2], token).status_code for index in range(LIMIT)]
    assert statuses == [201] * LIMIT
    for server in servers:
        refused = _submit(server, token)
        assert refused.status_code == 429 and refused.json()["error"] == "RateLimited"
    other = pair.enrol("quota-other")
    assert _submit(pair.b, other).status_code == 201


def _sign_in(server: Server, token: str) -> int:
    response = httpx.post(
        f"{server.url}/signin",
        data={"token": token},
        headers={"Origin": server.url},
        timeout=60,
    )
    return response.status_code


def test_the_sign_in_limit_holds_across_both_processes(pair: Pair) -> None:
    token = pair.enrol("signin")
    servers = [pair.a, pair.b]
    statuses = [_sign_in(servers[index % 2], token) for index in range(LIMIT)]
    assert statuses == [303] * LIMIT
    assert [_sign_in(server, token) for server in servers] == [429, 429]


def test_a_regrade_through_one_process_changes_grading_in_the_other(pair: Pair) -> None:
    token = pair.enrol("regrade")
    before = _submit(pair.b, token).json()
    path = pair.problems / "dl-ex1.yaml"
    text = path.read_text()
    assert POINTS_BEFORE in text
    path.write_text(text.replace(POINTS_BEFORE, POINTS_AFTER, 1))
    # Only a regrade reloads the files: B still grades with the ones it loaded.
    assert _submit(pair.b, token).json()["max_total"] == before["max_total"]
    regrade = f"{pair.a.url}/api/v1/problem-sets/dl-ex1/regrade"
    assert httpx.post(regrade, headers=pair.instructor, timeout=60).status_code == 202
    after = _submit(pair.b, token).json()
    gained = float(POINTS_AFTER.split()[1]) - float(POINTS_BEFORE.split()[1])
    assert after["max_total"] == pytest.approx(before["max_total"] + gained)
