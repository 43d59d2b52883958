"""the trace context a job was created in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

`trace_context` (a W3C traceparent, at most 55 characters; NULL for none): where the job was
created, recorded with tracing on (VIDEOFORGE_TRACING=otlp), so that whichever process runs the
job traces the run as a child of the request that created it. Jobs recorded before it have none:
their runs start traces of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("trace_context", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.drop_column("trace_context")
