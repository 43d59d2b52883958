"""The tables at the head revision. Names follow the legacy ALwrity tables where one exists
(`content_assets`, `api_usage_logs`, `usage_summaries`, `user_subscriptions`); migrations in
`migrations/versions` create them, and a test checks that both agree."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from videoforge.adapters.sql.types import Money, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

video_jobs = Table(
    "video_jobs", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False),
    Column("idempotency_key", String(255)),
    Column("status", String(32), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("model", String(200), nullable=False),
    Column("operation", String(32), nullable=False),
    Column("source_module", String(64), nullable=False),
    Column("request", JSON, nullable=False),  # the VideoRequest; inputs by path, bytes described only
    Column("inputs_kept", Boolean, nullable=False),  # false: an input was given as bytes, not stored
    Column("estimated_cost", Money, nullable=False),
    Column("actual_cost", Money),
    Column("billed_seconds", Float, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("provider_job_id", String(255)),
    Column("reservation_id", String(64)),
    Column("output_url", Text),
    Column("asset_id", String(64)),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("error_retryable", Boolean),
    Column("error_provider_code", Integer),
    Column("money_spent", Boolean),
    Column("request_fingerprint", String(64)),  # VideoRequest.fingerprint of the request as received
    Column("submit_deferrals", Integer, nullable=False, server_default="0"),  # refused for now, nothing created
    Column("provider_billed_seconds", Float),  # what the provider reported billing
    Column("attempts", JSON),  # the providers tried before the current one (VideoJob.attempts); NULL: none
    Column("lease_owner", String(64)),  # the runner saving the job's output now (not part of the saved job)
    Column("lease_until", UtcDateTime),  # ... until then: after it, the runner is taken for dead
    Column("submission", JSON),  # the current submission's record, before its request left (VideoJob.sent)
    Column("trace_context", String(64)),  # W3C traceparent of the job's creation (tracing on); NULL: none
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("submitted_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    UniqueConstraint("user_id", "idempotency_key"),
    Index(None, "user_id", "created_at"),
    Index(None, "status", "created_at"),
    Index(None, "provider", "provider_job_id"),
)

content_assets = Table(
    "content_assets", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False, index=True),
    Column("job_id", String(64), nullable=False, unique=True),
    Column("asset_type", String(16), nullable=False),
    Column("source_module", String(64), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("file_path", String(1000), nullable=False),  # the storage key
    Column("file_url", String(1000), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("mime_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("operation", String(32), nullable=False),
    Column("title", String(500)),
    Column("prompt", Text),
    Column("tags", JSON, nullable=False),
    Column("asset_metadata", JSON, nullable=False),
    Column("provider", String(100), nullable=False),
    Column("model", String(200), nullable=False),
    Column("cost", Money, nullable=False),
    Column("generation_time", Float),
    Column("duration", Float),
    Column("width", Integer),
    Column("height", Integer),
    Column("fps", Float),
    Column("codec", String(32)),
    Column("has_audio", Boolean, nullable=False),
    Column("thumbnail_key", String(1000)),
    Column("parent_asset_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "user_id", "source_module", "created_at"),
)

# One row per completed, billed video (the legacy log had one per API call).
api_usage_logs = Table(
    "api_usage_logs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(64), nullable=False, unique=True),
    Column("user_id", String(255), nullable=False),
    Column("provider", String(32), nullable=False),  # always "video", the legacy APIProvider value
    Column("actual_provider_name", String(100), nullable=False),
    Column("model_used", String(200), nullable=False),
    Column("operation", String(32), nullable=False),
    Column("source_module", String(64), nullable=False),
    Column("cost_total", Money, nullable=False),
    Column("billed_seconds", Float, nullable=False),
    Column("response_time", Float, nullable=False),
    Column("request_size", BigInteger, nullable=False),
    Column("response_size", BigInteger, nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("billing_period", String(7), nullable=False),
    Index(None, "user_id", "billing_period"),
)

usage_summaries = Table(
    "usage_summaries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(255), nullable=False),
    Column("billing_period", String(7), nullable=False),
    Column("video_calls", Integer, nullable=False),
    Column("video_cost", Money, nullable=False),
    Column("total_calls", Integer, nullable=False),
    Column("total_cost", Money, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("user_id", "billing_period"),
)

# The plan of a user, by name; the plans' limits live in the domain (domain.quota).
user_subscriptions = Table(
    "user_subscriptions", metadata,
    Column("user_id", String(255), primary_key=True),
    Column("plan", String(64), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("assigned_by", String(255)),  # who put the user on the plan: an admin's subject, "cli"
)

# One row per user and billing period: what a reservation locks (SELECT ... FOR UPDATE) so
# that the admission check and the insert of the reservation are one atomic step.
quota_periods = Table(
    "quota_periods", metadata,
    Column("user_id", String(255), primary_key=True),
    Column("billing_period", String(7), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)

quota_reservations = Table(
    "quota_reservations", metadata,
    Column("job_id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False),
    Column("billing_period", String(7), nullable=False),
    Column("state", String(16), nullable=False),
    Column("amount", Money, nullable=False),
    Column("actual", Money),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "user_id", "billing_period", "state"),
    Index(None, "state", "created_at"),
)

# One row per saved change of a job (and its creation), numbered by the job's version: what
# `GET /api/video/jobs/{id}/events` streams, from whichever process saved it.
job_events = Table(
    "job_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("progress", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("job_id", "version"),
)

# The one callback delivery of a finished job (job_id is the key: claimed once, whoever finishes it).
callback_deliveries = Table(
    "callback_deliveries", metadata,
    Column("job_id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The uploads a user keeps (the file is in storage under `storage_key`): what the plan's upload
# limits count, and what expires unused (`last_used_at`; `expiring`: its file is being deleted).
uploads = Table(
    "uploads", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("storage_key", String(1000), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False, index=True),
    Column("expiring", Boolean, nullable=False),
)
