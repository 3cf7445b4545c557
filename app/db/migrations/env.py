"""Alembic environment: runs on the connection handed over by app.db.migrate, or on the URL."""

from alembic import context
from sqlalchemy import Connection, create_engine

from app.db.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations online, on a given connection when there is one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "set sqlalchemy.url"
    with create_engine(url).begin() as own:
        _migrate(own)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
