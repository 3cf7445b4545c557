"""Class imports, answer notes and regrades: student logins, batch keys, notes, regrade times.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add users.login, submissions.batch_key, regraded_at and published, field_grades.note."""
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("login", sa.String(200), nullable=True))
        users.create_unique_constraint("uq_users_login", ["login"])
    with op.batch_alter_table("submissions") as submissions:
        submissions.add_column(sa.Column("batch_key", sa.String(64), nullable=True))
        submissions.add_column(sa.Column("regraded_at", sa.DateTime(timezone=True), nullable=True))
        submissions.add_column(
            sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "uq_submissions_batch_key",
        "submissions",
        ["user_id", "problem_set", "batch_key"],
        unique=True,
    )
    with op.batch_alter_table("field_grades") as field_grades:
        field_grades.add_column(sa.Column("note", sa.String(100), nullable=True))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("field_grades") as field_grades:
        field_grades.drop_column("note")
    op.drop_index("uq_submissions_batch_key", table_name="submissions")
    with op.batch_alter_table("submissions") as submissions:
        submissions.drop_column("published")
        submissions.drop_column("regraded_at")
        submissions.drop_column("batch_key")
    with op.batch_alter_table("users") as users:
        users.drop_constraint("uq_users_login", type_="unique")
        users.drop_column("login")
