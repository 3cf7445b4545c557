"""The catalog version: one row that a regrade's reload bumps and every process follows.

Revision ID: 0005_catalog
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005_catalog"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create catalog_versions with its one row, at counter 0 (the files as deployed)."""
    versions = op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("counter", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    row = {"id": 1, "counter": 0, "fingerprint": "", "changed_at": datetime.now(UTC)}
    op.bulk_insert(versions, [row])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("catalog_versions")
