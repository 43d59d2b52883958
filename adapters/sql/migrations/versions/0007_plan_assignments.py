"""per-user plan assignments made by a person: who assigned them, plan names up to 64 characters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

`user_subscriptions` holds the plan a user is assigned (`videoforge plans set`, the admin
route). It gains `assigned_by` (an admin's subject, or `cli`), and the plan name column takes
the 64 characters a plans file allows. Rows are kept; existing ones have no `assigned_by`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite rebuilds the (small) table to change a column's type; PostgreSQL alters it in place
    with op.batch_alter_table("user_subscriptions") as batch:
        batch.add_column(sa.Column("assigned_by", sa.String(255), nullable=True))
        batch.alter_column("plan", type_=sa.String(64), existing_type=sa.String(50), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("user_subscriptions") as batch:
        batch.alter_column("plan", type_=sa.String(50), existing_type=sa.String(64), existing_nullable=False)
        batch.drop_column("assigned_by")
