from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, read from the environment (names in architecture.md)."""

    model_config = SettingsConfigDict(env_prefix="VIDEOFORGE_", extra="ignore", populate_by_name=True)

    data_dir: Path = Path("./videoforge-data")
    database_url: str | None = None
    storage_dir: Path | None = None
    # sql: jobs, assets, usage and quota in the database of database_url; memory: in-process fakes
    backend: Literal["sql", "memory"] = "sql"
    wavespeed_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WAVESPEED_API_KEY", "VIDEOFORGE_WAVESPEED_API_KEY"))
    wavespeed_base_url: str = "https://api.wavespeed.ai"
    default_provider: str | None = None
    fake_providers: bool = False
    allow_private_urls: bool = False
    prices_file: Path | None = None
    default_plan: str = "free"
    user_plans: dict[str, str] = Field(default_factory=dict)
    poll_interval: float = Field(3.0, gt=0)
    poll_deadline: float = Field(1800.0, gt=0)
    max_output_bytes: int = Field(2 * 1024**3, gt=0)

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if self.storage_dir is None:
            self.storage_dir = self.data_dir / "media"
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.data_dir / 'videoforge.db').absolute()}"
        if self.default_provider is None:
            self.default_provider = "wavespeed" if self.wavespeed_api_key else "local"
        return self
