"""index for listing held reservations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

ResumeJobs lists the reservations still held (QuotaGuard.held), oldest first.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_quota_reservations_state_created_at", "quota_reservations", ["state", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_quota_reservations_state_created_at", "quota_reservations")
