"""Fixtures: a folder laid out as Gradescope lays out /autograder, in a temp directory."""

from pathlib import Path

import pytest

from tests.gradescope.folder import Autograder, make_autograder


@pytest.fixture
def autograder(tmp_path: Path) -> Autograder:
    return make_autograder(tmp_path)
