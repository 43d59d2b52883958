import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from videoforge.adapters.http.auth import AdminPolicy, JwtVerifier, authenticated_admin, authenticated_user
from videoforge.adapters.http.console import console_router
from videoforge.adapters.http.errors import install_error_handlers
from videoforge.adapters.http.limits import BodyLimits, RequestLimits
from videoforge.adapters.http.media_links import MediaLinks
from videoforge.adapters.http.routes.assets import assets_router
from videoforge.adapters.http.routes.catalog import catalog_router
from videoforge.adapters.http.routes.console import console_api_router
from videoforge.adapters.http.routes.events import events_router
from videoforge.adapters.http.routes.jobs import jobs_router
from videoforge.adapters.http.routes.media import media_router
from videoforge.adapters.http.routes.plans import plans_router
from videoforge.adapters.http.routes.uploads import uploads_router
from videoforge.adapters.http.routes.usage import usage_router
from videoforge.adapters.http.routes.webhooks import WebhookVerify, webhooks_router
from videoforge.adapters.http.runner import BackgroundRunner
from videoforge.adapters.http.schemas import PREFIX
from videoforge.application.ports import JobDispatcher
from videoforge.application.use_cases import UseCases

log = logging.getLogger("videoforge.http")
Resources = Callable[[], AbstractAsyncContextManager[Any]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, slots=True)
class HostedApi:
    """The API as parts a host's FastAPI app takes: `router` (every route under /api/video),
    `lifespan` (to enter in the host's own: opens the resources, resumes unfinished jobs, and on
    the way out stops the running ones and closes every pool), the error answers, which
    FastAPI keeps on the app, and `console` (the browser console at /console). `include_in(app)`
    adds the router, the error answers, unless `console=False` the console, and (with a
    `verifier`) `RequestLimits` for the requests under /api/video only: body sizes, the token
    before the body, idle bodies, as `videoforge serve` has them; the host's own routes pass
    untouched."""

    router: APIRouter
    lifespan: Lifespan
    runner: BackgroundRunner
    console: APIRouter
    verifier: JwtVerifier | None = None
    limits: BodyLimits | None = None

    def include_in(self, app: FastAPI, *, console: bool = True, limit_requests: bool = True) -> None:
        app.include_router(self.router)
        if console:
            app.include_router(self.console)
        install_error_handlers(app)
        if limit_requests and self.verifier is not None:
            app.add_middleware(RequestLimits, verifier=self.verifier, limits=self.limits, protected_prefix=PREFIX,
                               only_under=PREFIX)


def hosted_api(use_cases: UseCases, verifier: JwtVerifier, *, webhooks: Mapping[str, WebhookVerify] | None = None,
               resume_on_startup: bool = False, resume_every: float | None = None,
               resources: Resources | None = None, dispatcher: JobDispatcher | None = None,
               admin: AdminPolicy | None = None, media_links: MediaLinks | None = None,
               console_token_url: str | None = None, limits: BodyLimits | None = None) -> HostedApi:
    """The API's routes and lifespan. Jobs created here are handed to `dispatcher` (a queue's
    workers run them), or without one run in the background of this process. With
    `resume_on_startup`, unfinished jobs are resumed when the lifespan starts, and with
    `resume_every` (seconds) again and again, so that a job left unfinished by a passing fault
    (a deadline, an unreadable provider) is finished without a restart. `resources` is entered
    for the lifespan (the container's clients and pools). `admin` says who may use the admin
    routes (default: tokens with the `videoforge_admin` claim true). `media_links` signs the
    short-lived links `<video>` and `<img>` load files by (default: a key of this process's own);
    `console_token_url` is where the console asks the host for its user's token. `limits`: what
    requests to the API may cost (`RequestLimits`, added by `include_in`)."""
    runner = BackgroundRunner(lambda job_id: use_cases.run_job()(job_id))
    resume = partial(resume_unfinished, use_cases, runner, resume_every) if resume_on_startup else None
    router = api_router(use_cases, dispatcher or runner, verifier, webhooks or {}, admin or AdminPolicy(),
                        media_links or MediaLinks(base=PREFIX))
    console = console_router(token_url=console_token_url)
    return HostedApi(router, lifespan(runner, resume, resources), runner, console, verifier, limits)


def create_app(use_cases: UseCases, verifier: JwtVerifier, *, limits: BodyLimits | None = None,
               **options: Any) -> FastAPI:
    """The HTTP API as an app of its own (`videoforge serve`); `options` are `hosted_api`'s.
    `RequestLimits` stands in front of it (body sizes, token before body, idle bodies); a host
    embedding the router gets it for /api/video from `HostedApi.include_in`."""
    api = hosted_api(use_cases, verifier, limits=limits, **options)
    app = FastAPI(title="videoforge", version="0.1.0", lifespan=api.lifespan,
                  description="Every AI video generation through one pipeline: priced, reserved, durable, stored.")
    app.state.runner = api.runner
    api.include_in(app, limit_requests=False)  # limited below: every path of this app is ours

    @app.get("/health", summary="Liveness", operation_id="health", tags=["health"])
    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    app.add_middleware(RequestLimits, verifier=verifier, limits=limits, protected_prefix=PREFIX)
    return app


def api_router(use_cases: UseCases, dispatcher: JobDispatcher, verifier: JwtVerifier,
               webhooks: Mapping[str, WebhookVerify], admin: AdminPolicy, links: MediaLinks) -> APIRouter:
    """Every route under /api/video, one router per resource."""
    user, admin_user = authenticated_user(verifier), authenticated_admin(verifier, admin)
    # operation ids are the route functions' names (create_job, get_job...): stable for generated clients
    # each route documents the error answers it can give (schemas.errors), for typed clients
    api = APIRouter(prefix=PREFIX, generate_unique_id_function=lambda route: route.name)
    api.include_router(jobs_router(use_cases, dispatcher, user), tags=["jobs"])
    api.include_router(events_router(use_cases, user), tags=["jobs"])
    api.include_router(uploads_router(use_cases, user), tags=["uploads"])
    api.include_router(assets_router(use_cases, user), tags=["assets"])
    api.include_router(catalog_router(use_cases, user), tags=["catalog"])
    api.include_router(usage_router(use_cases, user), tags=["usage"])
    api.include_router(webhooks_router(use_cases, dispatcher, webhooks), tags=["webhooks"])
    api.include_router(plans_router(use_cases, admin_user))
    api.include_router(media_router(use_cases, links, user))
    api.include_router(console_api_router(use_cases, verifier, admin, user, admin_user))
    return api


def lifespan(runner: BackgroundRunner, resume: Callable[[], Coroutine[Any, Any, None]] | None,
             resources: Resources | None) -> Lifespan:
    """Enters `resources` for the app's lifetime, starts resuming, and stops running jobs on the way out."""

    @asynccontextmanager
    async def serving(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if resources is not None:
                await stack.enter_async_context(resources())
            if resume is not None:
                runner.spawn(resume(), "videoforge-resume")
            try:
                yield
            finally:
                await runner.stop()

    return serving


async def resume_unfinished(use_cases: UseCases, runner: BackgroundRunner, every: float | None) -> None:
    """Resume the unfinished jobs this process is not running, then again every `every` seconds."""
    while True:
        report = await use_cases.resume_jobs()(exclude=runner.job_ids)
        if report.errors:
            log.warning("resume left %d job(s) unfinished", len(report.errors))
        if not every:
            return
        await asyncio.sleep(every)


def add_metrics(app: FastAPI, scrape: Callable[[], Awaitable[bytes]]) -> None:
    """`GET /metrics`: the Prometheus exposition text `scrape` gives (unauthenticated, like /health:
    put it behind the network's own controls)."""

    async def metrics() -> Response:
        return Response(await scrape(), media_type="text/plain; version=0.0.4; charset=utf-8")

    app.add_api_route("/metrics", metrics, methods=["GET"], summary="Prometheus metrics", include_in_schema=False)
