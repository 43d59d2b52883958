"""the save lease of a job: who is saving its output, and until when

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

`lease_owner` and `lease_until` (NULL: nobody): a runner takes the lease before it downloads a
job's output and renews it as the output streams in, so a second runner waits instead of
downloading the same video again; a lease past `lease_until` belonged to a runner that died and
is taken over. Not part of the saved job: taking it changes no version and writes no event.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from videoforge.adapters.sql.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64)))
        batch.add_column(sa.Column("lease_until", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
