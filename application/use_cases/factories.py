from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from videoforge.application.use_cases.billing import AuditBilling, ListProviders
from videoforge.application.use_cases.callbacks import GetCallbackDelivery
from videoforge.application.use_cases.cancel import CancelJob
from videoforge.application.use_cases.console import ListSpend, TraceLineage
from videoforge.application.use_cases.generate import GenerateVideo
from videoforge.application.use_cases.library import (
    GetAsset,
    GetUsage,
    ListAssets,
    LoadInput,
    OpenAssetFile,
    SaveUpload,
)
from videoforge.application.use_cases.plans import AssignPlan, ListPlans, ShowPlan
from videoforge.application.use_cases.queries import EstimateCost, GetJob, ListJobs, ListModels
from videoforge.application.use_cases.reconcile import ReconcileJob
from videoforge.application.use_cases.resume import ResumeJobs
from videoforge.application.use_cases.run_job import RunJob
from videoforge.application.use_cases.submit import SubmitVideo
from videoforge.application.use_cases.watch import WatchJob
from videoforge.application.use_cases.webhook import HandleProviderWebhook


@dataclass(frozen=True, slots=True)
class UseCases:
    """Every use case a driving adapter (the HTTP API, the command line) may call, as zero-argument
    factories: each call builds a fresh use case over the shared adapters. `bootstrap` builds
    this once from its container; the driving adapters take it and nothing else."""

    submit_video: Callable[[], SubmitVideo]
    run_job: Callable[[], RunJob]
    generate_video: Callable[[], GenerateVideo]
    get_job: Callable[[], GetJob]
    list_jobs: Callable[[], ListJobs]
    cancel_job: Callable[[], CancelJob]
    resume_jobs: Callable[[], ResumeJobs]
    reconcile_job: Callable[[], ReconcileJob]
    handle_webhook: Callable[[], HandleProviderWebhook]
    estimate_cost: Callable[[], EstimateCost]
    list_models: Callable[[], ListModels]
    get_asset: Callable[[], GetAsset]
    list_assets: Callable[[], ListAssets]
    open_asset_file: Callable[[], OpenAssetFile]
    save_upload: Callable[[], SaveUpload]
    load_input: Callable[[], LoadInput]
    get_usage: Callable[[], GetUsage]
    list_plans: Callable[[], ListPlans]
    show_plan: Callable[[], ShowPlan]
    assign_plan: Callable[[], AssignPlan]
    audit_billing: Callable[[], AuditBilling]
    list_providers: Callable[[], ListProviders]
    watch_job: Callable[[], WatchJob]
    get_callback_delivery: Callable[[], GetCallbackDelivery]
    trace_lineage: Callable[[], TraceLineage]
    list_spend: Callable[[], ListSpend]
