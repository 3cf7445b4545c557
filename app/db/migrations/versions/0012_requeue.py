"""The deployments whose start re-queued the jobs, so that each does it once.

Revision ID: 0012_requeue
Revises: 0011_regrade_requests
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_requeue"
down_revision: str | None = "0011_regrade_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create job_requeues."""
    op.create_table(
        "job_requeues",
        sa.Column("deployment", sa.String(64), primary_key=True),
        sa.Column("requeued_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("job_requeues")
