"""The HTTP contract a generated client relies on: money as decimal strings, closed sets as enums
(legacy spellings still read), and every error a route can answer documented with its model.

The error half provokes each answer for real (the app on the fakes, a store made to fail, a plan
resolver that raises, a body that stops arriving...) and checks two things: the route's
OpenAPI responses list that status with a model, and the body the app sent is that model."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from pydantic import BaseModel

from tests.unit.test_http_api import SECRET, TEXT_JOB, U1, token
from videoforge.adapters.fakes import fake_image
from videoforge.adapters.http import create_app
from videoforge.adapters.http.limits import BodyLimits
from videoforge.adapters.http.schemas import MONEY_PATTERN, ErrorName, ErrorOut, QuotaErrorOut
from videoforge.adapters.plans import ResolverPlanSource
from videoforge.adapters.wavespeed import WebhookVerifier
from videoforge.application.ports import AssetLibraryError, JobRepositoryError, UsageMeterError
from videoforge.bootstrap import Settings
from videoforge.bootstrap.container import use_cases_of
from videoforge.bootstrap.http import api_options, build_app, verifier_from
from videoforge.domain import Cost, OperationType, Plan, default_catalog
from videoforge.domain.catalog import Resolution
from videoforge.domain.job import AttemptOutcome, JobStatus

MODELS: dict[str, type[BaseModel]] = {"ErrorOut": ErrorOut, "QuotaErrorOut": QuotaErrorOut}
ADMIN = token("ops-lead")
NUMBERS = {"duration", "billed_seconds", "fps", "generation_time", "expires_at"}
"""The only JSON numbers of the contract: seconds, frame rates and a time (epoch seconds), never money."""


def openapi() -> dict:
    return build_app(Settings(jwt_secret=SECRET, backend="memory"), resume_on_startup=False).openapi()


def properties(doc: dict):
    """Every (schema, property name, property schema) of the document's components."""
    for name, schema in doc["components"]["schemas"].items():
        for prop, spec in schema.get("properties", {}).items():
            yield name, prop, spec


def variants(spec: dict) -> list[dict]:
    """A property's schemas once `anyOf` (optional), arrays and maps are looked through."""
    out = []
    for one in spec.get("anyOf", [spec]):
        if one.get("type") == "array":
            out += variants(one["items"])
        elif isinstance(one.get("additionalProperties"), dict):
            out += variants(one["additionalProperties"])
        else:
            out.append(one)
    return out


# -- money ---------------------------------------------------------------------------------------

def test_every_amount_of_the_contract_is_a_decimal_string_and_no_other_number_is_money():
    doc = openapi()
    money = [(s, p) for s, p, spec in properties(doc)
             if any(v.get("pattern") == MONEY_PATTERN for v in variants(spec))]
    for schema, prop, spec in properties(doc):
        kinds = {v.get("type") for v in variants(spec)}
        if "number" in kinds:
            assert prop in NUMBERS, f"{schema}.{prop} is a JSON number: money must be a decimal string"
        amount = "cost" in prop or "price" in prop or prop == "rates"
        if amount and kinds & {"number", "integer", "string"}:  # not an object or a flag (price_verified)
            assert (schema, prop) in money, f"{schema}.{prop} is not a decimal string"
    assert {("TaskOut", "estimated_cost"), ("TaskResult", "cost"), ("AttemptOut", "cost"), ("AssetOut", "cost"),
            ("EstimateOut", "cost"), ("PreflightOut", "cost"), ("UsageOut", "video_cost"), ("UsageOut", "total_cost"),
            ("UsageOut", "monthly_cost_limit"), ("UsageOut", "reserved_cost"), ("UsageVideoOut", "cost"),
            ("UsageInfoOut", "current_cost"), ("UsageInfoOut", "cost_limit"), ("UsageInfoOut", "requested_cost"),
            ("PlanOut", "monthly_cost_limit"), ("PriceOut", "rates")} <= set(money)


def test_a_price_of_the_catalog_reads_back_exactly_from_the_models_route():
    from videoforge.adapters.http.schemas import model_out

    for spec in default_catalog():
        shown = json.loads(model_out(spec).model_dump_json())
        for key, rate in shown["price"]["rates"].items():
            assert isinstance(rate, str) and Decimal(rate) == spec.price.terms()["rates"][key], spec.id


# -- closed sets ---------------------------------------------------------------------------------

def enum_of(doc: dict, spec: dict) -> set[str]:
    for one in variants(spec):
        if "$ref" in one:
            return set(doc["components"]["schemas"][one["$ref"].rsplit("/", 1)[1]]["enum"])
        if "enum" in one:
            return set(one["enum"])
        if "const" in one:
            return {one["const"]}
    raise AssertionError(f"not an enum: {spec}")


def test_operations_resolutions_and_every_closed_set_are_enums_in_requests_and_responses():
    doc = openapi()
    schemas = doc["components"]["schemas"]
    operations, resolutions = {o.value for o in OperationType}, {r.value for r in Resolution}
    for schema, prop in (("CreateJobIn", "operation"), ("ModelOut", "operation"), ("AssetOut", "operation"),
                         ("UsageVideoOut", "operation")):
        assert enum_of(doc, schemas[schema]["properties"][prop]) == operations, (schema, prop)
    for schema, prop in (("CreateJobIn", "resolution"), ("ModelOut", "resolutions"), ("EstimateOut", "resolution"),
                         ("TaskResult", "resolution")):
        assert enum_of(doc, schemas[schema]["properties"][prop]) == resolutions, (schema, prop)
    [query] = doc["paths"]["/api/video/models"]["get"]["parameters"]
    assert enum_of(doc, query["schema"]) == operations
    expected = {("TaskOut", "status"): 6, ("TaskOut", "state"): len(JobStatus),
                ("AttemptOut", "outcome"): len(AttemptOutcome) + len(JobStatus),
                ("ModelOut", "billed_from"): 3, ("ModelOut", "inputs"): 3, ("UploadOut", "kind"): 3,
                ("CallbackOut", "state"): 3, ("ErrorOut", "error"): len(ErrorName),
                ("UsageInfoOut", "error_type"): 5, ("PriceOut", "rule"): 3, ("AssetOut", "asset_type"): 1}
    for (schema, prop), size in expected.items():
        assert len(enum_of(doc, schemas[schema]["properties"][prop])) == size, (schema, prop)


def test_every_resolution_a_model_offers_is_in_the_enum():
    for spec in default_catalog():
        assert set(spec.resolutions) <= {r.value for r in Resolution}, spec.id
        for resolution in spec.resolutions:  # and has a frame size (a missing one was a KeyError, a 500)
            spec.estimate(resolution, 5)


@pytest.mark.parametrize("spelling", ["text-to-video", "Text-To-Video", "t2v", " text to video ", "text_to_video"])
async def test_the_legacy_spellings_of_an_operation_are_still_read(api, spelling):
    created = await api.post("/api/video/jobs", json=TEXT_JOB | {"operation": spelling, "resolution": " 720p "},
                             headers=U1)
    assert created.status_code == 202, created.text
    models = await api.get("/api/video/models", params={"operation": "talking-avatar"})
    assert models.status_code == 200 and {m["operation"] for m in models.json()} == {"avatar"}


async def test_an_unknown_operation_or_resolution_is_a_422_naming_the_field_and_what_is_allowed(api, harness):
    unknown = await api.post("/api/video/jobs", json=TEXT_JOB | {"operation": "sing"}, headers=U1)
    assert unknown.status_code == 422 and unknown.json()["field"] == "operation"
    assert set(unknown.json()["allowed"]) == {o.value for o in OperationType}
    bad = await api.post("/api/video/jobs", json=TEXT_JOB | {"resolution": "8k"}, headers=U1)
    assert bad.status_code == 422 and bad.json()["field"] == "resolution"
    offered = await api.post("/api/video/jobs", json=TEXT_JOB | {"resolution": "4k"}, headers=U1)  # not this model's
    assert offered.status_code == 422 and offered.json()["allowed"] == ["480p", "720p"]
    assert harness.quota.reservations == {}


# -- error answers -------------------------------------------------------------------------------

def test_every_documented_error_answer_has_a_model_and_every_route_documents_what_it_can_answer():
    doc = openapi()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            codes = {int(c) for c in op["responses"] if int(c) >= 400}
            for code in codes:
                ref = op["responses"][str(code)]["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in MODELS, (path, method, code)
            where = (path, method, sorted(codes))
            if op.get("security"):  # behind the bearer token (500 and 503 where a store is read: provoked below)
                assert 401 in codes, where
            if op.get("parameters") or (op.get("requestBody") and "webhooks" not in path):
                assert 422 in codes, where
            if op.get("requestBody"):  # RequestLimits: a body too large, or one that stops arriving
                assert {408, 413} <= codes, where
            if "{" in path and "/admin/" not in path:  # a job, asset or provider named in the path
                assert 404 in codes, where
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's 422 shape is not ours


@dataclass
class Case:
    operation: str
    method: str
    path: str  # as documented; `{...}` filled from `fill`
    status: int
    error: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    fill: dict[str, str] = field(default_factory=dict)
    setup: str | None = None


def busy(error: Exception) -> Exception:
    error.retryable = True  # what the SQL adapters say of a database with no connection to spare
    return error


TINY = Plan("one-video", 1, Cost("5"))
A = "/api/video"
CASES = [
    Case("create_job", "POST", A + "/jobs", 401, "unauthorized", {"json": TEXT_JOB}),
    Case("create_job", "POST", A + "/jobs", 422, "invalid_request", {"json": TEXT_JOB | {"duration": 7}}),
    Case("create_job", "POST", A + "/jobs", 402, "insufficient_balance", {"json": TEXT_JOB}, setup="poor"),
    Case("create_job", "POST", A + "/jobs", 408, "request_timeout", {"content": "slow"}),
    Case("create_job", "POST", A + "/jobs", 413, "body_too_large", {"content": b"{" * 5000}),
    Case("create_job", "POST", A + "/jobs", 429, "", {"json": TEXT_JOB}, setup="quota"),
    Case("create_job", "POST", A + "/jobs", 500, "internal_error", {"json": TEXT_JOB}, setup="jobs_broken"),
    Case("create_job", "POST", A + "/jobs", 503, "busy", {"json": TEXT_JOB}, setup="jobs_busy"),
    Case("create_job", "POST", A + "/jobs", 503, "plans_unavailable", {"json": TEXT_JOB}, setup="plans_down"),
    Case("list_jobs", "GET", A + "/jobs", 401, "unauthorized"),
    Case("list_jobs", "GET", A + "/jobs", 422, "invalid_request", {"params": {"limit": 0}}),
    Case("list_jobs", "GET", A + "/jobs", 503, "busy", setup="jobs_busy"),
    Case("get_job", "GET", A + "/jobs/{task_id}", 404, "not_found", fill={"task_id": "nope"}),
    Case("get_job", "GET", A + "/jobs/{task_id}", 422, "invalid_request", fill={"task_id": "a b"}),
    Case("get_job", "GET", A + "/jobs/{task_id}", 500, "internal_error", fill={"task_id": "done"},
         setup="jobs_broken"),
    Case("cancel_job", "POST", A + "/jobs/{task_id}/cancel", 409, "not_cancellable", fill={"task_id": "done"}),
    Case("cancel_job", "POST", A + "/jobs/{task_id}/cancel", 404, "not_found", fill={"task_id": "nope"}),
    Case("job_events", "GET", A + "/jobs/{task_id}/events", 404, "not_found", fill={"task_id": "nope"}),
    Case("job_events", "GET", A + "/jobs/{task_id}/events", 422, "invalid_request", {"headers": {"Last-Event-ID": "x"}},
         fill={"task_id": "done"}),
    Case("job_callback", "GET", A + "/jobs/{task_id}/callback", 404, "not_found", fill={"task_id": "nope"}),
    Case("job_callback", "GET", A + "/jobs/{task_id}/callback", 401, "unauthorized", fill={"task_id": "done"}),
    Case("upload", "POST", A + "/uploads", 422, "invalid_request", {"data": {"kind": "smell"}, "files": "image"}),
    Case("upload", "POST", A + "/uploads", 401, "unauthorized", {"data": {"kind": "image"}, "files": "image"}),
    Case("upload", "POST", A + "/uploads", 429, "", {"data": {"kind": "image"}, "files": "image"}, setup="no_uploads"),
    Case("upload", "POST", A + "/uploads", 503, "plans_unavailable", {"data": {"kind": "image"}, "files": "image"},
         setup="plans_down"),
    Case("list_assets", "GET", A + "/assets", 503, "busy", setup="assets_busy"),
    Case("list_assets", "GET", A + "/assets", 422, "invalid_request", {"params": {"offset": -1}}),
    Case("get_asset", "GET", A + "/assets/{asset_id}", 404, "not_found", fill={"asset_id": "nope"}),
    Case("get_asset", "GET", A + "/assets/{asset_id}", 500, "internal_error", fill={"asset_id": "asset"},
         setup="assets_broken"),
    Case("video", "GET", A + "/assets/{asset_id}/video", 416, "range_not_satisfiable",
         {"headers": {"Range": "bytes=99999999-"}}, fill={"asset_id": "asset"}),
    Case("video", "GET", A + "/assets/{asset_id}/video", 404, "not_found", fill={"asset_id": "nope"}),
    Case("thumbnail", "GET", A + "/assets/{asset_id}/thumbnail", 404, "not_found", fill={"asset_id": "nope"}),
    Case("thumbnail", "GET", A + "/assets/{asset_id}/thumbnail", 401, "unauthorized", fill={"asset_id": "asset"}),
    Case("models", "GET", A + "/models", 422, "invalid_request", {"params": {"operation": "sing"}}),
    Case("estimate", "POST", A + "/estimate", 422, "invalid_request", {"json": TEXT_JOB | {"resolution": "8k"}}),
    Case("estimate", "POST", A + "/estimate", 503, "plans_unavailable", {"json": TEXT_JOB}, setup="plans_down"),
    Case("estimate", "POST", A + "/estimate", 413, "body_too_large", {"content": "long"}),  # no length: counted
    Case("preflight", "POST", A + "/preflight", 503, "plans_unavailable", {"json": TEXT_JOB}, setup="plans_down"),
    Case("preflight", "POST", A + "/preflight", 401, "unauthorized", {"json": TEXT_JOB}),
    Case("usage", "GET", A + "/usage", 503, "busy", setup="usage_busy"),
    Case("usage", "GET", A + "/usage", 500, "internal_error", setup="usage_broken"),
    Case("usage", "GET", A + "/usage", 503, "plans_unavailable", setup="plans_down"),
    Case("wavespeed_webhook", "POST", A + "/webhooks/wavespeed", 400, "invalid_webhook", {"content": b"{}"}),
    Case("wavespeed_webhook", "POST", A + "/webhooks/wavespeed", 413, "body_too_large", {"content": b"{" * 5000}),
    Case("provider_webhook", "POST", A + "/webhooks/{provider}", 404, "not_found", {"content": b"{}"},
         fill={"provider": "acme"}),
    Case("asset_links", "POST", A + "/assets/links", 404, "not_found", {"json": {"asset_ids": ["nope"]}}),
    Case("asset_links", "POST", A + "/assets/links", 422, "invalid_request", {"json": {"asset_ids": []}}),
    Case("media_file", "GET", A + "/media/{asset_id}/{file}", 401, "unauthorized",
         fill={"asset_id": "asset", "file": "video"}),
    Case("media_file", "GET", A + "/media/{asset_id}/{file}", 422, "invalid_request",
         fill={"asset_id": "asset", "file": "poster"}),
    Case("me", "GET", A + "/me", 401, "unauthorized"),
    Case("asset_lineage", "GET", A + "/assets/{asset_id}/lineage", 404, "not_found", fill={"asset_id": "nope"}),
    Case("asset_lineage", "GET", A + "/assets/{asset_id}/lineage", 503, "busy", fill={"asset_id": "asset"},
         setup="assets_busy"),
    Case("list_spend", "GET", A + "/admin/spend", 403, "forbidden"),
    Case("list_spend", "GET", A + "/admin/spend", 422, "invalid_request", {"params": {"limit": 0}}),
    Case("list_plans", "GET", A + "/admin/plans", 403, "forbidden"),
    Case("list_plans", "GET", A + "/admin/plans", 409, "plans_not_assignable", setup="plans_hosted"),
    Case("show_plan", "GET", A + "/admin/users/{user_id}/plan", 403, "forbidden", fill={"user_id": "u1"}),
    Case("show_plan", "GET", A + "/admin/users/{user_id}/plan", 422, "invalid_request", fill={"user_id": "a b"}),
    Case("show_plan", "GET", A + "/admin/users/{user_id}/plan", 503, "plans_unavailable", fill={"user_id": "u1"},
         setup="plans_down"),
    Case("assign_plan", "PUT", A + "/admin/users/{user_id}/plan", 422, "invalid_request", {"json": {"plan": "gold"}},
         fill={"user_id": "u1"}),
    Case("assign_plan", "PUT", A + "/admin/users/{user_id}/plan", 409, "plans_not_assignable",
         {"json": {"plan": "pro"}}, fill={"user_id": "u1"}, setup="plans_hosted"),
    Case("assign_plan", "PUT", A + "/admin/users/{user_id}/plan", 403, "forbidden", {"json": {"plan": "pro"}},
         fill={"user_id": "u1"}),
]


class Account:
    """A provider account whose balance covers nothing."""

    name = "wavespeed"

    async def balance(self) -> Decimal:
        return Decimal("0.01")

    async def charges(self, since, until):
        return []


def failing_resolver(user_id: str) -> Plan:
    raise ConnectionError("the host's billing service is down")


async def prepare(harness, setup: str | None) -> None:
    for step in (setup or "").split("+"):
        if step == "poor":
            harness.container.provider_accounts.override(providers.Object({"wavespeed": Account()}))
            harness.container.config.refuse_below_balance.from_value(True)
        elif step == "quota":
            harness.quota.assign("u1", TINY)
        elif step == "no_uploads":
            harness.quota.assign("u1", Plan("no-uploads", 0, Cost("0"), upload_count_limit=1))
            await harness.container.save_upload()("u1", "image", one_chunk(fake_image()), "image/png")
        elif step in ("plans_down", "plans_hosted"):
            source = ResolverPlanSource(failing_resolver if step == "plans_down" else (lambda user: TINY))
            harness.quota.plans = source
            harness.container.plan_source.override(providers.Object(source))
        elif step.endswith(("_busy", "_broken")):
            store, kind = step.split("_")
            fake, error, methods = {"jobs": (harness.jobs, JobRepositoryError, ("add", "get", "list_for_user")),
                                    "assets": (harness.assets, AssetLibraryError, ("get", "list")),
                                    "usage": (harness.usage, UsageMeterError, ("summary", "records_of"))}[store]
            for method in methods:
                made = error("the store failed")
                fake.fail_next(method, busy(made) if kind == "busy" else made, times=5)


async def one_chunk(data: bytes):
    yield data


async def slow_body():
    yield b'{"operation": '
    await asyncio.sleep(0.5)
    yield b'"text_to_video"}'


async def long_body():
    for _ in range(10):
        yield b" " * 1000


def request_of(case: Case, finished: dict[str, str]) -> tuple[str, dict[str, Any]]:
    path = case.path
    for name, value in case.fill.items():
        path = path.replace("{" + name + "}", finished.get(value, value))
    kwargs = dict(case.kwargs)
    if kwargs.get("content") in ("slow", "long"):
        kwargs["content"] = slow_body() if kwargs["content"] == "slow" else long_body()
    if kwargs.get("files") == "image":
        kwargs["files"] = {"file": ("face.png", fake_image(), "image/png")}
    anonymous = case.status == 401 or "webhooks" in path
    auth = {} if anonymous else (ADMIN if "/admin/" in path and case.status != 403 else U1)
    kwargs["headers"] = auth | kwargs.get("headers", {})
    return path, kwargs


@pytest.fixture
async def served(harness):
    """The app with small body limits (so 413 and 408 come quickly) and WaveSpeed webhooks on, and
    one finished job of u1's."""
    harness.container.wavespeed_webhooks.override(providers.Object(WebhookVerifier("whsec_contract-test")))
    settings = Settings(jwt_secret=SECRET, admin_subjects=["ops-lead"])
    app = create_app(use_cases_of(harness.container), verifier_from(settings),
                     limits=BodyLimits(json_bytes=4096, webhook_bytes=1024, idle_timeout=0.2),
                     **api_options(settings, harness.container, False))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        task_id = (await client.post(A + "/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
        await app.state.runner.wait()
        asset_id = (await client.get(f"{A}/jobs/{task_id}", headers=U1)).json()["result"]["asset_id"]
        yield app, client, {"done": task_id, "asset": asset_id}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.operation}-{c.status}-{c.error or 'quota'}")
async def test_each_error_a_route_answers_is_documented_with_the_model_its_body_matches(served, harness, case):
    app, client, finished = served
    await prepare(harness, case.setup)  # "quota": u1 has had one video this period, a plan of one refuses the next
    path, kwargs = request_of(case, finished)
    answer = await client.request(case.method, path, **kwargs)
    assert answer.status_code == case.status, answer.text

    documented = app.openapi()["paths"][case.path][case.method.lower()]
    assert documented["operationId"] == case.operation
    response = documented["responses"].get(str(case.status))
    assert response is not None, f"{case.operation} answers {case.status} but does not document it"
    model = MODELS[response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    body = model.model_validate(answer.json())  # the body is the documented model (enums included)
    if case.error:
        assert body.error == case.error
    assert await harness.quota.held() == []  # an error holds nothing


def test_every_operation_of_the_document_has_its_errors_provoked_above():
    doc = openapi()
    operations = {op["operationId"] for path, ops in doc["paths"].items() for op in ops.values()
                  if path.startswith("/api/video")}
    assert operations == {c.operation for c in CASES}
    assert {c.error for c in CASES if c.error} == {e.value for e in ErrorName}  # and every error name, once at least
