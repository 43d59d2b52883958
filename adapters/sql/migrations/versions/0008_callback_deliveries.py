"""callback deliveries: the one signed POST of a finished job to its caller's URL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A job may carry a `callback_url` (kept in its request JSON); when it ends, its delivery is
claimed here (the job id is the key, so only one runner sends it) and each attempt recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from videoforge.adapters.sql.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_deliveries",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("job_id", name="pk_callback_deliveries"),
    )


def downgrade() -> None:
    op.drop_table("callback_deliveries")
