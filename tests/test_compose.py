"""compose.yaml scales the service out: the API, a CPU worker and a GPU worker behind a profile,
on PostgreSQL and Redis that are healthy before anything uses them."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
# The job queues agreed with the Celery backend, one per job kind.
QUEUES = {"evaluations", "imports", "regrades"}
PROJECT_SERVICES = ("dlgrade", "worker", "gpu-worker")
WORKERS = ("worker", "gpu-worker")


def with_defaults(text: str) -> str:
    """The text as compose reads it when no variable is set: `${NAME:-default}` -> default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", text)


def worker_queues(name: str) -> set[str]:
    """The queues a worker service consumes when no variable is set."""
    service = SERVICES[name]
    assert service["entrypoint"] == [".venv/bin/dlgrade", "worker"]
    command = service["command"]
    return set(with_defaults(command[command.index("--queues") + 1]).split(","))


def test_the_services_and_the_gpu_profile() -> None:
    assert set(SERVICES) == {*PROJECT_SERVICES, "postgres", "redis"}
    profiled = {name for name, service in SERVICES.items() if "profiles" in service}
    assert profiled == {"gpu-worker"} and SERVICES["gpu-worker"]["profiles"] == ["gpu"]


@pytest.mark.parametrize("server", ["postgres", "redis"])
def test_the_servers_report_their_health(server: str) -> None:
    check = SERVICES[server]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"} and check["retries"] >= 1


@pytest.mark.parametrize("name", PROJECT_SERVICES)
def test_the_project_waits_for_healthy_servers(name: str) -> None:
    depends = SERVICES[name]["depends_on"]
    for server in ("postgres", "redis"):
        assert depends[server]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", WORKERS)
def test_workers_start_after_the_api_has_migrated_the_schema(name: str) -> None:
    assert SERVICES[name]["depends_on"]["dlgrade"]["condition"] == "service_healthy"


def test_without_the_profile_every_job_kind_has_a_worker() -> None:
    assert worker_queues("worker") == QUEUES


def test_the_gpu_worker_evaluates_models_on_cuda() -> None:
    gpu = SERVICES["gpu-worker"]
    assert worker_queues("gpu-worker") == {"evaluations"}
    assert gpu["environment"]["DLGRADE_DEVICE"] == "cuda"
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert any("gpu" in device["capabilities"] for device in devices)


def test_the_gpu_image_is_built_with_other_torch_arguments() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    default = re.search(r'^ARG TORCH_PIP_ARGS="(.*)"$', dockerfile, flags=re.MULTILINE)
    assert default is not None and "/whl/cpu" in default.group(1)
    assert 'TORCH_PIP_ARGS="$TORCH_PIP_ARGS"' in dockerfile
    gpu = SERVICES["gpu-worker"]
    assert gpu["build"]["args"]["TORCH_PIP_ARGS"] != default.group(1)
    assert gpu["image"] != SERVICES["dlgrade"]["image"]


def test_the_api_and_the_workers_share_the_database_and_the_queue_only() -> None:
    shared = ("DLGRADE_DATABASE_URL", "DLGRADE_BROKER_URL")
    environments = [SERVICES[name]["environment"] for name in PROJECT_SERVICES]
    for setting in shared:
        assert len({environment[setting] for environment in environments}) == 1
    assert environments[0]["DLGRADE_BROKER_URL"].startswith("redis://redis:6379/")
    volumes = [
        volume.split(":")[0] for name in PROJECT_SERVICES for volume in SERVICES[name]["volumes"]
    ]
    assert len(volumes) == len(set(volumes)), "a volume is shared"
    assert set(volumes) <= set(COMPOSE["volumes"])


def test_the_api_runs_several_processes_with_limits_counted_in_redis() -> None:
    environment = SERVICES["dlgrade"]["environment"]
    assert int(environment["DLGRADE_SERVER_WORKERS"]) > 1
    assert environment["DLGRADE_RATE_LIMIT_STORAGE"].startswith("redis://redis:6379/")
