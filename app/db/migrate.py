"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed)."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATING = "migrating the database to the newest schema"
"""Logged by every migration run, so that a deployment can tell how often its processes ran one."""


def alembic_config(url: str) -> Config:
    """An Alembic configuration for this project's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks."""
    log.info(MIGRATING)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
