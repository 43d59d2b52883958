from __future__ import annotations

import json
import tomllib
from pathlib import Path

from videoforge.domain import DomainError, ModelCatalog, default_catalog


class ConfigurationError(Exception):
    """A setting is wrong; the message names it."""


def load_catalog(prices_file: Path | str | None = None) -> ModelCatalog:
    """The built-in catalog, with prices from VIDEOFORGE_PRICES_FILE (JSON or TOML) when set:
    {"model id": {"rule": "per_second", "rates": {"720p": "0.05"}, "min_seconds": 5}}."""
    catalog = default_catalog()
    if not prices_file:
        return catalog
    path = Path(prices_file)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"VIDEOFORGE_PRICES_FILE: cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigurationError(f"VIDEOFORGE_PRICES_FILE: {path} must map model ids to price rules")
    try:
        return catalog.with_prices(data)
    except DomainError as e:
        raise ConfigurationError(f"VIDEOFORGE_PRICES_FILE: {e}") from e
