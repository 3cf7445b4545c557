"""The HTTP client of the commands: only http(s) service addresses, a token required, an
unreachable service and odd answers (huge, not JSON, not the expected shape, hostile text)
turned into one-line errors."""

import json
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.commands.errors import CliError
from app.commands.remote import MAX_JSON_BYTES, Remote
from tests.commands.conftest import batch_argv, local_env, run


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("ftp://example.org", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("localhost:8000", "http:// or https://"),
        ("http://", "http:// or https://"),
        ("http://[::1", "not a URL"),
        ("http://host:abc", "not a URL"),
        ("http://host:99999", "not a URL"),
        ("http://user:secret@host", "--token"),
        ("http://host/?token=x", "address only"),
        ("\u202ehttp://evil", "http:// or https://"),
    ],
)
def test_only_http_service_addresses_are_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: str, message: str
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    (tmp_path / "c.jsonl").write_text("{}\n")
    argv = [*batch_argv(tmp_path / "c.jsonl", tmp_path / "g.csv"), "--server", server]
    ran = run([*argv, "--token", "t"])
    assert (ran.status, ran.out) == (2, "")
    assert message in ran.err
    assert ran.err.isascii() and ran.err.rstrip("\n").isprintable()
    assert "secret" not in ran.err


def test_a_token_is_required_from_the_option_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    argv = ["regrade", "--problem-set", "dl-ex1", "--server", "http://127.0.0.1:9"]
    assert "DLGRADE_TOKEN" in run(argv).err
    opened: list[tuple[str, str | None]] = []

    def recording(server: str, token: str | None) -> Remote:
        opened.append((server, token))
        raise CliError("stop here")

    monkeypatch.setenv("DLGRADE_TOKEN", "from-the-environment")
    assert run(argv, connect=recording).status == 2
    assert run([*argv, "--token", "from-the-option"], connect=recording).status == 2
    assert [token for _, token in opened] == ["from-the-environment", "from-the-option"]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_service_exits_2_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_env(monkeypatch, tmp_path / "data")
    server = f"http://127.0.0.1:{closed_port()}"
    argv = ["gradebook", "--problem-set", "dl-ex1", "--out", str(tmp_path / "g.csv")]
    ran = run([*argv, "--server", server, "--token", "t"])
    assert (ran.status, ran.out) == (2, "")
    assert f"cannot reach the service at {server}" in ran.err
    assert not (tmp_path / "g.csv").exists()


Handler = Callable[[httpx.Request], httpx.Response]


def remote(handler: Handler) -> Remote:
    """A Remote whose service is `handler`."""
    client = httpx.Client(base_url="http://dlgrade.test", transport=httpx.MockTransport(handler))
    return Remote(client, "token", pause=lambda _seconds: None)


def answering(status: int, body: bytes, content_type: str = "application/json") -> Handler:
    return lambda _request: httpx.Response(
        status, content=body, headers={"content-type": content_type}
    )


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (answering(500, b"<html>oops</html>", "text/html"), "answered 500 without saying why"),
        (answering(502, b'{"detail": 5}'), "answered 502 without saying why"),
        (answering(200, b"not json"), "not a JobPublic"),
        (answering(200, b'{"job_id": "x"}'), "not a JobPublic"),
        (answering(200, b"[" * 100_000), "not a JobPublic"),
        (answering(200, b" " * (MAX_JSON_BYTES + 1)), f"larger than {MAX_JSON_BYTES} bytes"),
        (
            answering(
                404, json.dumps({"error": "NotFound", "detail": "\x1b[2Jgone\u202e"}).encode()
            ),
            "'\\x1b[2Jgone\\u202e' (404 NotFound)",
        ),
        (answering(409, json.dumps({"error": "x" * 500, "detail": "d"}).encode()), "d (409 'xxx"),
    ],
)
def test_odd_answers_become_one_line_errors(handler: Handler, message: str) -> None:
    with pytest.raises(CliError) as raised, remote(handler) as service:
        service.job("some-job")
    text = str(raised.value)
    assert message in text
    assert text.isascii() and text.isprintable() and len(text) < 1000


def test_a_transport_failure_names_the_service() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(CliError, match="cannot reach the service at http://dlgrade.test"):
        remote(refuse).job("some-job")


def test_requests_carry_the_token_and_quote_the_path() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<html></html>")

    assert remote(record).download("../../x?y", "report") == b"<html></html>"
    [request] = seen
    assert request.headers["Authorization"] == "Bearer token"
    assert request.url.raw_path == b"/api/v1/problem-sets/..%2F..%2Fx%3Fy/report"
