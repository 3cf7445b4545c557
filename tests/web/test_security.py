"""The signing key, CSRF tokens and the Origin check, on their own."""

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.web.security import (
    SECRET_FILE,
    CsrfRefused,
    _create_key,
    check_csrf,
    check_origin,
    csrf_token,
    secret_key,
)


def test_the_key_is_generated_once_and_kept_readable_only_by_the_service(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    key = secret_key(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32
    assert bytes.fromhex(path.read_text().strip()) == key
    assert secret_key(Settings(data_dir=tmp_path / "data")) == key
    assert [entry.name for entry in path.parent.iterdir()] == [SECRET_FILE]


def test_a_second_writer_keeps_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    _create_key(path)
    first = path.read_text()
    _create_key(path)
    assert path.read_text() == first
    assert [entry.name for entry in tmp_path.iterdir()] == [SECRET_FILE]


def test_the_setting_wins_over_the_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("k" * 32))
    assert secret_key(settings) == b"k" * 32
    assert not (tmp_path / SECRET_FILE).exists()


def test_production_refuses_a_short_key() -> None:
    with pytest.raises(ValueError, match="DLGRADE_SECRET_KEY"):
        Settings(environment="production", database_url="sqlite://", secret_key=SecretStr("short"))


def test_a_token_belongs_to_one_key_and_one_session() -> None:
    token = csrf_token(b"key", "session")
    assert len(token) == 64
    assert token == csrf_token(b"key", "session")
    assert token != csrf_token(b"other key", "session")
    assert token != csrf_token(b"key", "other session")
    assert "session" not in token


@pytest.mark.parametrize(
    "sent",
    [None, "", "0" * 64, "\udcff", "x" * 10_000],
    ids=["missing", "empty", "zeros", "surrogate", "long"],
)
def test_a_wrong_token_is_refused(sent: str | None) -> None:
    with pytest.raises(CsrfRefused):
        check_csrf(b"key", "session", sent)


def test_the_right_token_passes() -> None:
    check_csrf(b"key", "session", csrf_token(b"key", "session"))


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (None, "testserver"),
        ("https://testserver", "testserver"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("http://LOCALHOST:8000", "localhost:8000"),
    ],
)
def test_the_same_origin_passes(origin: str | None, host: str) -> None:
    check_origin(origin, host)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://evil.example", "testserver"),
        ("null", "testserver"),
        ("http://127.0.0.1:9000", "127.0.0.1:8000"),
        ("https://testserver.evil.example", "testserver"),
        ("https://testserver", None),
        ("", "testserver"),
    ],
)
def test_another_origin_is_refused(origin: str, host: str | None) -> None:
    with pytest.raises(CsrfRefused):
        check_origin(origin, host)
