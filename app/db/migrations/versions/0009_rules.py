"""Answer rules: an instructor's ruling on one answer form of one field.

Revision ID: 0009_rules
Revises: 0008_overrides
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_rules"
down_revision: str | None = "0008_overrides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create answer_rules."""
    op.create_table(
        "answer_rules",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("problem_set", sa.String(100), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("parsed", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("credit", sa.Float(), nullable=False),
        sa.Column("note", sa.String(100), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("problem_set", "field", "parsed"),
    )
    op.create_index("ix_answer_rules_problem_set", "answer_rules", ["problem_set"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_answer_rules_problem_set", table_name="answer_rules")
    op.drop_table("answer_rules")
