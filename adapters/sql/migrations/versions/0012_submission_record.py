"""the record of a submission, kept before its request leaves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

`submission` (JSON, NULL for none): whether the job's provider records what it sends before
sending (`recorded`), and that record (`sent_at`, `answered_at`, the adapter's `record`), saved
before the request leaves. A job found in `submitting` with `recorded` and no record sent nothing
and is submitted again; one with a record is settled from the provider's task history. Jobs
recorded before it have neither: found in `submitting`, they become unknown_outcome as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("submission", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.drop_column("submission")
