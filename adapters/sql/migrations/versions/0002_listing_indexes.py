"""indexes for listing jobs and assets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

list_for_user and list_unfinished (jobs) and the asset library's list by source module read
these in order instead of sorting the whole table.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_video_jobs_user_id_created_at", "video_jobs", ["user_id", "created_at"])
    op.create_index("ix_video_jobs_status_created_at", "video_jobs", ["status", "created_at"])
    op.create_index("ix_content_assets_user_id_source_module_created_at", "content_assets",
                    ["user_id", "source_module", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_content_assets_user_id_source_module_created_at", "content_assets")
    op.drop_index("ix_video_jobs_status_created_at", "video_jobs")
    op.drop_index("ix_video_jobs_user_id_created_at", "video_jobs")
