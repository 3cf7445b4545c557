"""Users, submissions and field grades.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("problem_set", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("max_total", sa.Float, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("score_factor", sa.Float, nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("problem_hash", sa.String(64), nullable=False),
        sa.Column("reference_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_submissions_set_user", "submissions", ["problem_set", "user_id"])
    op.create_table(
        "field_grades",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(36), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("feedback", sa.Text, nullable=False),
        sa.Column("parsed", sa.Text, nullable=True),
    )
    op.create_index("ix_field_grades_submission_id", "field_grades", ["submission_id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("field_grades")
    op.drop_table("submissions")
    op.drop_table("users")
