"""No shared disk: uploaded models and class files kept in the database, in chunks.

Revision ID: 0005_blobs
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_blobs"
down_revision: str | None = "0005_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create blobs and blob_chunks."""
    op.create_table(
        "blobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
    )
    op.create_index("ix_blobs_owner_id", "blobs", ["owner_id"])
    op.create_index("ix_blobs_job_id", "blobs", ["job_id"])
    op.create_index("ix_blobs_expires_at", "blobs", ["expires_at"])
    op.create_table(
        "blob_chunks",
        sa.Column(
            "blob_id",
            sa.String(36),
            sa.ForeignKey("blobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
