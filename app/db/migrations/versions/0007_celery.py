"""Worker queues: when a job was handed to the queue (None: still to be sent).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_celery"
down_revision: str | None = "0005_blobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add jobs.dispatched_at."""
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("dispatched_at")
