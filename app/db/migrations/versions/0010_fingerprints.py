"""Model fingerprints and the copies found among them.

Revision ID: 0010_fingerprints
Revises: 0009_rules
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_fingerprints"
down_revision: str | None = "0009_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create model_fingerprints and model_copies."""
    op.create_table(
        "model_fingerprints",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("problem_set", sa.String(100), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("layout", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index(
        "ix_model_fingerprints_sha256", "model_fingerprints", ["problem_set", "field", "sha256"]
    )
    op.create_index(
        "ix_model_fingerprints_layout", "model_fingerprints", ["problem_set", "field", "layout"]
    )
    op.create_table(
        "model_copies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("problem_set", sa.String(100), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("distance", sa.Float, nullable=False),
        sa.Column("earlier_job_id", sa.String(36), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("earlier_user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("later_job_id", sa.String(36), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("later_user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("found_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_model_copies_problem_set", "model_copies", ["problem_set", "found_at"])
    op.create_index("ix_model_copies_earlier_job_id", "model_copies", ["earlier_job_id"])
    op.create_index("ix_model_copies_later_job_id", "model_copies", ["later_job_id"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("model_copies")
    op.drop_table("model_fingerprints")
