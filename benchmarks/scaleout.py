"""Scale-out on Celery and Redis: a deadline surge, evaluations per second, a worker killed.

Run with `make bench-scaleout` (python -m benchmarks.scaleout). It creates a database of its
own on the PostgreSQL server of --database-url (dropped at the end), starts a redis-server of
its own on a free port (the broker, and where the rate limits are counted), and one
`dlgrade serve` with DLGRADE_SERVER_WORKERS=2 on both. Then, in one run:

(a) the deadline surge of `benchmarks.service --surge`: 200 students at once, 3 full dl-ex1
    submissions each; lost = acknowledged ids not stored, duplicated = stored submissions not
    acknowledged (or acknowledged twice), the 5xx count and the p50/p99 latency;
(b) 64 students each upload a freshly initialised LeNet (a valid model, evaluated in full on
    the 10,000 test images), evaluated by 1 `dlgrade worker --queues evaluations
    --concurrency 1` process, then 64 fresh uploads by 2 such processes; each worker has its
    own working and data directory and shares nothing with the server but the database and
    the broker. Timed from the first upload to the last job ended; evaluations/s and ratio;
(c) 2 workers, one upload: the worker that claims it is SIGKILLed (its whole process group)
    as soon as the job runs, and the time until the other worker has finished it is printed.
    Leases and intervals are small for this (LEASES below) and printed.

Figures are printed, never asserted: the machine is shared and noisy, and the clients, the
server and the workers share its cores.
"""

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import safetensors.torch
import torch
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from app.checkpoints.architecture import LeNetOptions, build
from app.db.models import FieldGrade, Job, JobStatus, Submission
from benchmarks import cluster, service, surge

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "fashion-mnist"
SERVER_WORKERS = 2
PROBLEM_SET = "dl-ex1"
MODEL_FIELD = "q4.baseline"
NORMALIZATION = {"mean": "0.2860", "std": "0.3530"}
LEASES = {"job_lease_s": 3.0, "job_heartbeat_s": 0.5, "job_sweep_s": 0.5}
"""Small enough that a dead worker's job is taken back within seconds."""
ENDED = (JobStatus.DONE.value, JobStatus.FAILED.value)


def main() -> None:
    """Set up the database, the broker and the server; run the three parts; tear down."""
    options = _options()
    with (
        tempfile.TemporaryDirectory(prefix="dlgrade-scaleout-") as scratch,
        cluster.own_redis(Path(scratch)) as broker_url,
        cluster.own_database(options.database_url) as database_url,
    ):
        env = _worker_env(database_url, broker_url, options.data)
        engine = create_engine(database_url)
        try:
            with _server(Path(scratch) / "api", env) as (base_url, token):
                _run(options, base_url, token, engine, env, Path(scratch))
        finally:
            engine.dispose()


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_ADMIN_URL, help="PostgreSQL server, as an admin"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Fashion-MNIST files")
    parser.add_argument("--students", type=int, default=200, help="students in the surge")
    parser.add_argument("--each", type=int, default=3, help="submissions per student")
    parser.add_argument("--uploads", type=int, default=64, help="models per evaluation run")
    parser.add_argument("--surge-only", action="store_true", help="run part (a) only")
    return parser.parse_args()


def _worker_env(database_url: str, broker_url: str, data: Path) -> dict[str, str]:
    """What a worker needs (the server gets the same): database, broker, dataset, leases."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLGRADE_")}
    return env | {
        "DLGRADE_DATABASE_URL": database_url,
        "DLGRADE_BROKER_URL": broker_url,
        "DLGRADE_DATASET_DIR": str(data),
        "DLGRADE_GRADING_WORKERS": "1",
        **{f"DLGRADE_{name.upper()}": str(value) for name, value in LEASES.items()},
    }


@contextmanager
def _server(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """`dlgrade serve` with 2 processes on the database and broker; its URL and a token."""
    data_dir.mkdir()
    port = cluster.free_port()
    token = secrets.token_urlsafe(32)
    shared = (
        "DLGRADE_BROKER_URL",
        "DLGRADE_DATASET_DIR",
        *(f"DLGRADE_{n.upper()}" for n in LEASES),
    )
    server = service.start_server(
        data_dir,
        port,
        token,
        server_workers=SERVER_WORKERS,
        grading_workers=2,
        database_url=env["DLGRADE_DATABASE_URL"],
        extra_env={key: env[key] for key in shared},
    )
    try:
        service.wait_until_up(server, port)
        yield f"http://{cluster.HOST}:{port}", token
    finally:
        print(f"\nserver exit status {service.stop(server)} after SIGTERM")


def _run(
    options: argparse.Namespace,
    base_url: str,
    token: str,
    engine: Engine,
    env: dict[str, str],
    scratch: Path,
) -> None:
    students = asyncio.run(_surge(options, base_url, token, engine))
    if options.surge_only:
        return
    needed = 2 * options.uploads + 1
    if len(students) < needed:
        raise SystemExit(f"--students must be at least {needed} for the uploads")
    print(f"\nmodel evaluations: {options.uploads} uploads, workers with --concurrency 1")
    rates = []
    for count in (1, 2):
        batch = students[(count - 1) * options.uploads : count * options.uploads]
        rates.append(_evaluations(base_url, engine, scratch, env, count, batch))
    print(f"  ratio          {rates[1] / rates[0]:8.2f}x   2 workers over 1")
    _takeover(base_url, engine, scratch, env, students[-1])


async def _surge(
    options: argparse.Namespace, base_url: str, token: str, engine: Engine
) -> list[str]:
    """(a): create the students (untimed), then the surge; its figures. The students' tokens."""
    limits = surge.client_limits(options.students)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        students = await service.create_students(client, token, options.students)
        seen = await surge.surge(client, students, options.each)
    stored = _submission_ids(engine)
    print(f"{SERVER_WORKERS} server processes on PostgreSQL, broker and rate limits on Redis")
    surge.report(seen, len(stored), options.students, options.each)
    acknowledged = set(seen.acknowledged)
    twice = len(seen.acknowledged) - len(acknowledged)
    server_errors = sum(count for code, count in seen.statuses.items() if code >= 500)
    print(f"  lost          {len(acknowledged - stored):8d}   acknowledged, not stored")
    print(f"  duplicated    {len(stored - acknowledged) + twice:8d}   stored, not acknowledged")
    print(f"  5xx           {server_errors:8d}")
    return students


def _submission_ids(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        query = select(Submission.id).where(Submission.problem_set == PROBLEM_SET)
        return set(connection.scalars(query))


def _evaluations(
    base_url: str,
    engine: Engine,
    scratch: Path,
    env: dict[str, str],
    count: int,
    students: list[str],
) -> float:
    """(b): the uploads evaluated by `count` ready workers; evaluations per second."""
    models = [_untrained_model(seed) for seed in range(len(students))]
    with (
        cluster.workers(scratch / f"evaluations-{count}", env, count),
        httpx.Client(base_url=base_url, timeout=60) as client,
    ):
        started = time.perf_counter()
        jobs = [
            _upload(client, student, model) for student, model in zip(students, models, strict=True)
        ]
        cluster.wait_for(lambda: _ended(engine, jobs) == len(jobs), what="the evaluations")
        elapsed = time.perf_counter() - started
    done = _count(engine, jobs, JobStatus.DONE.value)
    rate = len(jobs) / elapsed
    print(
        f"  {count} worker(s)    {rate:8.2f} evaluations/s   ({elapsed:.1f} s, "
        f"{done} of {len(jobs)} done, {_median_run_s(engine, jobs):.2f} s median per job)"
    )
    return rate


def _untrained_model(seed: int) -> bytes:
    """A freshly initialised LeNet as safetensors bytes: a valid upload, evaluated in full."""
    torch.manual_seed(seed)
    return safetensors.torch.save(build(LeNetOptions()).state_dict())


def _upload(client: httpx.Client, student: str, model: bytes) -> str:
    """A student uploads a model; the job id."""
    response = client.post(
        f"/api/v1/problem-sets/{PROBLEM_SET}/checkpoints",
        data={"field": MODEL_FIELD, **NORMALIZATION},
        files={"file": ("model.safetensors", model, "application/octet-stream")},
        headers={"Authorization": f"Bearer {student}"},
    )
    if response.status_code != 202:
        raise SystemExit(f"an upload got {response.status_code}: {response.text}")
    job_id: str = response.json()["job_id"]
    return job_id


def _ended(engine: Engine, jobs: list[str]) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(Job.id.in_(jobs), Job.status.in_(ENDED))
        return connection.scalar(query) or 0


def _count(engine: Engine, jobs: list[str], job_status: str) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(Job.id.in_(jobs), Job.status == job_status)
        return connection.scalar(query) or 0


def _median_run_s(engine: Engine, jobs: list[str]) -> float:
    """The median time from a job's (last) claim to its end."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Job.started_at, Job.finished_at).where(Job.id.in_(jobs))
        ).all()
    spans = [(end - start).total_seconds() for start, end in rows if start and end]
    return statistics.median(spans) if spans else float("nan")


def _takeover(
    base_url: str, engine: Engine, scratch: Path, env: dict[str, str], student: str
) -> None:
    """(c): SIGKILL the worker running an evaluation; time until the other one finishes it."""
    settings = ", ".join(f"{name} {value:g}" for name, value in LEASES.items())
    print(f"\nSIGKILLed evaluation, 2 workers ({settings}, set small for this run)")
    with (
        cluster.workers(scratch / "takeover", env, 2) as pair,
        httpx.Client(base_url=base_url, timeout=60) as client,
    ):
        job_id = _upload(client, student, _untrained_model(seed=10_000))
        runner = cluster.wait_for(lambda: _runner(engine, job_id), what="the claim")
        claimant = next(worker for worker in pair if worker.owns(runner))
        claimant.kill()
        killed = time.perf_counter()
        cluster.wait_for(lambda: _ended(engine, [job_id]), what="the job taken over")
        elapsed = time.perf_counter() - killed
    job = _job(engine, job_id)
    print(f"  finished by the other worker {elapsed:6.1f} s after the SIGKILL")
    print(
        f"  status {job.status}, attempts {job.attempts}, evaluations stored once: "
        f"{_evaluations_stored(engine, job.user_id) == 1}"
    )


def _runner(engine: Engine, job_id: str) -> int | None:
    """The process id of the job's runner, once the job runs."""
    job = _job(engine, job_id)
    if job.status != JobStatus.RUNNING.value or job.runner is None:
        return None
    return int(job.runner.split(":")[-2])


def _job(engine: Engine, job_id: str) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
    if job is None:
        raise SystemExit(f"job {job_id} is not in the database")
    return job


def _evaluations_stored(engine: Engine, user_id: str) -> int:
    """How many model grades a student has."""
    with engine.connect() as connection:
        query = (
            select(func.count())
            .select_from(FieldGrade)
            .join(Submission, FieldGrade.submission_id == Submission.id)
            .where(Submission.user_id == user_id, FieldGrade.field == MODEL_FIELD)
        )
        return connection.scalar(query) or 0


if __name__ == "__main__":
    main()
