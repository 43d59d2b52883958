"""The database adapters: jobs, assets, usage and quota on async SQLAlchemy 2, SQLite
(aiosqlite) embedded by default and PostgreSQL (asyncpg) by URL; Alembic migrations."""

from videoforge.adapters.sql.assets import SqlAssetLibrary
from videoforge.adapters.sql.callbacks import SqlCallbackDeliveries
from videoforge.adapters.sql.database import Database, describe, is_embedded, make_engine
from videoforge.adapters.sql.jobs import SqlJobRepository
from videoforge.adapters.sql.plans import SqlPlanBook
from videoforge.adapters.sql.quota import SqlQuotaGuard
from videoforge.adapters.sql.unit_of_work import SqlUnitOfWork
from videoforge.adapters.sql.uploads import SqlUploadRegistry
from videoforge.adapters.sql.usage import SqlUsageMeter

__all__ = ["Database", "SqlAssetLibrary", "SqlCallbackDeliveries", "SqlJobRepository", "SqlPlanBook", "SqlQuotaGuard",
           "SqlUnitOfWork", "SqlUploadRegistry", "SqlUsageMeter", "describe", "is_embedded", "make_engine"]
