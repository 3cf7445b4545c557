"""`dlgrade worker`: its options become Celery's worker arguments; bad queues and a missing
broker are refused before anything starts."""

import pytest

from app.cli import _parser, main
from app.jobs.celery_app import QUEUES


def parsed_argv(*options: str) -> list[str]:
    from app.commands.worker import worker_argv

    return worker_argv(_parser().parse_args(["worker", *options]))


def test_the_defaults_take_every_queue_one_job_at_a_time() -> None:
    argv = parsed_argv()
    assert argv[argv.index("--queues") + 1].split(",") == list(QUEUES)
    assert argv[argv.index("--pool") + 1] == "prefork"
    assert argv[argv.index("--concurrency") + 1] == "1"
    assert argv[argv.index("--prefetch-multiplier") + 1] == "1"
    assert "--time-limit" not in argv


def test_the_options_reach_celery() -> None:
    argv = parsed_argv(
        "--queues", " evaluations ", "--concurrency", "3", "--prefetch-multiplier", "2",
        "--time-limit", "90",
    )  # fmt: skip
    assert argv[argv.index("--queues") + 1] == "evaluations"
    assert argv[argv.index("--concurrency") + 1] == "3"
    assert argv[argv.index("--prefetch-multiplier") + 1] == "2"
    assert argv[argv.index("--time-limit") + 1] == "90.0"


@pytest.mark.parametrize(
    "queues",
    ["", ",", "celery", "evaluations,default", "imports;rm -rf /", "\u202eimports", "x" * 10_000],
)
def test_unknown_queues_are_refused(queues: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--queues", queues]) == 2
    assert "--queues takes some of evaluations, imports, regrades" in capsys.readouterr().err


def test_a_worker_needs_a_broker(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DLGRADE_BROKER_URL", raising=False)
    assert main(["worker"]) == 2
    assert "DLGRADE_BROKER_URL" in capsys.readouterr().err
