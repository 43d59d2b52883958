from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import fields
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dependency_injector import containers, providers

from videoforge.adapters.fakes import (
    FakeMediaProbe,
    FakeVideoProvider,
    InMemoryAssetLibrary,
    InMemoryCallbackDeliveries,
    InMemoryJobRepository,
    InMemoryPlanBook,
    InMemoryQuotaGuard,
    InMemoryStorage,
    InMemoryUploadRegistry,
    InMemoryUsageMeter,
)
from videoforge.adapters.filesystem import FileSystemStorage
from videoforge.adapters.studios import (
    LegacyVideoGeneration,
    PodcastVideoService,
    ProductVideoService,
    StoryWriterVideoService,
    TransformStudioService,
    VideoStudioService,
)
from videoforge.adapters.studios.common import AssetLinks
from videoforge.adapters.studios.podcast import INFINITETALK
from videoforge.adapters.studios.product_marketing import WAN_TEXT_TO_VIDEO
from videoforge.adapters.studios.video_tools import (
    AddAudioToVideoService,
    AvatarStudioService,
    FaceSwapService,
    StorySceneAnimationService,
    VideoBackgroundRemoverService,
    VideoTranslateService,
)
from videoforge.adapters.system.clock import SystemClock
from videoforge.application.use_cases import (
    AssignPlan,
    AuditBilling,
    BalanceCheck,
    CancelJob,
    EstimateCost,
    ExpireUploads,
    GenerateVideo,
    GetAsset,
    GetCallbackDelivery,
    GetJob,
    GetUsage,
    HandleProviderWebhook,
    ListAssets,
    ListJobs,
    ListModels,
    ListPlans,
    ListProviders,
    ListSpend,
    LoadInput,
    NotifyCaller,
    OpenAssetFile,
    PollPolicy,
    Preflight,
    ReconcileJob,
    ResumeJobs,
    RunJob,
    SaveUpload,
    ShowPlan,
    StoredVideo,
    SubmitVideo,
    TraceLineage,
    UseCases,
    WatchJob,
)
from videoforge.application.use_cases.billing import accounts_of
from videoforge.bootstrap.callbacks import signed_callback_sender, task_payload
from videoforge.bootstrap.catalog import ConfigurationError, load_catalog
from videoforge.bootstrap.fal import (
    check_family_providers,
    fal_config,
    fal_provider,
    fal_webhook_verifier,
    provider_spellings,
)
from videoforge.bootstrap.observe import ObservedRuns
from videoforge.bootstrap.plans import load_plans, user_plans
from videoforge.bootstrap.settings import Settings
from videoforge.bootstrap.tracing import (
    instrumented_client,
    instrumented_engine,
    otlp_tracer_provider,
    run_tracing,
    traced_as,
    traced_registry,
    tracing_mode,
)
from videoforge.bootstrap.wavespeed import (
    closed_on_shutdown,
    http_client,
    wavespeed_config,
    wavespeed_provider,
    webhook_verifier,
)
from videoforge.domain import ModelCatalog, Routing

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from videoforge.adapters.local import LocalVideoProvider
    from videoforge.adapters.sql.database import Migrate

# Adapters that import SQLAlchemy, Alembic, PyAV or obstore are imported when the container first builds
# one, so that a command which needs none of them (`videoforge models`, `--help`) starts fast.
SQL, MEDIA, LOCAL = "videoforge.adapters.sql", "videoforge.adapters.media", "videoforge.adapters.local"
METRICS = "videoforge.adapters.prometheus"


def metered(registry: Mapping[str, object], metrics: Any) -> dict[str, object]:
    """The providers as RunJob sees them: timed and their errors counted."""
    from videoforge.adapters.prometheus import MeteredProvider

    return {name: MeteredProvider(p, metrics, name) for name, p in registry.items()}


def deferred(module: str, name: str) -> Callable[..., Any]:
    """A factory of `module.name` that imports the module on its first call."""
    def build(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module), name)(*args, **kwargs)

    build.__qualname__ = build.__name__ = name
    return build


class OnFirstUse(providers.Resource):
    """A resource `open_container` does not start: it starts when first used (and is then closed
    on shutdown like any other), so that a command that never uses it never imports its adapter."""


def fake_provider_resource() -> Iterator[FakeVideoProvider]:
    provider = FakeVideoProvider()
    try:
        yield provider
    finally:
        provider.close()


def local_provider_resource(work_dir: str) -> Iterator[LocalVideoProvider]:
    provider = deferred(LOCAL, "LocalVideoProvider")(work_dir)
    try:
        yield provider
    finally:
        provider.close()


def sql_engine_resource(url: str, enabled: bool, schema: str | None = None,
                        pool: dict | None = None, tracing: Any = None) -> Iterator[AsyncEngine | None]:
    """The database engine of the sql backend (it connects nothing until used), None on the
    memory backend; on PostgreSQL its connections see only videoforge's schema, through a pool
    of the configured size. A URL no async driver serves is a ConfigurationError here, on the
    first use of the database. Its disposal is async, so `open_container` awaits
    `engine.dispose()` on the way out; a sync resource cannot."""
    yield instrumented_engine(database_engine(url, schema=schema, pool=pool), tracing) if enabled else None


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def database_pool(settings: Settings) -> dict:
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout}


def first_use_migration(url: str) -> Migrate | None:
    """An embedded SQLite file is brought to the latest schema on first use; a database server's
    schema only by `videoforge db upgrade`, which its operator runs."""
    from videoforge.adapters.sql import is_embedded
    from videoforge.adapters.sql.migrate import upgrade_engine

    return upgrade_engine if is_embedded(url) else None


def database_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine for `url` (connects nothing); a URL that names no usable async driver is refused."""
    from sqlalchemy.exc import ArgumentError, InvalidRequestError

    from videoforge.adapters.sql import describe, make_engine

    try:
        return make_engine(url, **options)
    except (ArgumentError, InvalidRequestError, ImportError) as e:
        raise ConfigurationError(
            "VIDEOFORGE_DATABASE_URL is not a usable database URL (e.g. postgresql+asyncpg://user@host/db or "
            f"sqlite+aiosqlite:///path): {describe(e)}") from None


def check_database_url(url: str) -> None:
    """Refuse, before anything runs, a URL that names no usable async driver."""
    database_engine(url)


def provider_makers(catalog: ModelCatalog, fake: bool, fake_provider: providers.Provider,
                    live: Mapping[str, Callable[[], object]], wavespeed: providers.Provider,
                    wavespeed_key: object, fal: providers.Provider | None = None,
                    fal_route: str | None = None) -> dict[str, Callable[[], object]]:
    """Provider name -> what builds its adapter. With fake providers on, the scripted fake serves
    every provider; otherwise each live adapter serves its own name, wavespeed only with an API
    key, and fal only with FAL_KEY or HF_TOKEN (its route). The names alone (`videoforge
    models`) build no adapter."""
    if fake:
        return {spec.provider: fake_provider for spec in catalog}
    makers = dict(live)
    if wavespeed_key:
        makers["wavespeed"] = wavespeed
    if fal_route and fal is not None:
        makers["fal"] = fal
    return makers


class ProviderRegistry(Mapping[str, object]):
    """Provider name -> adapter, each adapter built when first looked up: listing the names
    (`videoforge models`) builds none."""

    def __init__(self, makers: Mapping[str, Callable[[], object]]):
        self._makers = dict(makers)
        self._built: dict[str, object] = {}

    def __getitem__(self, name: str) -> object:
        if name not in self._built:
            self._built[name] = self._makers[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def routing(catalog: ModelCatalog, preferred: dict[str, str], spellings: dict[str, str],
            fallbacks: dict[str, list[str]]) -> Routing:
    check_family_providers(catalog, preferred.items(), "VIDEOFORGE_FAMILY_PROVIDERS")
    check_family_providers(catalog, [(f, p) for f, names in fallbacks.items() for p in names], "VIDEOFORGE_FALLBACKS")
    return Routing(preferred=dict(preferred), spellings=dict(spellings),
                   fallbacks={family: tuple(names) for family, names in fallbacks.items()})


def storage_config(settings: Settings) -> dict:
    return {"storage": settings.storage, "storage_dir": str(settings.storage_dir), "s3": s3_config(settings)}


def s3_config(settings: Settings) -> dict:
    if settings.storage == "s3" and not settings.s3_bucket:
        raise ConfigurationError("VIDEOFORGE_S3_BUCKET is required with VIDEOFORGE_STORAGE=s3")
    public = settings.s3_public_endpoint
    if public is not None and not _bare_web_address(public):
        raise ConfigurationError("VIDEOFORGE_S3_PUBLIC_ENDPOINT is not an endpoint: give the scheme and host (and "
                                 "port) at which clients reach the bucket, e.g. https://media.example.com, without "
                                 "credentials or query")
    return {"bucket": settings.s3_bucket, "prefix": settings.s3_prefix, "endpoint": settings.s3_endpoint,
            "region": settings.s3_region, "part_size": settings.s3_part_size,
            "concurrency": settings.s3_upload_concurrency, "presign": settings.s3_downloads == "presigned",
            "url_ttl": settings.s3_url_ttl, "timeout": settings.s3_timeout,
            "public_endpoint": settings.s3_public_endpoint}


def _bare_web_address(url: str) -> bool:
    """http(s)://host[:port][/path], without credentials, query or fragment."""
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.username
            and not parts.query and not parts.fragment)


class Container(containers.DeclarativeContainer):
    """The composition root: the only place that knows which adapter serves which port."""

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    catalog = providers.Singleton(load_catalog, prices_file=config.prices_file)

    # None with tracing off (the default); tests override it with a provider of their own
    tracer_provider = providers.Selector(config.tracing, off=providers.Object(None),
                                         otlp=providers.Singleton(otlp_tracer_provider))
    fake_provider = providers.Resource(fake_provider_resource)
    wavespeed_client = providers.Singleton(instrumented_client, providers.Singleton(
        http_client, connect_timeout=config.wavespeed.connect_timeout, read_timeout=config.wavespeed.read_timeout,
        max_connections=config.wavespeed.max_connections), tracer_provider)
    wavespeed_client_lifetime = providers.Resource(closed_on_shutdown, client=wavespeed_client)
    wavespeed_webhooks = providers.Singleton(webhook_verifier, secret=config.wavespeed.webhook_secret)
    wavespeed = providers.Singleton(
        wavespeed_provider, client=wavespeed_client, api_key=config.wavespeed.api_key,
        base_url=config.wavespeed.base_url, read_attempts=config.wavespeed.read_attempts,
        allow_private_urls=config.allow_private_urls, webhook_url=config.wavespeed.webhook_url)
    # fal shares the pooled client: it carries no credential, each adapter adds its own to its API calls.
    fal = providers.Singleton(fal_provider, client=wavespeed_client, route=config.fal.route, queue=config.fal.queue,
                              credential=config.fal.credential, allow_private_urls=config.allow_private_urls,
                              webhook_url=config.fal.webhook_url, rest_url=config.fal.rest_url,
                              inline_max=config.fal.inline_max)
    fal_webhooks = providers.Singleton(fal_webhook_verifier, client=wavespeed_client, route=config.fal.route,
                                       jwks_url=config.fal.jwks_url, allow_private_urls=config.allow_private_urls)
    local_provider = OnFirstUse(local_provider_resource, work_dir=config.work_dir)
    video_providers = providers.Singleton(ProviderRegistry, providers.Callable(
        provider_makers, catalog=catalog, fake=config.fake_providers, fake_provider=fake_provider.provider,
        live=providers.Dict(local=local_provider.provider), wavespeed=wavespeed.provider,
        wavespeed_key=config.wavespeed.api_key, fal=fal.provider, fal_route=config.fal.route))
    provider_routing = providers.Singleton(routing, catalog=catalog, preferred=config.family_providers,
                                           spellings=config.provider_spellings, fallbacks=config.fallbacks)
    provider_names = providers.Callable(frozenset, video_providers)
    provider_accounts = providers.Callable(accounts_of, video_providers)

    media_probe = providers.Selector(config.media_probe, fake=providers.Singleton(FakeMediaProbe),
                                     pyav=providers.Singleton(
                                         deferred(MEDIA, "PyAVMediaProbe"), max_image_pixels=providers.Callable(
                                             lambda c: c.max_input_pixels(), catalog)))

    sql_engine = OnFirstUse(sql_engine_resource, url=config.database_url, enabled=config.sql,
                                    schema=config.database_schema, pool=config.database_pool, tracing=tracer_provider)
    sql_database = providers.Singleton(
        deferred(SQL, "Database"), sql_engine, migrate=providers.Callable(first_use_migration, config.database_url))

    storage = providers.Selector(
        config.storage,
        memory=providers.Singleton(InMemoryStorage, max_bytes=config.max_output_bytes),
        filesystem=providers.Singleton(FileSystemStorage, root=config.storage_dir, max_bytes=config.max_output_bytes,
                                       fsync=config.sql),  # the memory backend's records die with the process
        s3=providers.Singleton(
            deferred("videoforge.adapters.s3", "S3Storage"), bucket=config.s3.bucket, prefix=config.s3.prefix,
            endpoint=config.s3.endpoint,
            region=config.s3.region, max_bytes=config.max_output_bytes, part_size=config.s3.part_size,
            concurrency=config.s3.concurrency, presign=config.s3.presign, url_ttl=config.s3.url_ttl,
            timeout=config.s3.timeout, public_endpoint=config.s3.public_endpoint),
    )
    job_repository = providers.Selector(
        config.backend, memory=providers.Singleton(InMemoryJobRepository),
        sql=providers.Singleton(deferred(SQL, "SqlJobRepository"), sql_database))
    asset_library = providers.Selector(
        config.backend, memory=providers.Singleton(InMemoryAssetLibrary),
        sql=providers.Singleton(deferred(SQL, "SqlAssetLibrary"), sql_database))
    usage_meter = providers.Selector(
        config.backend, memory=providers.Singleton(InMemoryUsageMeter),
        sql=providers.Singleton(deferred(SQL, "SqlUsageMeter"), sql_database))
    unit_of_work = providers.Selector(
        config.backend, memory=providers.Object(nullcontext),
        sql=providers.Singleton(deferred(SQL, "SqlUnitOfWork"), sql_database))
    # Plans: the file's (or the legacy four) with per-user assignments in the backend; a host's own
    # PlanSource replaces it (open_container(settings, plans=...) overrides `plan_source`).
    plan_catalog = providers.Singleton(load_plans, plans_file=config.plans_file, default_plan=config.default_plan)
    configured_plans = providers.Callable(user_plans, plan_catalog, config.user_plans)
    plan_source = providers.Selector(
        config.backend,
        memory=providers.Singleton(InMemoryPlanBook, catalog=plan_catalog, assigned=configured_plans),
        sql=providers.Singleton(deferred(SQL, "SqlPlanBook"), sql_database, catalog=plan_catalog,
                                configured=configured_plans, clock=clock),
    )
    upload_registry = providers.Selector(
        config.backend, memory=providers.Singleton(InMemoryUploadRegistry),
        sql=providers.Singleton(deferred(SQL, "SqlUploadRegistry"), sql_database))
    quota_guard = providers.Selector(
        config.backend,
        memory=providers.Singleton(InMemoryQuotaGuard, plans=plan_source, clock=clock),
        sql=providers.Singleton(deferred(SQL, "SqlQuotaGuard"), sql_database, plans=plan_source, clock=clock),
    )

    poll_policy = providers.Singleton(PollPolicy, interval=config.poll_interval, deadline=config.poll_deadline,
                                      submit_grace=config.submit_grace, history_settle=config.submit_settle,
                                      save_lease=config.save_lease)

    preflight = providers.Factory(Preflight, catalog=catalog, probe=media_probe, providers=provider_names,
                                  default_provider=config.default_provider, routing=provider_routing)
    callback_sender = providers.Singleton(
        signed_callback_sender, client=wavespeed_client, secret=config.callbacks.secret, hosts=config.callbacks.hosts,
        allow_private=config.allow_private_urls)
    callback_deliveries = providers.Selector(
        config.backend, memory=providers.Singleton(InMemoryCallbackDeliveries),
        sql=providers.Singleton(deferred(SQL, "SqlCallbackDeliveries"), sql_database))
    traced_callbacks = providers.Singleton(traced_as, "TracedCallbacks", callback_sender, tracer_provider)
    notify_caller = providers.Factory(NotifyCaller, deliveries=callback_deliveries, sender=traced_callbacks,
                                      clock=clock, describe=providers.Callable(task_payload, asset_library),
                                      retry_for=config.callbacks.retry_for)
    metrics = providers.Singleton(deferred(METRICS, "VideoMetrics"))
    metered_jobs = providers.Singleton(deferred(METRICS, "MeteredJobs"), job_repository, metrics)
    metered_quota = providers.Singleton(deferred(METRICS, "MeteredQuota"), quota_guard, metrics)
    metered_storage = providers.Singleton(deferred(METRICS, "MeteredStorage"), storage, metrics)
    metered_providers = providers.Callable(metered, video_providers, metrics)
    traced_providers = providers.Callable(traced_registry, metered_providers, tracer_provider)
    traced_storage = providers.Singleton(traced_as, "TracedStorage", metered_storage, tracer_provider)
    created_jobs = providers.Singleton(traced_as, "TracedJobs", job_repository, tracer_provider)
    balance_check = providers.Factory(BalanceCheck, accounts=provider_accounts, enabled=config.refuse_below_balance)
    submit_video = providers.Factory(SubmitVideo, preflight=preflight, quota=metered_quota, jobs=created_jobs,
                                     clock=clock, balance=balance_check, callbacks=callback_sender,
                                     together=unit_of_work)
    run_observer = providers.Singleton(ObservedRuns, tracing=providers.Callable(run_tracing, tracer_provider))
    run_job = providers.Factory(
        RunJob, jobs=metered_jobs, providers=traced_providers, catalog=catalog, storage=traced_storage,
        probe=media_probe, assets=asset_library, usage=usage_meter, quota=metered_quota, clock=clock,
        policy=poll_policy, together=unit_of_work, notify=notify_caller,
        routing=provider_routing, observe=run_observer)
    generate_video = providers.Factory(GenerateVideo, submit=submit_video, run=run_job, assets=asset_library)
    get_job = providers.Factory(GetJob, jobs=job_repository)
    cancel_job = providers.Factory(CancelJob, jobs=job_repository, providers=video_providers, quota=quota_guard,
                                   clock=clock)
    expire_uploads = providers.Factory(ExpireUploads, uploads=upload_registry, storage=storage, jobs=job_repository,
                                       clock=clock, ttl=providers.Callable(seconds, config.upload_ttl))
    resume_jobs = providers.Factory(ResumeJobs, jobs=job_repository, run=run_job, quota=quota_guard, clock=clock,
                                    storage=storage, leftovers_idle=providers.Callable(seconds, config.leftovers_idle),
                                    expire_uploads=expire_uploads)
    handle_webhook = providers.Factory(HandleProviderWebhook, jobs=job_repository, run=run_job)
    reconcile_job = providers.Factory(ReconcileJob, jobs=job_repository, quota=quota_guard, clock=clock)
    estimate_cost = providers.Factory(EstimateCost, preflight=preflight, quota=quota_guard, clock=clock)
    list_models = providers.Factory(ListModels, catalog=catalog, providers=provider_names)
    list_jobs = providers.Factory(ListJobs, jobs=job_repository)
    get_callback_delivery = providers.Factory(GetCallbackDelivery, jobs=job_repository,
                                              deliveries=callback_deliveries)
    watch_job = providers.Factory(WatchJob, jobs=job_repository, clock=clock, interval=config.events_interval)
    get_asset = providers.Factory(GetAsset, assets=asset_library)
    list_assets = providers.Factory(ListAssets, assets=asset_library)
    open_asset_file = providers.Factory(OpenAssetFile, assets=asset_library, storage=storage)
    save_upload = providers.Factory(SaveUpload, storage=storage, catalog=catalog, uploads=upload_registry,
                                    plans=plan_source, clock=clock)
    load_input = providers.Factory(LoadInput, storage=storage, assets=asset_library, uploads=upload_registry,
                                   clock=clock)
    get_usage = providers.Factory(GetUsage, usage=usage_meter, quota=quota_guard, clock=clock)
    list_plans = providers.Factory(ListPlans, plans=plan_source)
    show_plan = providers.Factory(ShowPlan, plans=plan_source)
    trace_lineage = providers.Factory(TraceLineage, assets=asset_library, jobs=job_repository)
    list_spend = providers.Factory(ListSpend, usage=usage_meter, plans=plan_source, clock=clock)
    assign_plan = providers.Factory(AssignPlan, plans=plan_source)
    audit_billing = providers.Factory(AuditBilling, accounts=provider_accounts, jobs=job_repository,
                                      usage=usage_meter, clock=clock)
    list_providers = providers.Factory(ListProviders, providers=provider_names, accounts=provider_accounts,
                                       catalog=catalog)

    # The backend's studios: thin callers resolved from here.
    asset_links = providers.Singleton(AssetLinks, template=config.asset_url_template)
    video_studio = providers.Factory(VideoStudioService, generate=generate_video, estimate=estimate_cost,
                                     list_models=list_models, links=asset_links)
    image_studio = providers.Factory(TransformStudioService, generate=generate_video, links=asset_links)
    story_writer_video = providers.Factory(StoryWriterVideoService, generate=generate_video, links=asset_links)
    podcast_video = providers.Factory(PodcastVideoService, generate=generate_video, model=config.podcast_model,
                                      links=asset_links)
    product_video = providers.Factory(ProductVideoService, generate=generate_video, model=config.product_video_model,
                                      links=asset_links)
    stored_video = providers.Factory(StoredVideo, storage=storage)
    ai_video_generate = providers.Factory(LegacyVideoGeneration, generate=generate_video, links=asset_links,
                                          stored=stored_video)
    face_swap = providers.Factory(FaceSwapService, generate=generate_video, stored=stored_video, links=asset_links)
    video_translate = providers.Factory(VideoTranslateService, generate=generate_video, stored=stored_video,
                                        links=asset_links)
    video_background_remover = providers.Factory(VideoBackgroundRemoverService, generate=generate_video,
                                                 stored=stored_video, links=asset_links)
    add_audio_to_video = providers.Factory(AddAudioToVideoService, generate=generate_video, stored=stored_video,
                                           links=asset_links)
    avatar_studio = providers.Factory(AvatarStudioService, generate=generate_video, stored=stored_video,
                                      links=asset_links)
    story_scene_animation = providers.Factory(StorySceneAnimationService, generate=generate_video,
                                              list_jobs=list_jobs, run_job=run_job, get_asset=get_asset,
                                              links=asset_links)


def use_cases_of(container: Container) -> UseCases:
    """The one set of use-case factories the driving adapters take: the container's own, by name
    (each call builds a fresh use case over the container's shared adapters and overrides)."""
    return UseCases(**{f.name: getattr(container, f.name) for f in fields(UseCases)})


def studio_models(settings: Settings) -> dict[str, str | None]:
    """The studios' models: the legacy WaveSpeed ones when WaveSpeed is the default provider (or
    fakes stand in for it), else the configured provider's defaults (None), unless set."""
    legacy = settings.default_provider == "wavespeed"
    return {"podcast_model": settings.podcast_model or (INFINITETALK if legacy else None),
            "product_video_model": settings.product_video_model or (WAN_TEXT_TO_VIDEO if legacy else None)}


def routing_config(settings: Settings) -> dict:
    """What the routing rules take from the settings: families' preferred and fallback providers,
    and the other names providers go by."""
    return {"family_providers": settings.family_providers, "fallbacks": settings.fallbacks,
            "provider_spellings": provider_spellings(settings)}


def operations_config(settings: Settings) -> dict[str, object]:
    """What running videoforge in operation needs: the balance check, the event streams."""
    return {"refuse_below_balance": settings.refuse_below_balance, "events_interval": settings.events_interval,
            "callbacks": {"secret": settings.callback_secret, "hosts": settings.callback_hosts,
                          "retry_for": settings.callback_retry_for}}


def build_container(settings: Settings | None = None) -> Container:
    """A container configured from `settings` (read from the environment when not given)."""
    settings = settings or Settings()
    sql = settings.backend == "sql"
    container = Container()
    container.config.from_dict({
        "backend": settings.backend,
        "sql": sql,
        "database_url": settings.database_url,
        "database_schema": settings.db_schema,
        "database_pool": database_pool(settings),
        "prices_file": str(settings.prices_file) if settings.prices_file else None,
        **operations_config(settings),
        "fake_providers": settings.fake_providers,
        # The fake probe reads only the fake provider's stand-in files; real outputs need PyAV.
        "media_probe": "fake" if settings.fake_providers else "pyav",
        **storage_config(settings),
        "work_dir": str(settings.data_dir / "work"),
        "default_provider": settings.default_provider,
        "plans_file": str(settings.plans_file) if settings.plans_file else None,
        "default_plan": settings.default_plan,
        "user_plans": settings.user_plans,
        "tracing": tracing_mode(settings.tracing),
        "poll_interval": settings.poll_interval,
        "poll_deadline": settings.poll_deadline,
        "submit_grace": settings.submit_grace, "submit_settle": settings.submit_settle,
        "save_lease": settings.save_lease,
        "leftovers_idle": settings.leftovers_idle, "upload_ttl": settings.upload_ttl,
        "asset_url_template": settings.asset_url_template,
        **studio_models(settings),
        "max_output_bytes": settings.max_output_bytes,
        "allow_private_urls": settings.allow_private_urls,
        "wavespeed": wavespeed_config(settings),
        "fal": fal_config(settings),
        **routing_config(settings),
    })
    user_plans(load_plans(settings.plans_file, settings.default_plan), settings.user_plans)
    return container
