"""index for finding a job by its provider's task

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

A provider's webhook names its task; the job that owns it is found by (provider, provider_job_id).
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_video_jobs_provider_provider_job_id", "video_jobs", ["provider", "provider_job_id"])


def downgrade() -> None:
    op.drop_index("ix_video_jobs_provider_provider_job_id", "video_jobs")
