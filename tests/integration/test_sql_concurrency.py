"""Quota reservations from several engines at once (each its own pool of connections, as
several processes would have): the plan is never overshot, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from sqlalchemy import select

from tests.contracts.builders import job, later, usage
from videoforge.adapters.sql import SqlJobRepository, SqlQuotaGuard, SqlUsageMeter
from videoforge.adapters.sql.schema import quota_reservations
from videoforge.application.ports.jobs import ConcurrentUpdateError
from videoforge.domain import Cost, Plan, QuotaExceededError

PERIOD = "2026-01"
WORKERS = 4


def guards(database, plan: Plan) -> list[SqlQuotaGuard]:
    return [SqlQuotaGuard(database.engine(pool_size=5, max_overflow=5), {"u1": plan}) for _ in range(WORKERS)]


async def reserve_all(database, plan: Plan, amounts: list[Cost]) -> list:
    workers = guards(database, plan)
    return await asyncio.gather(
        *(workers[i % WORKERS].reserve("u1", uuid.uuid4().hex, amount, PERIOD) for i, amount in enumerate(amounts)),
        return_exceptions=True)


async def held(database) -> tuple[int, Cost]:
    """What the database holds: reservations and their total, read back through the Money type."""
    async with database.engine().connect() as conn:
        amounts = list(await conn.scalars(select(quota_reservations.c.amount)))
    return len(amounts), sum(amounts, Cost(0))


async def test_200_concurrent_reservations_on_a_10_video_plan_grant_exactly_10(database):
    results = await reserve_all(database, Plan("ten", 10, Cost(0)), [Cost("0.10")] * 200)

    granted = [r for r in results if not isinstance(r, BaseException)]
    assert len(granted) == 10
    assert all(isinstance(r, QuotaExceededError) and r.error_type == "video_limit"
               for r in results if isinstance(r, BaseException))
    assert await held(database) == (10, Cost("1.00"))


async def test_200_concurrent_reservations_never_exceed_the_cost_limit_by_a_cent(database):
    limit = Cost("2.00")
    amounts = [Cost(f"0.{7 + i % 29:02d}") for i in range(200)]  # $0.07 to $0.35
    results = await reserve_all(database, Plan("two-dollars", 0, limit), amounts)

    granted = [r for r in results if not isinstance(r, BaseException)]
    refused = [a for a, r in zip(amounts, results, strict=True) if isinstance(r, QuotaExceededError)]
    total = sum((r.amount for r in granted), Cost(0))
    assert total <= limit and len(granted) + len(refused) == 200
    # each refusal was right: what it asked for did not fit in what was held by then (nothing was freed)
    assert all(total + amount > limit for amount in refused)
    assert await held(database) == (len(granted), total)


async def test_a_job_is_advanced_by_one_worker_of_many(database):
    repositories = [SqlJobRepository(database.engine()) for _ in range(WORKERS)]
    stored = await repositories[0].add(job())
    copies = [await r.get(stored.id) for r in repositories for _ in range(5)]
    for c in copies:
        c.start_submission(later(1))
    results = await asyncio.gather(*(repositories[i % WORKERS].save(c) for i, c in enumerate(copies)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ConcurrentUpdateError) for r in results if isinstance(r, BaseException))
    assert (await repositories[0].get(stored.id)).version == 2


async def test_a_job_is_counted_once_when_workers_record_it_together(database):
    meters = [SqlUsageMeter(database.engine()) for _ in range(WORKERS)]
    record = usage(job_id="job-1")
    others = [usage(job_id=f"job-{i}") for i in range(2, 22)]
    results = await asyncio.gather(*(meters[i % WORKERS].record(record) for i in range(20)),
                                   *(meters[i % WORKERS].record(r) for i, r in enumerate(others)))
    assert results[:20].count(True) == 1 and all(results[20:])
    summary = await meters[0].summary("u1", "2026-01")
    assert summary.video_calls == 21 and summary.video_cost == Cost("0.20") * 21


RESERVER = """
import asyncio, json, os, sys, time, uuid
from videoforge.adapters.sql import SqlQuotaGuard, make_engine
from videoforge.domain import Cost, Plan, QuotaExceededError

async def main():
    args = json.loads(sys.argv[1])
    engine = make_engine(args["url"], **({"connect_args": args["connect_args"]} if args["connect_args"] else {}))
    guard = SqlQuotaGuard(engine, {"u1": Plan("ten", 10, Cost(0))})
    await asyncio.sleep(max(0.0, args["start_at"] - time.time()))  # every process starts together
    results = await asyncio.gather(*(guard.reserve("u1", uuid.uuid4().hex, Cost("0.10"), "2026-01")
                                     for _ in range(args["count"])), return_exceptions=True)
    await engine.dispose()
    unexpected = [repr(r) for r in results if isinstance(r, BaseException) and not isinstance(r, QuotaExceededError)]
    print(json.dumps({"granted": sum(not isinstance(r, BaseException) for r in results), "unexpected": unexpected}))

asyncio.run(main())
"""


async def test_200_reservations_from_4_processes_grant_exactly_10(database):
    args = {"url": database.url, "connect_args": database.connect_args, "start_at": time.time() + 3, "count": 50}
    processes = [await asyncio.create_subprocess_exec(sys.executable, "-c", RESERVER, json.dumps(args),
                                                      stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                 for _ in range(WORKERS)]
    outputs = [await p.communicate() for p in processes]
    assert all(p.returncode == 0 for p in processes), [err.decode()[-500:] for _, err in outputs]
    reports = [json.loads(out) for out, _ in outputs]
    assert [r["unexpected"] for r in reports] == [[]] * WORKERS
    assert sum(r["granted"] for r in reports) == 10
    assert await held(database) == (10, Cost("1.00"))
