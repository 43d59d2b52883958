"""job events: one row per saved change of a job

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`GET /api/video/jobs/{id}/events` streams a job's changes to a client, whichever process runs
the job, and resumes after the last one it saw: each save of a job (and its creation) writes its
status, progress and message here, in the same transaction, numbered by the job's version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from videoforge.adapters.sql.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_events",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_events"),
        sa.UniqueConstraint("job_id", "version", name="uq_job_events_job_id_version"),
    )


def downgrade() -> None:
    op.drop_table("job_events")
