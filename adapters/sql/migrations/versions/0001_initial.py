"""jobs, assets, usage and quota tables

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from videoforge.adapters.sql.types import Money, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_jobs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("source_module", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("inputs_kept", sa.Boolean, nullable=False),
        sa.Column("estimated_cost", Money, nullable=False),
        sa.Column("actual_cost", Money),
        sa.Column("billed_seconds", sa.Float, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("provider_job_id", sa.String(255)),
        sa.Column("reservation_id", sa.String(64)),
        sa.Column("output_url", sa.Text),
        sa.Column("asset_id", sa.String(64)),
        sa.Column("error_code", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("error_retryable", sa.Boolean),
        sa.Column("error_provider_code", sa.Integer),
        sa.Column("money_spent", sa.Boolean),
        sa.Column("job_metadata", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("submitted_at", UtcDateTime),
        sa.Column("finished_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_video_jobs"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_video_jobs_user_id_idempotency_key"),
    )
    op.create_table(
        "content_assets",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("asset_type", sa.String(16), nullable=False),
        sa.Column("source_module", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("file_path", sa.String(1000), nullable=False),
        sa.Column("file_url", sa.String(1000), nullable=False),
        sa.Column("file_size", sa.BigInteger, nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("title", sa.String(500)),
        sa.Column("prompt", sa.Text),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("asset_metadata", sa.JSON, nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("cost", Money, nullable=False),
        sa.Column("generation_time", sa.Float),
        sa.Column("duration", sa.Float),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("fps", sa.Float),
        sa.Column("codec", sa.String(32)),
        sa.Column("has_audio", sa.Boolean, nullable=False),
        sa.Column("thumbnail_key", sa.String(1000)),
        sa.Column("parent_asset_ids", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content_assets"),
        sa.UniqueConstraint("job_id", name="uq_content_assets_job_id"),
    )
    op.create_index("ix_content_assets_user_id", "content_assets", ["user_id"])
    op.create_table(
        "api_usage_logs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("actual_provider_name", sa.String(100), nullable=False),
        sa.Column("model_used", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("source_module", sa.String(64), nullable=False),
        sa.Column("cost_total", Money, nullable=False),
        sa.Column("billed_seconds", sa.Float, nullable=False),
        sa.Column("response_time", sa.Float, nullable=False),
        sa.Column("request_size", sa.BigInteger, nullable=False),
        sa.Column("response_size", sa.BigInteger, nullable=False),
        sa.Column("timestamp", UtcDateTime, nullable=False),
        sa.Column("billing_period", sa.String(7), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_usage_logs"),
        sa.UniqueConstraint("job_id", name="uq_api_usage_logs_job_id"),
    )
    op.create_index("ix_api_usage_logs_user_id_billing_period", "api_usage_logs", ["user_id", "billing_period"])
    op.create_table(
        "usage_summaries",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("billing_period", sa.String(7), nullable=False),
        sa.Column("video_calls", sa.Integer, nullable=False),
        sa.Column("video_cost", Money, nullable=False),
        sa.Column("total_calls", sa.Integer, nullable=False),
        sa.Column("total_cost", Money, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_summaries"),
        sa.UniqueConstraint("user_id", "billing_period", name="uq_usage_summaries_user_id_billing_period"),
    )
    op.create_table(
        "user_subscriptions",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("plan", sa.String(50), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_subscriptions"),
    )
    op.create_table(
        "quota_periods",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("billing_period", sa.String(7), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "billing_period", name="pk_quota_periods"),
    )
    op.create_table(
        "quota_reservations",
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("billing_period", sa.String(7), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("actual", Money),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("job_id", name="pk_quota_reservations"),
    )
    op.create_index("ix_quota_reservations_user_id_billing_period_state", "quota_reservations",
                    ["user_id", "billing_period", "state"])


def downgrade() -> None:
    for table in ("quota_reservations", "quota_periods", "user_subscriptions", "usage_summaries", "api_usage_logs",
                  "content_assets", "video_jobs"):
        op.drop_table(table)
