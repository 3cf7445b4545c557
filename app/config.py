"""One Settings object, read from DLGRADE_* environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.problemsets.paths import DEFAULT_DIRECTORY

MIN_SECRET_CHARS = 24
SHAREABLE_BROKERS = ("redis://", "rediss://")
"""Brokers whose URL is also a `limits` storage, where the rate limits can be counted."""


class Settings(BaseSettings):
    """Service configuration; production refuses the conveniences of development."""

    model_config = SettingsConfigDict(env_prefix="DLGRADE_", frozen=True)

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    # Where what the problem sets cost to derive is kept between processes (app/cache.py,
    # which reads DLGRADE_CACHE_DIR itself); unset, the XDG cache directory.
    cache_dir: Path | None = None
    database_url: str | None = None
    problems_dir: Path = DEFAULT_DIRECTORY
    instructor_token: SecretStr | None = None
    rate_limit: str = "120/minute"
    # Where the rate and sign-in limits are counted (a `limits` storage URI); unset, the
    # broker's Redis when DLGRADE_BROKER_URL is set, so that every process counts in one place,
    # else memory:// (each process on its own).
    rate_limit_storage: str | None = None
    grading_workers: int = Field(default=2, ge=1, le=64)
    answer_time_limit_s: float = Field(default=2.0, gt=0, le=60)
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    # `dlgrade serve`: where it listens, how many server processes, how long a stop may take.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    server_workers: int = Field(default=1, ge=1, le=64)
    keep_alive_s: int = Field(default=5, ge=1, le=300)
    shutdown_timeout_s: int = Field(default=30, ge=1, le=3600)
    # Deadline surges, per server process: how many requests may use the database at once,
    # how many more may wait for it and for how long (then 503 with Retry-After), how long a
    # request may run once its body is in (then 503, rolled back), and how long a client may
    # take to send its headers and its body (then the connection is closed, or 408).
    max_concurrent_requests: int = Field(default=16, ge=1, le=1000)
    max_queued_requests: int = Field(default=256, ge=0, le=100_000)
    queue_timeout_s: float = Field(default=30.0, gt=0, le=600)
    request_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    header_timeout_s: float = Field(default=10.0, gt=0, le=600)
    body_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    # Checkpoint evaluation: where Fashion-MNIST lives (downloaded there when missing), the
    # device (auto|cpu|cuda), the upload size limit, the bytes one student's waiting uploads
    # may hold before more are refused, and the sandboxed evaluation workers.
    dataset_dir: Path = Path("data") / "fashion-mnist"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    max_checkpoint_bytes: int = Field(default=20_000_000, ge=1_000, le=1_000_000_000)
    max_pending_upload_bytes: int = Field(default=100_000_000, ge=1_000)
    evaluation_workers: int = Field(default=1, ge=1, le=16)
    evaluation_timeout_s: float = Field(default=300.0, gt=0, le=3600)
    evaluation_memory_bytes: int = Field(default=3_000_000_000, ge=500_000_000)
    # Class imports (POST .../batches): the largest class file, model files included.
    max_batch_bytes: int = Field(default=200_000_000, ge=1_000, le=10_000_000_000)
    # How long an upload (model or class file) is kept in the database once its job has ended.
    upload_retention_s: float = Field(default=7 * 24 * 3600.0, ge=0)
    # Web pages: the key that signs CSRF tokens (kept in data_dir/secret-key when unset), and
    # whether the session cookie is Secure (browsers keep Secure cookies on http://127.0.0.1).
    secret_key: SecretStr | None = None
    cookie_secure: bool = True
    # The job queue for workers on other machines (`dlgrade worker`), e.g. redis://redis:6379/0;
    # unset, jobs run in the service's own processes.
    broker_url: str | None = None
    # Celery workers: how long a request may wait for the broker before the job is left for
    # the sweeper, how often a worker says its jobs are alive, how long it may stay silent
    # before its jobs are taken back, and how often the sweeper looks for such jobs.
    broker_timeout_s: float = Field(default=2.0, gt=0, le=60)
    job_heartbeat_s: float = Field(default=10.0, gt=0, le=600)
    job_lease_s: float = Field(default=30.0, gt=0, le=3600)
    job_sweep_s: float = Field(default=5.0, gt=0, le=600)
    # Regrade requests: how many one student may open (a rate such as "10/hour", counted where
    # the other rate limits are) and the longest message.
    regrade_request_rate_limit: str = "10/hour"
    max_regrade_message_chars: int = Field(default=2000, ge=1, le=20_000)
    # The deployment a server process belongs to: of its processes, the first to start
    # re-queues the jobs a stopped service left, and the others leave them. `dlgrade serve`
    # gives its processes a new one when unset; unset elsewhere, a process is one of its own.
    deployment_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$"
    )

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> "Settings":
        if self.environment == "production":
            if self.database_url is None:
                raise ValueError("production needs DLGRADE_DATABASE_URL")
            token = self.instructor_token
            if token is not None and len(token.get_secret_value()) < MIN_SECRET_CHARS:
                raise ValueError(
                    f"DLGRADE_INSTRUCTOR_TOKEN must be at least {MIN_SECRET_CHARS} characters"
                )
            key = self.secret_key
            if key is not None and len(key.get_secret_value()) < MIN_SECRET_CHARS:
                raise ValueError(
                    f"DLGRADE_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters"
                )
        return self

    @property
    def resolved_rate_limit_storage(self) -> str:
        """Where the rate limits are counted: as set, else the broker's Redis, else memory."""
        if self.rate_limit_storage:
            return self.rate_limit_storage
        if self.broker_url is None:
            return "memory://"
        if self.broker_url.startswith(SHAREABLE_BROKERS):
            return self.broker_url
        raise ValueError(
            "the broker is not Redis, so the rate limits cannot be counted there: "
            "set DLGRADE_RATE_LIMIT_STORAGE"
        )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dlgrade.db').resolve()}"
