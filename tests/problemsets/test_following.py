"""The catalog version: a reload recorded by one process is followed by another's catalog."""

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import create_db_engine, session_factory, transaction
from app.db.migrate import upgrade
from app.problemsets.catalog import ProblemCatalog
from app.problemsets.following import CatalogFollower, current_version
from app.problemsets.paths import DEFAULT_DIRECTORY
from tests.problemsets.editing import edit_problem_file

EDIT_FROM, EDIT_TO = "points: 12.5", "points: 25"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new, migrated SQLite database."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def problems(tmp_path: Path) -> Path:
    """A copy of the problem files that the test may edit."""
    copy = tmp_path / "problems"
    shutil.copytree(DEFAULT_DIRECTORY, copy)
    return copy


def test_another_process_follows_a_recorded_reload(
    sessions: sessionmaker[Session], problems: Path
) -> None:
    here, there = (CatalogFollower(ProblemCatalog(problems)) for _ in range(2))
    unchanged = there.catalog.fingerprint
    edit_problem_file(problems, EDIT_FROM, EDIT_TO)
    assert here.catalog.reload()
    with transaction(sessions) as session:
        there.follow(session)
        assert there.catalog.fingerprint == unchanged
        here.record(session)
    with transaction(sessions) as session:
        there.follow(session)
        assert current_version(session) == here.version == there.version == 1
    assert there.catalog.fingerprint == here.catalog.fingerprint != unchanged


def test_a_rolled_back_record_is_neither_seen_nor_remembered(
    sessions: sessionmaker[Session], problems: Path
) -> None:
    here = CatalogFollower(ProblemCatalog(problems))
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        here.record(session)
        raise RuntimeError("the request failed")
    with transaction(sessions) as session:
        assert current_version(session) == here.version == 0


def test_a_broken_file_keeps_the_catalog_and_says_so(
    sessions: sessionmaker[Session], problems: Path, caplog: pytest.LogCaptureFixture
) -> None:
    here, there = (CatalogFollower(ProblemCatalog(problems)) for _ in range(2))
    with transaction(sessions) as session:
        here.record(session)
    held = there.catalog.fingerprint
    edit_problem_file(problems, "questions:", "questions: [")
    with caplog.at_level(logging.WARNING), transaction(sessions) as session:
        there.follow(session)
    assert there.catalog.fingerprint == held and there.version == 1
    assert "not reloaded" in caplog.text
