"""The SQL adapters pass the same contract suites as the fakes, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.contracts.assets import AssetLibraryContract
from tests.contracts.callbacks import CallbackDeliveriesContract
from tests.contracts.jobs import JobLeaseContract, JobRepositoryContract
from tests.contracts.plans import PlanBookContract
from tests.contracts.quota import QuotaGuardContract
from tests.contracts.uploads import UploadRegistryContract
from tests.contracts.usage import UsageMeterContract
from videoforge.adapters.sql import SqlAssetLibrary, SqlJobRepository, SqlPlanBook, SqlQuotaGuard, SqlUsageMeter
from videoforge.domain import PlanCatalog


class TestSqlJobRepository(JobRepositoryContract):
    @pytest.fixture
    def jobs(self, engine):
        return SqlJobRepository(engine)


class TestSqlAssetLibrary(AssetLibraryContract):
    @pytest.fixture
    def assets(self, engine):
        return SqlAssetLibrary(engine)


class TestSqlUsageMeter(UsageMeterContract):
    @pytest.fixture
    def meter(self, engine):
        return SqlUsageMeter(engine)


class TestSqlQuotaGuard(QuotaGuardContract):
    @pytest.fixture
    def quota_for(self, engine):
        async def make(plan):
            return SqlQuotaGuard(engine, {"u1": plan})

        return make


class TestSqlCallbackDeliveries(CallbackDeliveriesContract):
    @pytest.fixture
    def deliveries(self, engine):
        from videoforge.adapters.sql import SqlCallbackDeliveries

        return SqlCallbackDeliveries(engine)


class TestSqlPlanBook(PlanBookContract):
    @pytest.fixture
    def book_for(self, engine):
        async def make(plans, default):
            return SqlPlanBook(engine, PlanCatalog(tuple(plans), default.name))

        return make


class TestSqlUploadRegistry(UploadRegistryContract):
    @pytest.fixture
    def uploads(self, engine):
        from videoforge.adapters.sql import SqlUploadRegistry

        return SqlUploadRegistry(engine)


class TestSqlJobLease(JobLeaseContract):
    @pytest.fixture
    def jobs(self, engine):
        return SqlJobRepository(engine)
