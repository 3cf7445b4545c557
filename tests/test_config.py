"""Settings rules that tie one setting to another."""

import pytest

from app.config import Settings


@pytest.mark.parametrize(
    ("storage", "broker", "counted_in"),
    [
        (None, None, "memory://"),
        (None, "redis://redis:6379/0", "redis://redis:6379/0"),
        (None, "rediss://redis:6380/1", "rediss://redis:6380/1"),
        ("redis://limits:6379/2", "redis://redis:6379/0", "redis://limits:6379/2"),
        ("memory://", "redis://redis:6379/0", "memory://"),
        ("redis://limits:6379/2", None, "redis://limits:6379/2"),
    ],
)
def test_rate_limits_are_counted_in_the_brokers_redis_unless_told_otherwise(
    storage: str | None, broker: str | None, counted_in: str
) -> None:
    settings = Settings(rate_limit_storage=storage, broker_url=broker)
    assert settings.resolved_rate_limit_storage == counted_in


def test_a_broker_that_is_not_redis_needs_a_storage_of_its_own() -> None:
    settings = Settings(broker_url="amqp://rabbit:5672//")
    with pytest.raises(ValueError, match="DLGRADE_RATE_LIMIT_STORAGE"):
        settings.resolved_rate_limit_storage  # noqa: B018
