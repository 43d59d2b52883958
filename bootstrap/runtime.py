from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dependency_injector import providers

from videoforge.adapters.plans import PlanResolver
from videoforge.application.ports.plans import PlanSource
from videoforge.bootstrap.container import Container, OnFirstUse, build_container
from videoforge.bootstrap.plans import plan_source
from videoforge.bootstrap.settings import Settings


async def _maybe_await(result: object) -> None:
    # dependency-injector returns an awaitable only when some resource is async
    if inspect.isawaitable(result):
        await result


async def start_resources(container: Container) -> None:
    """Start every resource but those that start on first use (the database engine, the local
    renderer): a command that never touches them never imports their adapters."""
    for resource in container.traverse(types=[providers.Resource]):
        if not isinstance(resource, OnFirstUse):
            await _maybe_await(resource.init())


@asynccontextmanager
async def open_container(settings: Settings | None = None, container: Container | None = None, *,
                         plans: PlanSource | PlanResolver | None = None) -> AsyncIterator[Container]:
    """A started container whose resources (clients, pools) are closed on the way out. `plans`,
    when given, decides every user's limits instead of the plans file and its assignments: a
    PlanSource, or a callable user_id -> Plan (sync or async) for hosts whose billing lives elsewhere."""
    container = container or build_container(settings)
    if plans is not None:
        container.plan_source.override(providers.Object(plan_source(plans)))
    await start_resources(container)
    try:
        yield container
    finally:
        engine = container.sql_engine() if container.sql_engine.initialized else None
        await _maybe_await(container.shutdown_resources())
        if engine is not None:
            await engine.dispose()
        # Singletons hold what the resources closed (the HTTP client, the engine's users, the
        # render pool): a container opened again builds them anew.
        container.reset_singletons()
        if plans is not None:
            container.plan_source.reset_last_overriding()
