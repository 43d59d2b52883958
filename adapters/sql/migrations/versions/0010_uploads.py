"""uploads: the files a user keeps for later requests, counted by the plan and expired unused

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

One row per upload (its file is in storage under `storage_key`): the plan's upload limits
(`upload_bytes_limit`, `upload_count_limit`) count them, and the periodic resume deletes those
unused for VIDEOFORGE_UPLOAD_TTL (`last_used_at`; `expiring` while the file is being deleted).
Uploads made before this revision have no row: they stay usable and are neither counted nor
expired.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from videoforge.adapters.sql.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("storage_key", sa.String(1000), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_used_at", UtcDateTime, nullable=False),
        sa.Column("expiring", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_user_id", "uploads", ["user_id"])
    op.create_index("ix_uploads_last_used_at", "uploads", ["last_used_at"])


def downgrade() -> None:
    op.drop_index("ix_uploads_last_used_at", "uploads")
    op.drop_index("ix_uploads_user_id", "uploads")
    op.drop_table("uploads")
