"""The service's HTTP API as the commands use it: start a job, follow it, fetch a file.

Every answer is bounded in size and read as the service's own schemas; a refusal
(`{"error": ..., "detail": ...}`) or an unreachable service becomes a CliError.
"""

import argparse
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from app.commands.choices import TOKEN_VARIABLE
from app.commands.closing import Closing
from app.commands.errors import CliError
from app.jobs.schemas import JobAccepted, JobPublic
from app.untrusted import shown

API = "/api/v1"
TIMEOUT_S = 60.0
POLL_S = 0.5
MAX_JSON_BYTES = 20_000_000
MAX_FILE_BYTES = 200_000_000
SHOWN_DETAIL_CHARS = 500
FINISHED = ("done", "failed")

Model = TypeVar("Model", bound=BaseModel)


class Remote(Closing):
    """A running service, reached through an httpx client (a TestClient in tests)."""

    def __init__(
        self, client: httpx.Client, token: str, *, pause: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.pause = pause

    def close(self) -> None:
        """Close the connection to the service."""
        self.client.close()

    def start_batch(
        self, problem_set: str, path: Path, *, create_students: bool, published_numbers: bool
    ) -> str:
        """Upload a class file for import; the id of the import job."""
        form = {
            "create_students": _flag(create_students),
            "published_numbers": _flag(published_numbers),
        }
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror}") from None
        with handle:
            files = {"file": (path.name, handle, "application/octet-stream")}
            body = self._call("POST", _set_path(problem_set, "batches"), data=form, files=files)
        return _parsed(JobAccepted, body).job_id

    def start_regrade(self, problem_set: str) -> str:
        """Start a regrade of the problem set; the id of its job."""
        body = self._call("POST", _set_path(problem_set, "regrade"))
        return _parsed(JobAccepted, body).job_id

    def job(self, job_id: str) -> JobPublic:
        """A job as the service shows it now."""
        return _parsed(JobPublic, self._call("GET", f"{API}/jobs/{quote(job_id, safe='')}"))

    def follow(self, job_id: str, seen: Callable[[JobPublic], None]) -> JobPublic:
        """Poll the job until it is done or failed, showing each state to `seen`."""
        while True:
            job = self.job(job_id)
            seen(job)
            if job.status in FINISHED:
                return job
            self.pause(POLL_S)

    def download(self, problem_set: str, what: str, **params: str) -> bytes:
        """A file the service builds for a problem set (grade book, report), as bytes."""
        path = _set_path(problem_set, what)
        return self._call("GET", path, params=params, limit=MAX_FILE_BYTES)

    def _call(self, method: str, path: str, *, limit: int = MAX_JSON_BYTES, **send: Any) -> bytes:
        """The body of a successful answer; CliError for a refusal or an unreachable service."""
        try:
            with self.client.stream(method, path, headers=self.headers, **send) as response:
                body = _bounded(response, limit)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach the service at {self.client.base_url}: {exc}") from None
        if not response.is_success:
            raise CliError(_refusal(response.status_code, body))
        return body


Connect = Callable[[str, str | None], Remote]
"""Opens a Remote from --server and the token; tests pass one that returns a TestClient's."""


def chosen(args: argparse.Namespace, connect: Connect) -> Remote | None:
    """The service named by --server, or None for the local database."""
    if args.server is None:
        if args.token is not None:
            raise CliError("--token goes with --server")
        return None
    if args.problems is not None:
        raise CliError("--problems does not reach a service; it reads DLGRADE_PROBLEMS_DIR")
    return connect(args.server, args.token or os.environ.get(TOKEN_VARIABLE))


def connect(server: str, token: str | None) -> Remote:
    """A Remote for an http(s) URL, with the instructor's token."""
    try:
        client = httpx.Client(base_url=_checked(server), timeout=TIMEOUT_S)
    except httpx.InvalidURL:
        raise CliError(f"--server is not a URL: {shown(server)}") from None
    if not token:
        client.close()
        raise CliError("--server needs an instructor token: --token or DLGRADE_TOKEN")
    return Remote(client, token)


def _checked(server: str) -> str:
    """The URL, if it names an http(s) service and nothing else (no credentials, no query)."""
    try:
        parts = urlsplit(server)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        raise CliError(f"--server is not a URL: {shown(server)}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise CliError(f"--server must be an http:// or https:// URL, not {shown(server)}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise CliError("--server takes the service's address only; pass the token in --token")
    return server


def _set_path(problem_set: str, what: str) -> str:
    return f"{API}/problem-sets/{quote(problem_set, safe='')}/{what}"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _bounded(response: httpx.Response, limit: int) -> bytes:
    """The body, refused once it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise CliError(f"the service's answer is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _refusal(status: int, body: bytes) -> str:
    """The service's own words for a refusal, escaped; the status alone if it sent none."""
    try:
        error: object = json.loads(body)
    except ValueError:
        error = None
    if isinstance(error, Mapping) and isinstance(error.get("detail"), str):
        name = shown(str(error.get("error")))
        return f"{shown(error['detail'], limit=SHOWN_DETAIL_CHARS)} ({status} {name})"
    return f"the service answered {status} without saying why"


def _parsed(model: type[Model], body: bytes) -> Model:
    try:
        return model.model_validate_json(body)
    except ValidationError:
        raise CliError(f"the service's answer is not a {model.__name__}") from None


def job_result(job: JobPublic, kind: str, model: type[Model], what: str) -> Model:
    """A finished job's result read as `model`; a failed job, or one of another kind, is a
    CliError that says so (`what` names the job: "import", "regrade")."""
    if job.status == "failed":
        detail = job.error.detail if job.error is not None else "no reason given"
        raise CliError(f"the {what} failed: {shown(detail, limit=500)}")
    try:
        if job.kind == kind and job.result is not None:
            return model.model_validate(job.result)
    except ValueError:
        pass
    raise CliError(f"the job {job.job_id} is not a finished {what}")
