"""The database adapters: jobs, assets, usage and quota on async SQLAlchemy 2, SQLite
(aiosqlite) embedded by default and PostgreSQL (asyncpg) by URL; Alembic migrations."""

from adapters.sql.assets import SqlAssetLibrary
from adapters.sql.database import Database, describe, is_embedded, make_engine
from adapters.sql.jobs import SqlJobRepository
from adapters.sql.quota import SqlQuotaGuard
from adapters.sql.usage import SqlUsageMeter

__all__ = ["Database", "SqlAssetLibrary", "SqlJobRepository", "SqlQuotaGuard", "SqlUsageMeter", "describe",
           "is_embedded", "make_engine"]
