"""Regrade requests: a student asks for a second look at one field; an instructor answers.

Revision ID: 0011_regrade_requests
Revises: 0010_fingerprints
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_regrade_requests"
down_revision: str | None = "0010_fingerprints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    """Create regrade_requests."""
    op.create_table(
        "regrade_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("submission_id", sa.String(36), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("problem_set", sa.String(100), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("reply", sa.Text, nullable=True),
        sa.Column("override_id", sa.String(36), sa.ForeignKey("overrides.id"), nullable=True),
        sa.Column("answered_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("answered_at", TIMESTAMP, nullable=True),
    )
    op.create_index("ix_regrade_requests_submission_id", "regrade_requests", ["submission_id"])
    op.create_index(
        "ix_regrade_requests_listing", "regrade_requests", ["problem_set", "status", "opened_at"]
    )
    op.create_index(
        "uq_regrade_requests_open",
        "regrade_requests",
        ["user_id", "problem_set", "field"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("regrade_requests")
