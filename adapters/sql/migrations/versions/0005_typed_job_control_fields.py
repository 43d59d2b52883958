"""the job's control data in typed columns instead of the job_metadata JSON

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

`request_fingerprint`, `submit_deferrals` and `provider_billed_seconds` were keys of
`job_metadata`; they become columns, carrying every row's values over. The rest of that JSON
(the planned width and height, the ignored request fields) was never read, and goes with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

jobs = sa.table(
    "video_jobs",
    sa.column("id", sa.String),
    sa.column("job_metadata", sa.JSON),
    sa.column("request_fingerprint", sa.String),
    sa.column("submit_deferrals", sa.Integer),
    sa.column("provider_billed_seconds", sa.Float),
)
CONTROL = ("request_fingerprint", "submit_deferrals", "provider_billed_seconds")


def upgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("request_fingerprint", sa.String(64)))
        batch.add_column(sa.Column("submit_deferrals", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("provider_billed_seconds", sa.Float))
    carried = jobs.c.job_metadata
    op.execute(jobs.update().values(
        request_fingerprint=carried["request_fingerprint"].as_string(),
        submit_deferrals=sa.func.coalesce(carried["submit_deferrals"].as_integer(), 0),
        provider_billed_seconds=carried["provider_billed_seconds"].as_float(),
    ))
    with op.batch_alter_table("video_jobs") as batch:
        batch.drop_column("job_metadata")


def downgrade() -> None:
    with op.batch_alter_table("video_jobs") as batch:
        batch.add_column(sa.Column("job_metadata", sa.JSON))
    connection = op.get_bind()
    rows = connection.execute(sa.select(jobs.c.id, *(jobs.c[name] for name in CONTROL))).all()
    for row in rows:
        values = {name: getattr(row, name) for name in CONTROL if getattr(row, name)}
        connection.execute(jobs.update().where(jobs.c.id == row.id).values(job_metadata=values))
    with op.batch_alter_table("video_jobs") as batch:
        batch.alter_column("job_metadata", existing_type=sa.JSON, nullable=False)
        for name in CONTROL:
            batch.drop_column(name)
