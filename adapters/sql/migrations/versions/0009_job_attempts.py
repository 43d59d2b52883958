"""the providers a job tried before its current one

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

`attempts` (JSON, NULL for none): each earlier attempt's provider, model, task id, outcome
(refused, or cancelled before it started), cost and time, written when a job falls back to
another provider (domain/routing.py). Jobs recorded before it have tried one provider only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.drop_column("attempts")
