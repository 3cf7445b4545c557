"""Instructor overrides: a field's score set by hand, with its history.

Revision ID: 0008_overrides
Revises: 0007_celery
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_overrides"
down_revision: str | None = "0007_celery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create overrides."""
    op.create_table(
        "overrides",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("submission_id", sa.String(36), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("previous_score", sa.Float, nullable=False),
        sa.Column("previous_verdict", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("set_at", TIMESTAMP, nullable=False),
        sa.Column("removed_at", TIMESTAMP, nullable=True),
        sa.Column("removed_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("removal_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_overrides_submission_field", "overrides", ["submission_id", "field"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("overrides")
