from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, read from the environment (names in architecture.md)."""

    model_config = SettingsConfigDict(env_prefix="VIDEOFORGE_", extra="ignore", populate_by_name=True)

    data_dir: Path = Path("./videoforge-data")
    database_url: str | None = None
    # PostgreSQL: every table, index and alembic_version live in this schema (see README, "Database")
    db_schema: str = Field("videoforge", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    db_pool_size: int = Field(5, ge=1)  # connections kept open per process (PostgreSQL)
    db_max_overflow: int = Field(5, ge=0)  # extra connections a burst may open per process
    db_pool_timeout: float = Field(30.0, gt=0)  # seconds between warnings while a transaction waits for a connection
    storage_dir: Path | None = None
    storage: Literal["memory", "filesystem", "s3"] | None = None
    # s3: an S3-compatible bucket; credentials (and, unless given here, endpoint and region) come
    # from the usual AWS_* environment variables
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint: str | None = None  # e.g. https://<account>.r2.cloudflarestorage.com; none: AWS
    s3_region: str | None = None
    s3_downloads: Literal["presigned", "streamed"] = "presigned"  # redirect to a signed URL, or via the API
    s3_url_ttl: float = Field(300.0, gt=0, le=7 * 24 * 3600)  # seconds a presigned download URL lives
    s3_part_size: int = Field(8 * 1024**2, ge=5 * 1024**2)  # multipart part; memory = part x concurrency
    s3_upload_concurrency: int = Field(4, ge=1)
    # seconds one call may wait on the store (an upload's part, a read's chunk), retries included
    s3_timeout: float = Field(60.0, gt=0)
    # the endpoint presigned download URLs name (the one clients reach), when the service talks to another
    s3_public_endpoint: str | None = None
    # sql: jobs, assets, usage and quota in the database of database_url; memory: in-process fakes
    backend: Literal["sql", "memory"] = "sql"
    wavespeed_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WAVESPEED_API_KEY", "VIDEOFORGE_WAVESPEED_API_KEY"))
    wavespeed_base_url: str = "https://api.wavespeed.ai"
    wavespeed_webhook_url: str | None = None  # a public https endpoint of `videoforge serve`, when there is one
    wavespeed_webhook_secret: SecretStr | None = None  # `whsec_...`, from GET /api/v3/webhook/secret
    wavespeed_connect_timeout: float = Field(10.0, gt=0)
    wavespeed_read_timeout: float = Field(60.0, gt=0)
    # Requests in flight to providers; the others wait their turn for free. httpcore's pool costs
    # grow with the square of this (BENCHMARKS.md: 300 jobs at once, 24 ms of CPU a job at 32, 62 at 500).
    wavespeed_max_connections: int = Field(32, gt=0)
    wavespeed_read_attempts: int = Field(5, ge=1)  # per poll / upload / download start, before giving up for now
    # fal: directly with a fal key, or through Hugging Face's router with a Hugging Face token
    fal_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("FAL_KEY", "VIDEOFORGE_FAL_KEY"))
    hf_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("HF_TOKEN", "VIDEOFORGE_HF_TOKEN"))
    fal_route: Literal["direct", "huggingface"] | None = None  # default: direct with FAL_KEY, else huggingface
    fal_queue_url: str | None = None  # default: https://queue.fal.run, or the router's fal-ai queue
    fal_webhook_url: str | None = None  # `<public https of videoforge serve>/api/video/webhooks/fal` (direct route)
    fal_jwks_url: str = "https://rest.alpha.fal.ai/.well-known/jwks.json"  # fal's webhook signing keys
    fal_rest_url: str = "https://rest.alpha.fal.ai"  # fal's storage API (input uploads, direct route)
    fal_inline_max: int = Field(1024 * 1024, ge=0)  # inputs up to this many bytes go inline as data URIs
    # family -> the provider a request naming the family gets, e.g. {"wan-2.5": "fal"}
    family_providers: dict[str, str] = Field(default_factory=dict)
    # family -> the providers tried next, in order, when one provably created nothing: {"wan-2.5": ["fal"]}
    fallbacks: dict[str, list[str]] = Field(default_factory=dict)
    default_provider: str | None = None
    fake_providers: bool = False
    allow_private_urls: bool = False
    prices_file: Path | None = None
    refuse_below_balance: bool = False  # refuse a job whose provider's balance is below its price
    plans_file: Path | None = None  # TOML or JSON plans; none: the legacy four (see README, "Plans")
    default_plan: str = "free"  # what a user without an assigned plan gets
    user_plans: dict[str, str] = Field(default_factory=dict)  # user -> plan name, under the database's assignments
    admin_subjects: list[str] = Field(default_factory=list)  # token subjects allowed on the admin routes
    admin_claim: str = "videoforge_admin"  # a token with this claim true is an admin
    poll_interval: float = Field(3.0, gt=0)
    poll_deadline: float = Field(1800.0, gt=0)
    submit_grace: float = Field(900.0, ge=0)
    # a submission whose answer proved nothing, at a provider with a task history: no matching task
    # this long after it went out means nothing was created (it is then sent again)
    submit_settle: float = Field(60.0, ge=0)
    # a temporary file of a save not written for this long was left by a killed process: swept
    leftovers_idle: float = Field(900.0, ge=0)
    # a runner saving a job's output holds its lease this long, renewed as the output streams in
    save_lease: float = Field(60.0, gt=0)
    # an upload no request used for this long (and no unfinished job uses) is deleted by the resume
    upload_ttl: float = Field(7 * 24 * 3600.0, gt=0)
    asset_url_template: str = "/api/video/assets/{asset_id}/video"  # the studios' `video_url`
    podcast_model: str | None = None
    product_video_model: str | None = None
    max_output_bytes: int = Field(2 * 1024**3, gt=0)
    resume_interval: float = Field(60.0, gt=0)
    body_idle_timeout: float = Field(30.0, gt=0)  # a request body with no byte for this long is cut off (408)
    events_interval: float = Field(0.5, gt=0)  # how often an SSE stream reads its job's new events
    callback_secret: SecretStr | None = None  # `whsec_<base64>`: signs the callbacks to callers
    callback_hosts: dict[str, list[str]] = Field(default_factory=dict)  # tenant (or "*") -> hosts it may name
    callback_retry_for: float = Field(600.0, gt=0)  # seconds a failing callback is retried
    # in-process: `serve` runs its jobs itself (SQLite, `make run`); pgqueuer: `serve` enqueues them
    # in PostgreSQL and `videoforge worker` processes run them (see README, "Production topology")
    queue: Literal["in-process", "pgqueuer"] = "in-process"
    worker_concurrency: int = Field(200, ge=2)  # jobs one worker process holds at once
    queue_heartbeat_timeout: float = Field(10.0, ge=2)  # a dead worker's jobs are picked again after this
    queue_poll_interval: float = Field(2.0, gt=0)  # longest wait between two looks at the queue
    worker_shutdown_grace: float = Field(30.0, ge=0)  # on SIGTERM, then running jobs are handed back
    # logs of `serve` and `worker` on stderr: text lines, or one JSON object per line; never a secret
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # otlp: OpenTelemetry traces exported by OTLP over HTTP, set up by the standard OTEL_* variables
    # (the `otel` extra); off by default, and off whenever OTEL_SDK_DISABLED=true
    tracing: Literal["off", "otlp"] = "off"
    jwt_secret: SecretStr | None = None
    # signs the console's short-lived links to media files (<video>, <img>); default: derived from
    # the JWT secret, else a key of each process's own (set it when several API processes share an address)
    media_link_secret: SecretStr | None = None
    media_link_ttl: float = Field(600.0, gt=0, le=86400)  # seconds a media link works
    console_token_url: str | None = None  # a same-origin URL of the host answering its user's token (JSON)
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if self.storage_dir is None:
            self.storage_dir = self.data_dir / "media"
        if self.storage is None:
            self.storage = "memory" if self.fake_providers else "filesystem"
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.data_dir / 'videoforge.db').absolute()}"
        if self.default_provider is None:
            self.default_provider = ("wavespeed" if self.wavespeed_api_key
                                     else "fal" if self.fal_key or self.hf_token else "local")
        return self
